package dev.mycelium.broker.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A claim as a store keeps it.
 *
 * @param patterns normalised, relative to the repository's top directory
 * @param expiresAt {@code null}: until its holder ends it or leaves
 * @param waiters the ids of the peers an edit was denied to, each told once when it ends
 */
public record StoredClaim(String id, String repo, String holderId, String holderName, List<String> patterns,
		boolean exclusive, String reason, Instant claimedAt, Instant expiresAt, Set<String> waiters) {

	public StoredClaim {
		patterns = List.copyOf(patterns);
		waiters = Set.copyOf(waiters);
	}

	public StoredClaim withWaiters(Set<String> newWaiters) {
		return new StoredClaim(id, repo, holderId, holderName, patterns, exclusive, reason, claimedAt, expiresAt,
				newWaiters);
	}

}
