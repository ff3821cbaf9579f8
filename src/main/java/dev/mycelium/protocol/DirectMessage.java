package dev.mycelium.protocol;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /api/peers/{peer}/messages}: a direct message. The sender is never read
 * from the body: the broker stamps it from the caller's credentials.
 *
 * @param body the text (at most 64 KiB of UTF-8 by default)
 * @param replyTo optional id of the message this one answers
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DirectMessage(String body, String replyTo) {
}
