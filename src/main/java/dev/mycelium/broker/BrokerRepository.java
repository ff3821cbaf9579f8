package dev.mycelium.broker;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.Topic;

/**
 * Everything the broker knows: peers, their inboxes and subscriptions, and tasks. A peer
 * is named by {@code peerRef}: its id, its name, or a unique prefix of its id. Methods
 * that act as a peer take the {@link Caller} and refuse to act as anyone else. Failures
 * are {@link BrokerException}s and change nothing.
 */
interface BrokerRepository {

	Registration register(PeerRegistration registration);

	/** The peer holding this secret (now seen alive), or empty for an unknown secret. */
	Optional<Caller> authenticate(String secret);

	List<Peer> peers(Scope scope, Caller caller);

	Peer peer(String peerRef);

	/** {@code branch}: null leaves it as it is, blank clears it. */
	Peer updateSummary(Caller caller, String peerRef, String summary, String branch);

	Peer heartbeat(Caller caller, String peerRef);

	/** The peer leaves; its unread mail is kept for the grace period. */
	void leave(Caller caller, String peerRef);

	Message send(Caller caller, String recipientRef, DirectMessage message);

	/** The unread inbox, oldest first. */
	List<Message> unread(Caller caller, String peerRef);

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

	/** Applies liveness and expiry as of now; called periodically. */
	void sweep();

}
