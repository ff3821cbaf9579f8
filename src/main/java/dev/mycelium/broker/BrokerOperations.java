package dev.mycelium.broker;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.mycelium.broker.push.InboxStream;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.Topic;

/**
 * What the web layer asks of the broker: peers, their inboxes and subscriptions, and
 * tasks, with the broker's rules applied ({@link BrokerService}, over whichever store
 * runs). A peer is named by {@code peerRef}: its id, its name, or a unique prefix of its
 * id. Methods that act as a peer take the {@link Caller} and refuse to act as anyone
 * else. Failures are {@link BrokerException}s and change nothing; a store that cannot
 * answer throws {@link dev.mycelium.broker.store.StoreUnavailableException} (503).
 */
interface BrokerOperations {

	Registration register(PeerRegistration registration);

	/** The peer holding this secret (now seen alive), or empty for an unknown secret. */
	Optional<Caller> authenticate(String secret);

	List<Peer> peers(Scope scope, Caller caller);

	Peer peer(String peerRef);

	/** Summary, branch, delivery: null leaves each as it is, blank clears it. */
	Peer update(Caller caller, String peerRef, PeerUpdate update);

	Peer heartbeat(Caller caller, String peerRef);

	/**
	 * The peer's inbox stream took a heartbeat: a sign of life like its own heartbeat. A
	 * store that cannot write it now is no reason to end the stream.
	 */
	void streamAlive(String peerId);

	/** The peer leaves; its unread mail is kept for the grace period. */
	void leave(Caller caller, String peerRef);

	Message send(Caller caller, String recipientRef, DirectMessage message);

	/** The unread inbox, oldest first. */
	default List<Message> unread(Caller caller, String peerRef) {
		return unread(caller, peerRef, true);
	}

	/**
	 * The unread inbox, oldest first; without the messages the peer holds when
	 * {@code includeHeld} is false.
	 */
	List<Message> unread(Caller caller, String peerRef, boolean includeHeld);

	/**
	 * Marks unread messages as held by the peer's own delivery into its session (the
	 * inbox socket): until they are acknowledged or released, hooks and notices leave
	 * them out, so the session is not shown them twice. Holds end when the peer registers
	 * again, leaves or is removed.
	 * @return how many of them are now held by this call (not already held, not read)
	 */
	int hold(Caller caller, String peerRef, Collection<String> messageIds);

	/**
	 * Ends holds: the delivery failed, and the messages are for the other paths again.
	 */
	int release(Caller caller, String peerRef, Collection<String> messageIds);

	/** The ids of the messages the peer holds. */
	Set<String> held(Caller caller, String peerRef);

	/**
	 * The peer of the Claude Code session a hook runs in: the one registered with this
	 * session id, else the live peer whose client process is {@code clientPid} (which
	 * then takes the session id, and what an earlier peer of that session left). Marks
	 * that hooks reach it.
	 */
	Optional<Caller> hookSession(String sessionId, Long clientPid);

	AcknowledgementResult acknowledge(Caller caller, String peerRef, Collection<String> messageIds);

	/**
	 * Completes when the peer's inbox holds unread mail (at once if it already does).
	 * Cancel it to stop waiting.
	 */
	CompletableFuture<Void> mailArrival(Caller caller, String peerRef);

	/**
	 * Makes {@code stream} the peer's push stream, closing the one it replaces, and tells
	 * it about the mail already waiting.
	 */
	void openStream(Caller caller, String peerRef, InboxStream stream);

	/** The stream ended; the peer no longer receives push (unless it opened another). */
	void closeStream(String peerId, InboxStream stream);

	/**
	 * Up to {@code max} unread messages that came after {@code sequence}, oldest first;
	 * empty for a peer the broker no longer knows.
	 */
	List<Delivery> unreadAfter(String peerId, long sequence, int max);

	/**
	 * The messages this peer sent that are still unread, in every inbox: after a broker
	 * restart, a sender can tell which of its messages the old broker took with it.
	 */
	List<Message> outbox(Caller caller, String peerRef);

	BroadcastResult broadcast(Caller caller, Broadcast broadcast);

	List<Topic> topics();

	Topic subscribe(Caller caller, String topic, String peerRef);

	Topic unsubscribe(Caller caller, String topic, String peerRef);

	Task delegate(Caller caller, TaskRequest request);

	Task report(Caller caller, String taskId, TaskOutcome outcome);

	Task task(String taskId);

	/** Tasks the peer delegated or received, oldest first. */
	List<Task> tasks(String peerRef);

	/** Every task, oldest first: what the operator sees (the dashboard). */
	List<Task> tasks();

	int livePeerCount();

	/**
	 * How many messages wait unread in all inboxes, those kept for peers away included.
	 */
	int unreadCount();

	/** Which store keeps the state: {@code sqlite} (durable) or {@code memory}. */
	String storeKind();

	/** Applies liveness and expiry as of now; called periodically. */
	void sweep();

}
