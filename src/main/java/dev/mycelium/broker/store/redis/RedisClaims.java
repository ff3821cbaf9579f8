package dev.mycelium.broker.store.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.lettuce.core.ScriptOutputType;

import dev.mycelium.broker.store.ClaimStore;
import dev.mycelium.broker.store.StoredClaim;

/**
 * The claims of the Redis store: a hash of claims (id → JSON), a set of waiters per claim
 * and a revision. The conflict rule is Java, so adding a claim reads the claims with
 * their revision, applies the rule, and commits by a script only if the revision is
 * unchanged, reading again otherwise: as peers are committed, two brokers never both get
 * the same files. Every broker sharing the Redis sees the same claims at once (none are
 * cached).
 */
final class RedisClaims implements ClaimStore {

	/** Enough for every broker of a shared Redis to claim at the same moment. */
	private static final int ATTEMPTS = 50;

	private final RedisStore store;

	RedisClaims(RedisStore store) {
		this.store = store;
	}

	private record Read(String revision, List<StoredClaim> claims) {
	}

	@Override
	public List<StoredClaim> add(StoredClaim claim, Conflicts conflicts) {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			Read read = read();
			List<StoredClaim> conflicting = conflicts
				.among(read.claims().stream().filter(other -> other.repo().equals(claim.repo())).toList());
			if (!conflicting.isEmpty()) {
				return conflicting;
			}
			Long added = store.eval("claim", ScriptOutputType.INTEGER,
					List.of(read.revision(), claim.id(), Codec.json(claim)));
			if (added == 1) {
				return List.of();
			}
		}
		throw new IllegalStateException("Claims kept changing during " + ATTEMPTS + " attempts to add one");
	}

	@Override
	public List<StoredClaim> all() {
		return read().claims();
	}

	@Override
	public List<StoredClaim> end(Collection<String> claimIds) {
		if (claimIds.isEmpty()) {
			return List.of();
		}
		List<Object> answer = store.eval("unclaim", ScriptOutputType.MULTI, List.copyOf(new LinkedHashSet<>(claimIds)));
		return claims(answer, 0);
	}

	@Override
	public boolean await(String claimId, String peerId) {
		Long added = store.eval("await", ScriptOutputType.INTEGER, List.of(claimId, peerId));
		return added == 1;
	}

	private Read read() {
		List<Object> answer = store.eval("claims", ScriptOutputType.MULTI, List.of());
		return new Read((String) answer.get(0), claims(answer, 1));
	}

	/** Claims as a script lists them from {@code from} on: JSON, then waiters. */
	private static List<StoredClaim> claims(List<Object> answer, int from) {
		List<StoredClaim> claims = new ArrayList<>();
		for (int i = from; i + 1 < answer.size(); i += 2) {
			String waiters = (String) answer.get(i + 1);
			Set<String> ids = waiters.isEmpty() ? Set.of() : Set.of(waiters.split(" "));
			claims.add(Codec.claim((String) answer.get(i), ids));
		}
		claims.sort(Comparator.comparing(StoredClaim::claimedAt).thenComparing(StoredClaim::id));
		return claims;
	}

}
