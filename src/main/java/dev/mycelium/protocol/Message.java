package dev.mycelium.protocol;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A message in an inbox. {@code from} and {@code fromId} are stamped by the broker.
 *
 * @param from the sender's name ({@code cli:<user>} for the person at the terminal,
 * {@code mycelium} for the broker itself)
 * @param topic the topic of a broadcast, else {@code null}
 * @param taskId the task a {@code task} or {@code task_result} message is about
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Message(String id, MessageKind kind, String from, String fromId, String to, String toId, String topic,
		String body, String replyTo, String taskId, Instant sentAt) {
}
