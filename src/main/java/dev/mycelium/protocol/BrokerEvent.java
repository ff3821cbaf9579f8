package dev.mycelium.protocol;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One event of the broker-wide stream {@code GET /api/events} (Server-Sent Events: the
 * SSE event name is {@link #type()}, the SSE id is {@link #id()}, the data is this record
 * as JSON). It is what {@code mycelium tail} prints. Only the fields that belong to the
 * type are set; the others are {@code null}.
 *
 * @param id increasing per broker; resume with {@code Last-Event-ID}
 * @param type one of the constants below
 * @param at when it happened
 * @param peer the peer that joined, left or was removed
 * @param message a direct message or an expiry notice, or (type {@code broadcast}) the
 * broadcast with {@code to} unset
 * @param recipients the names a broadcast reached
 * @param task the task created or reported
 * @param claim the claim made, ended, or (type {@code edit_denied}) in the way
 * @param path the file whose edit was denied
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BrokerEvent(long id, String type, Instant at, Peer peer, Message message, List<String> recipients,
		Task task, Claim claim, String path) {

	public BrokerEvent(long id, String type, Instant at, Peer peer, Message message, List<String> recipients,
			Task task) {
		this(id, type, at, peer, message, recipients, task, null, null);
	}

	/** A peer registered (or came back within its grace period). */
	public static final String PEER_JOINED = "peer_joined";

	/** A peer deregistered itself. */
	public static final String PEER_LEFT = "peer_left";

	/** A peer was silent too long and the broker removed it. */
	public static final String PEER_REMOVED = "peer_removed";

	/**
	 * One message put in one inbox: a direct message or an expiry notice (tasks have
	 * their own events).
	 */
	public static final String MESSAGE = "message";

	/** A broadcast, once, with the names it reached. */
	public static final String BROADCAST = "broadcast";

	/** A task was delegated. */
	public static final String TASK_CREATED = "task_created";

	/** A task's assignee reported its outcome. */
	public static final String TASK_REPORTED = "task_reported";

	/** A session claimed files. */
	public static final String CLAIMED = "claimed";

	/**
	 * A claim ended: released, its time ran out, or its session left; {@code peer} is
	 * unset.
	 */
	public static final String CLAIM_ENDED = "claim_ended";

	/**
	 * Two sessions' messages stopped waking them ({@code message} the first held,
	 * {@code recipients} the two told).
	 */
	public static final String WAKES_HELD = "wakes_held";

	/** An edit by {@code peer} of {@code path} was denied: {@code claim} holds it. */
	public static final String EDIT_DENIED = "edit_denied";

}
