package dev.mycelium.protocol;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /api/peers/{peer}/messages}: a direct message. The sender is never read
 * from the body: the broker stamps it from the caller's credentials.
 *
 * @param body the text (at most 64 KiB of UTF-8 by default: a setting of the broker)
 * @param replyTo optional id of the message this one answers
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DirectMessage(@NotBlank(message = Names.BODY_RULE) String body,
		@Size(max = Names.MAX_MESSAGE_ID, message = Names.MESSAGE_ID_RULE) @Pattern(regexp = Names.MESSAGE_ID,
				message = Names.MESSAGE_ID_RULE) String replyTo) {
}
