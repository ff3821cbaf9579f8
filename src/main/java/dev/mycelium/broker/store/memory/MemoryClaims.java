package dev.mycelium.broker.store.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mycelium.broker.store.ClaimStore;
import dev.mycelium.broker.store.StoredClaim;

/** The claims of the memory store, under a lock of their own: no step spans both. */
final class MemoryClaims implements ClaimStore {

	private final Map<String, StoredClaim> claims = new LinkedHashMap<>();

	@Override
	public synchronized List<StoredClaim> add(StoredClaim claim, Conflicts conflicts) {
		List<StoredClaim> sameRepository = claims.values()
			.stream()
			.filter(other -> other.repo().equals(claim.repo()))
			.toList();
		List<StoredClaim> conflicting = conflicts.among(sameRepository);
		if (conflicting.isEmpty()) {
			claims.put(claim.id(), claim);
		}
		return conflicting;
	}

	@Override
	public synchronized List<StoredClaim> all() {
		return List.copyOf(claims.values());
	}

	@Override
	public synchronized List<StoredClaim> end(Collection<String> claimIds) {
		List<StoredClaim> ended = new ArrayList<>();
		for (String id : claimIds) {
			StoredClaim claim = claims.remove(id);
			if (claim != null) {
				ended.add(claim);
			}
		}
		return ended;
	}

	@Override
	public synchronized boolean await(String claimId, String peerId) {
		StoredClaim claim = claims.get(claimId);
		if (claim == null || claim.waiters().contains(peerId)) {
			return false;
		}
		Set<String> waiters = new HashSet<>(claim.waiters());
		waiters.add(peerId);
		claims.put(claimId, claim.withWaiters(waiters));
		return true;
	}

}
