package dev.mycelium.broker.store.redis;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

import dev.mycelium.broker.store.StoredPeer;

/**
 * The peers as of one revision, indexed by secret and session key: what a broker knows of
 * the shared peers between two reads of Redis.
 */
record Snapshot(long revision, Map<String, StoredPeer> peers, Map<String, String> bySecret,
		Map<String, String> bySession) {

	static final Snapshot EMPTY = new Snapshot(-1, Map.of(), Map.of(), Map.of());

	static Snapshot of(long revision, Map<String, StoredPeer> peers) {
		Map<String, String> bySecret = new HashMap<>();
		Map<String, String> bySession = new HashMap<>();
		// A key named by two peers names the later one, as a later registration
		// would have taken it.
		peers.values().stream().sorted(Comparator.comparing(StoredPeer::registeredAt)).forEach(peer -> {
			if (peer.secretHash() != null) {
				bySecret.put(peer.secretHash(), peer.id());
			}
			peer.sessionKeys().forEach(key -> bySession.put(key, peer.id()));
		});
		return new Snapshot(revision, Map.copyOf(peers), bySecret, bySession);
	}

	Snapshot with(Map<String, StoredPeer> changed, long newRevision) {
		Map<String, StoredPeer> next = new HashMap<>(peers);
		changed.forEach((id, peer) -> {
			if (peer == null) {
				next.remove(id);
			}
			else {
				next.put(id, peer);
			}
		});
		return of(newRevision, next);
	}

	StoredPeer bySessionKey(String key) {
		String id = bySession.get(key);
		return id == null ? null : peers.get(id);
	}

}
