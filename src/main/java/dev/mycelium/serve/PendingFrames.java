package dev.mycelium.serve;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The messages written to Claude Code's inbox socket and not yet settled, and what the
 * transcript's evidence decides for each: confirmed (in the conversation: acknowledge
 * it), released (not queued in time, or queued too long: the other paths bring it), or
 * still waiting. Pure, with its own clock, so that the decisions are tested without
 * processes; {@link InboxDelivery} does the talking to the broker and guards it with its
 * lock.
 */
final class PendingFrames {

	/** Claude Code writes the enqueue line at once; this leaves room for a slow disk. */
	static final Duration EVIDENCE_WAIT = Duration.ofSeconds(3);

	/**
	 * How long a frame the transcript shows queued may wait to enter the conversation: a
	 * long tool call delays it, a queued prompt the user deleted never comes. Then the
	 * other paths bring it (a duplicate if it still comes).
	 */
	static final Duration QUEUED_WAIT = Duration.ofMinutes(10);

	/**
	 * What one look at the transcript settled.
	 *
	 * @param confirmed in the conversation: to acknowledge
	 * @param released no longer waited for: to release for the other paths
	 * @param silent released because Claude Code never queued them, though its transcript
	 * was there to say so: a sign the socket does not work
	 * @param queuedTooLong released after {@link #QUEUED_WAIT} in the queue
	 */
	record Decision(List<String> confirmed, List<String> released, List<String> silent, List<String> queuedTooLong) {
	}

	/** A message written to the socket, not yet seen in the conversation. */
	private static final class Pending {

		final String messageId;

		final UUID frameId;

		final Instant sentAt;

		boolean enqueued;

		/**
		 * Queued in the transcript of another session of the project (a broadcast reaches
		 * them all): not proof for this one, but no sign that the socket failed either.
		 */
		boolean queuedElsewhere;

		Pending(String messageId, UUID frameId, Instant sentAt) {
			this.messageId = messageId;
			this.frameId = frameId;
			this.sentAt = sentAt;
		}

	}

	private final Clock clock;

	private final Map<String, Pending> pending = new LinkedHashMap<>();

	/**
	 * The Claude Code session ids whose transcript lines count as this session's: the one
	 * it was started with, and those its own frames entered the conversation under (after
	 * a {@code /clear}, or a session that continues another).
	 */
	private final Set<String> ownSessions = new HashSet<>();

	/**
	 * @param sessionId the session id Claude Code gave this serve, or null
	 */
	PendingFrames(Clock clock, String sessionId) {
		this.clock = clock;
		if (sessionId != null) {
			this.ownSessions.add(sessionId);
		}
	}

	Instant now() {
		return this.clock.instant();
	}

	boolean contains(String messageId) {
		return this.pending.containsKey(messageId);
	}

	int size() {
		return this.pending.size();
	}

	boolean isEmpty() {
		return this.pending.isEmpty();
	}

	List<String> messageIds() {
		return List.copyOf(this.pending.keySet());
	}

	/** Waits for evidence of a frame written now. */
	void add(String messageId, UUID frameId) {
		this.pending.put(messageId, new Pending(messageId, frameId, now()));
	}

	void remove(String messageId) {
		this.pending.remove(messageId);
	}

	/**
	 * Stops waiting for what the broker no longer holds (a prompt hook or sense showed it
	 * first), of those that were waiting when it was asked: a message held since then is
	 * not in its answer.
	 */
	void removeReadElsewhere(Set<String> asked, Set<String> held) {
		this.pending.keySet().removeIf(id -> asked.contains(id) && !held.contains(id));
	}

	/** Settles what the evidence allows; the settled ones no longer wait. */
	Decision decide(TranscriptWatch.Evidence evidence) {
		Instant now = now();
		for (Pending delivery : this.pending.values()) {
			String session = evidence.inConversation().get(delivery.frameId.toString());
			if (session != null && !session.isEmpty()) {
				this.ownSessions.add(session);
			}
		}
		for (Pending delivery : this.pending.values()) {
			Set<String> queuedIn = evidence.enqueued().getOrDefault(delivery.messageId, Set.of());
			if (queuedIn.stream().anyMatch(session -> session.isEmpty() || this.ownSessions.contains(session))) {
				delivery.enqueued = true;
			}
			else if (!queuedIn.isEmpty()) {
				delivery.queuedElsewhere = true;
			}
		}
		List<String> confirmed = this.pending.values()
			.stream()
			.filter(delivery -> evidence.inConversation().containsKey(delivery.frameId.toString()))
			.map(delivery -> delivery.messageId)
			.toList();
		// Not queued in this session's transcript within the wait: the other paths bring
		// it. Without a transcript nothing could be read; with one, it is the socket's
		// failure unless another session's transcript shows it queued.
		List<Pending> overdue = this.pending.values()
			.stream()
			.filter(delivery -> !delivery.enqueued && !confirmed.contains(delivery.messageId))
			.filter(delivery -> delivery.sentAt.plus(EVIDENCE_WAIT).isBefore(now))
			.toList();
		List<String> silent = evidence.transcriptFound() ? overdue.stream()
			.filter(delivery -> !delivery.queuedElsewhere)
			.map(delivery -> delivery.messageId)
			.toList() : List.of();
		List<String> queuedTooLong = this.pending.values()
			.stream()
			.filter(delivery -> delivery.enqueued && !confirmed.contains(delivery.messageId))
			.filter(delivery -> delivery.sentAt.plus(QUEUED_WAIT).isBefore(now))
			.map(delivery -> delivery.messageId)
			.toList();
		List<String> released = new ArrayList<>();
		overdue.forEach(delivery -> released.add(delivery.messageId));
		released.addAll(queuedTooLong);
		confirmed.forEach(this.pending::remove);
		released.forEach(this.pending::remove);
		return new Decision(confirmed, List.copyOf(released), silent, queuedTooLong);
	}

}
