package dev.mycelium.protocol;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A message in an inbox. {@code from} and {@code fromId} are stamped by the broker.
 *
 * @param from the sender's name ({@code cli:<user>} for the person at the terminal,
 * {@code mycelium} for the broker itself)
 * @param topic the topic of a broadcast, else {@code null}
 * @param taskId the task a {@code task} or {@code task_result} message is about
 * @param quiet set on the recipient's push stream when the message must not wake an idle
 * session (a wake budget held it, or it only acknowledges): it waits unread for a hook, a
 * tool result or {@code sense}; never stored
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Message(String id, MessageKind kind, String from, String fromId, String to, String toId, String topic,
		String body, String replyTo, String taskId, Instant sentAt,
		@JsonInclude(JsonInclude.Include.NON_NULL) Boolean quiet) {

	public Message(String id, MessageKind kind, String from, String fromId, String to, String toId, String topic,
			String body, String replyTo, String taskId, Instant sentAt) {
		this(id, kind, from, fromId, to, toId, topic, body, replyTo, taskId, sentAt, null);
	}

	/**
	 * Whether it must not wake an idle session; {@code quiet} is absent (not false) on
	 * every other message, and from brokers older than it.
	 */
	public boolean staysQuiet() {
		return Boolean.TRUE.equals(quiet);
	}

	public Message quietly() {
		return new Message(id, kind, from, fromId, to, toId, topic, body, replyTo, taskId, sentAt, true);
	}

}
