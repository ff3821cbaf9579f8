package dev.mycelium.broker.store;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs of life kept in memory and written later, in one write for all of them: every
 * request is a sign of life, and a write for each would double a durable store's writes
 * (a crash loses the few kept, which only delays a removal). Thread-safe.
 */
public final class PendingSeen {

	private final Map<String, Instant> times = new ConcurrentHashMap<>();

	/** Keeps the later of this and any time already kept. */
	public void saw(String peerId, Instant at) {
		times.merge(peerId, at, (a, b) -> a.isAfter(b) ? a : b);
	}

	/** The time kept for the peer, or {@code null}. */
	public Instant of(String peerId) {
		return times.get(peerId);
	}

	public boolean isEmpty() {
		return times.isEmpty();
	}

	/**
	 * What to write now: a copy, so that signs of life meanwhile wait for the next time.
	 */
	public Map<String, Instant> toWrite() {
		return Map.copyOf(times);
	}

	/** Forgets what was written; a newer sign of life since stays to be written. */
	public void written(Map<String, Instant> written) {
		written.forEach(times::remove);
	}

	public void forget(String peerId) {
		times.remove(peerId);
	}

	/** The peer with the later of its stored last-seen time and the one kept here. */
	public StoredPeer applied(StoredPeer peer) {
		Instant at = times.get(peer.id());
		return at != null && at.isAfter(peer.lastSeen()) ? peer.withLastSeen(at) : peer;
	}

}
