package dev.mycelium.broker.store.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mycelium.broker.store.StoredPeer;

/**
 * The steps of one optimistic commit of peers (the {@code commit} script's arguments) and
 * the peers it changes ({@code null}: forgotten), to install in the snapshot once it
 * committed.
 */
final class Steps {

	final List<String> args = new ArrayList<>();

	final Map<String, StoredPeer> changed = new LinkedHashMap<>();

	Steps put(StoredPeer peer) {
		args.addAll(List.of("PUT", peer.id(), Codec.json(peer)));
		changed.put(peer.id(), peer);
		return this;
	}

	Steps seen(String id, Instant at) {
		args.addAll(List.of("SEEN", id, Long.toString(Codec.micros(at))));
		return this;
	}

	Steps silentSince(String id, Instant at) {
		args.addAll(List.of("SILENT", id, Long.toString(Codec.micros(at))));
		return this;
	}

	Steps endHolds(String id) {
		args.addAll(List.of("HOLDS", id));
		return this;
	}

	Steps adopt(StoredPeer gone, StoredPeer heir) {
		args.addAll(List.of("MOVE", gone.id(), heir.id(), heir.name(), "TAKEOVER", gone.id(), heir.id(), heir.name(),
				"DROP", gone.id()));
		changed.put(gone.id(), null);
		return this;
	}

	Steps forget(String id) {
		args.addAll(List.of("FORGET", id));
		changed.put(id, null);
		return this;
	}

}
