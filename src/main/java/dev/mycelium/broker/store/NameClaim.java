package dev.mycelium.broker.store;

import java.util.Collection;

/**
 * Which name a registering session gets, computed inside a store's atomic step from the
 * peers it knows: one rule, shared by every store. A name addresses the live session.
 *
 * @param name the name the session gets
 * @param yieldingId the away peer that yields the name, or {@code null}
 * @param yieldingTo the name that peer gets instead
 */
public record NameClaim(String name, String yieldingId, String yieldingTo) {

	/**
	 * @param self the peer resuming, or {@code null} for a new one
	 */
	public static NameClaim of(Collection<StoredPeer> peers, String wanted, StoredPeer self, NameRule rule) {
		StoredPeer holder = peers.stream()
			.filter(peer -> (self == null || !peer.id().equals(self.id())) && peer.name().equalsIgnoreCase(wanted))
			.findFirst()
			.orElse(null);
		if (holder == null) {
			return new NameClaim(wanted, null, null);
		}
		if (holder.isLive()) {
			// A returning session keeps the name it has meanwhile.
			return new NameClaim(self != null ? self.name() : unique(peers, wanted, rule), null, null);
		}
		return new NameClaim(wanted, holder.id(), unique(peers, wanted, rule));
	}

	private static String unique(Collection<StoredPeer> peers, String wanted, NameRule rule) {
		String name = wanted;
		for (int n = 2; taken(peers, name); n++) {
			name = rule.candidate(wanted, n);
		}
		return name;
	}

	private static boolean taken(Collection<StoredPeer> peers, String name) {
		return peers.stream().anyMatch(peer -> peer.name().equalsIgnoreCase(name));
	}

}
