package dev.mycelium.broker.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.TaskStatus;

/**
 * Where the broker keeps its state. Every method is one step of a use case and atomic in
 * the store: it happens whole or not at all, whatever else runs at the same time in this
 * process or, for a shared store, in another broker. The broker holds no lock of its own
 * across two calls; where a step depends on what it read before, the step checks again
 * (an append to a peer that was forgotten meanwhile is {@link Appended.Outcome#GONE}).
 * <p>
 * Peers are named here by id only: resolving names and prefixes, authorization and
 * validation are the broker's rules. A method that changes something returns once the
 * change is durable in the store (for a durable store: committed), so a 2xx answer
 * written after it never promises what a crash could take back. A store that cannot do it
 * throws {@link StoreUnavailableException} and changes nothing.
 */
public interface BrokerStore extends AutoCloseable {

	/**
	 * Which store this is, as {@code GET /api/broker} shows it: {@code memory},
	 * {@code sqlite}, {@code redis}.
	 */
	String kind();

	/**
	 * Tells {@code listener} the id of each peer that got new mail, after the mail is in
	 * the store. A store shared by several brokers also reports mail other brokers
	 * appended. The listener must return at once.
	 */
	void onMail(Consumer<String> listener);

	/**
	 * Whether other brokers share this store, and so want this broker's events
	 * ({@link #shareEvent}); a store of one broker has nobody to tell.
	 */
	default boolean sharedWithOtherBrokers() {
		return false;
	}

	/**
	 * Hands an event of this broker (JSON of a {@code BrokerEvent}) to the other brokers
	 * of a shared store, for their event streams. It never waits and never fails the
	 * caller: an event that cannot be shared (the store away) is missing from the others'
	 * streams, and nothing else is lost.
	 */
	default void shareEvent(String event) {
	}

	/** Tells {@code listener} each event another broker shared, in the order shared. */
	default void onSharedEvent(Consumer<String> listener) {
	}

	// ---- peers

	/**
	 * Registers a session: resumes the peer of its session key (new secret, holds and
	 * reported delivery cleared, its wanted name taken back if nobody live holds it), or
	 * creates a peer with a new id. The wanted name goes to the live session: a live
	 * holder makes the new peer take the first free candidate of {@code names}; a holder
	 * that is away yields it and is renamed to the first free candidate.
	 */
	Registered register(Registering registering, Supplier<String> newId, NameRule names);

	Optional<StoredPeer> peer(String id);

	Optional<StoredPeer> peerBySecret(String secretHash);

	Optional<StoredPeer> peerBySessionKey(String sessionKey);

	/** Every peer the store knows, live and away, in no particular order. */
	List<StoredPeer> peers();

	/**
	 * A sign of life: its last-seen time, and back from away if it was removed for
	 * silence. Last-seen times need not be durable before the answer (a crash loses at
	 * most a second of them, which only delays a removal); coming back is. A peer that
	 * left (its secret gone) does not come back: a request that authenticated just before
	 * the leave must not bring back, live and with no secret, a peer nobody can read for;
	 * it registers again instead.
	 * @return the peer, or empty when the store does not know it or it left
	 */
	Optional<StoredPeer> touch(String peerId, Instant at);

	/** Summary, branch, delivery: null leaves each as it is, blank clears it. */
	Optional<StoredPeer> update(String peerId, PeerUpdate update);

	/**
	 * The peer left: away from now, its secret forgotten, its holds and reported delivery
	 * cleared; its inbox, topics and session keys stay for the grace period.
	 */
	Optional<StoredPeer> leave(String peerId, Instant at);

	/**
	 * The peer of a Claude Code session whose hooks name {@code sessionKey}: marks that
	 * hooks reach it and gives it the key. When {@code goneId} names another peer (of the
	 * same session, that left), the heir takes over everything it had: unread mail (in
	 * order, behind its own, addressed to the heir now), topics, tasks and session keys,
	 * and the store forgets it.
	 * @return the heir, or empty when it is gone
	 */
	Optional<StoredPeer> joinSession(String heirId, String sessionKey, String goneId);

	/** How many unread messages each peer has; peers with none may be left out. */
	Map<String, Integer> unreadCounts();

	int unreadCount(String peerId);

	// ---- inboxes

	/**
	 * Appends each message to the inbox of its {@link Message#toId() recipient}, in
	 * order, unless that inbox already holds {@code maxUnread} messages (notices the
	 * broker writes itself pass {@link Integer#MAX_VALUE}) or the recipient is gone; one
	 * atomic step for all of them. Peers that got mail are then told to the
	 * {@link #onMail} listener.
	 * @return one outcome per message, in the same order
	 */
	List<Appended> append(List<Message> messages, int maxUnread);

	/** The peer's unread messages, oldest first; without the held ones unless asked. */
	List<Delivery> unread(String peerId, boolean includeHeld);

	/** Up to {@code max} unread messages after {@code sequence}, oldest first. */
	List<Delivery> unreadAfter(String peerId, long sequence, int max);

	/** Marks unread messages held; returns how many were not held before. */
	int hold(String peerId, Collection<String> messageIds);

	/** Ends holds; returns how many ended. */
	int release(String peerId, Collection<String> messageIds);

	Set<String> held(String peerId);

	/**
	 * Removes these messages from the peer's inbox; ids that are not there are ignored,
	 * so acknowledging twice is harmless.
	 */
	AcknowledgementResult acknowledge(String peerId, Collection<String> messageIds);

	/**
	 * The messages this peer sent that are still unread, in every inbox, oldest first.
	 */
	List<Message> sentUnread(String senderId);

	// ---- topics

	/**
	 * @return the peer, subscribed; empty when it is gone
	 */
	Optional<StoredPeer> subscribe(String peerId, String topic);

	/**
	 * @return whether it was subscribed (and no longer is)
	 */
	boolean unsubscribe(String peerId, String topic);

	// ---- tasks

	/**
	 * Creates the task and appends its assignment message to the assignee's inbox, unless
	 * that is full or gone (then nothing is created).
	 */
	Appended delegate(StoredTask task, Message assignment, int maxUnread);

	/**
	 * Reports a pending task of this assignee and appends {@code notice} to the inbox of
	 * the delegator (whatever its size; not at all if the delegator is gone).
	 * @return the finished task; empty when it is not pending or not this assignee's
	 */
	Optional<StoredTask> report(String taskId, String assigneeId, TaskStatus status, String result, Instant at,
			Message notice);

	Optional<StoredTask> task(String taskId);

	/** Every task, oldest first: tasks are never deleted. */
	List<StoredTask> tasks();

	// ---- claims

	/** The claims on files, kept beside the peers that hold them. */
	ClaimStore claims();

	// ---- liveness and expiry

	/**
	 * Peers still live but silent since before {@code silentSince} become away (keeping
	 * their secret: speaking again brings them back); their holds and reported delivery
	 * end.
	 * @return the peers removed
	 */
	List<StoredPeer> removeSilent(Instant silentSince, Instant at);

	/**
	 * Forgets the peers away since before {@code awayBefore} (their ids, names and
	 * session keys; tasks stay) and takes out of the inboxes every message sent before
	 * {@code sentBefore}: what was unread becomes {@link Expired}, until its sender is
	 * told.
	 * @return the peers forgotten
	 */
	List<StoredPeer> expire(Instant awayBefore, Instant sentBefore);

	/**
	 * Up to {@code max} expired messages whose senders have not been told, oldest first.
	 */
	List<Expired> expired(int max);

	/**
	 * Writes the notices (whatever the size of the inboxes; to recipients still known)
	 * and forgets the expired messages they report, in one step.
	 * @return whether this call settled them: {@code false} when another broker of a
	 * shared store settled any of them first (its notices told the senders)
	 */
	boolean settleExpired(Collection<Expired> settled, List<Message> notices);

	@Override
	void close();

}
