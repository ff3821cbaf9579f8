package dev.mycelium.protocol;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * {@code POST /api/broadcasts}: with a topic, to its subscribers; without, to every peer
 * in scope. Never to the sender itself.
 */
public record Broadcast(@NotBlank(message = Names.BODY_RULE) String body,
		@Pattern(regexp = Names.TOPIC, message = Names.TOPIC_RULE) String topic, Scope scope) {
}
