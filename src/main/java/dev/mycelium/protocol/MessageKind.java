package dev.mycelium.protocol;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a message in an inbox is, so that a reader can render it without parsing its body.
 */
public enum MessageKind {

	/** A direct message from one peer (or the person at the terminal) to another. */
	DIRECT,
	/** One copy of a broadcast, to a topic or to every peer in a scope. */
	BROADCAST,
	/** A task delegated to the recipient. */
	TASK,
	/** The outcome of a task the recipient delegated. */
	TASK_RESULT,
	/** The broker telling a sender that messages it sent expired unread. */
	EXPIRED,
	/**
	 * The broker telling a session about a claim: another session wanted a file it holds,
	 * or a claim that held it off ended.
	 */
	CLAIM,
	/**
	 * The broker telling two sessions that their exchange no longer wakes them: it kept
	 * waking them without a person in between.
	 */
	LOOP;

	@JsonValue
	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	@JsonCreator
	public static MessageKind parse(String text) {
		return valueOf(text.trim().toUpperCase(Locale.ROOT));
	}

}
