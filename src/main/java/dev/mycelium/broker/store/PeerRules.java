package dev.mycelium.broker.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.PeerUpdate;

/**
 * How a step changes a peer, the same in every store: each store computes the new record
 * here and only writes it its own way.
 */
public final class PeerRules {

	private PeerRules() {
	}

	/** A sign of life: a later last-seen time, or back from away. */
	public static StoredPeer touched(StoredPeer peer, Instant at) {
		return peer.isLive() ? peer.withLastSeen(at) : peer.back(at);
	}

	/** Summary, branch, delivery: null leaves each as it is, blank clears it. */
	public static StoredPeer updated(StoredPeer peer, PeerUpdate update) {
		return peer.withDetails(change(peer.summary(), update.summary(), false),
				change(peer.branch(), update.branch(), true), change(peer.delivery(), update.delivery(), true));
	}

	/** Null leaves it as it was; blank clears it (a summary may be blank). */
	static String change(String current, String requested, boolean blankClears) {
		if (requested == null) {
			return current;
		}
		return blankClears && requested.isBlank() ? null : requested;
	}

	/** Subscribed: the topics stay sorted. */
	public static StoredPeer subscribed(StoredPeer peer, String topic) {
		TreeSet<String> topics = new TreeSet<>(peer.topics());
		topics.add(topic);
		return peer.withTopics(List.copyOf(topics));
	}

	public static StoredPeer unsubscribed(StoredPeer peer, String topic) {
		return peer.withTopics(peer.topics().stream().filter(t -> !t.equals(topic)).toList());
	}

	/**
	 * The heir of a session after its hooks named {@code sessionKey}: hooks reach it, it
	 * has the key, and it has the topics and session keys of {@code gone} (the peer of
	 * the same session that left, or {@code null}). Its mail and tasks the store moves.
	 */
	public static StoredPeer joined(StoredPeer heir, StoredPeer gone, String sessionKey) {
		TreeSet<String> topics = new TreeSet<>(heir.topics());
		List<String> keys = new ArrayList<>(heir.sessionKeys());
		if (gone != null) {
			topics.addAll(gone.topics());
			gone.sessionKeys().stream().filter(key -> !keys.contains(key)).forEach(keys::add);
		}
		if (!keys.contains(sessionKey)) {
			keys.add(sessionKey);
		}
		return heir.withTopics(List.copyOf(topics)).withSessionKeys(keys).withHooksSeen();
	}

	/** A message of the gone peer's inbox, addressed to its heir now. */
	public static Message readdressed(Message m, StoredPeer heir) {
		return new Message(m.id(), m.kind(), m.from(), m.fromId(), heir.name(), heir.id(), m.topic(), m.body(),
				m.replyTo(), m.taskId(), m.sentAt());
	}

}
