package dev.mycelium.broker.store;

import java.util.Collection;
import java.util.List;

/**
 * Where a store keeps claims on files. Which claims conflict is the broker's rule; the
 * store runs it inside the step that adds a claim, so two sessions claiming the same
 * files at the same moment (on one broker or on two sharing a store) never both get them.
 */
public interface ClaimStore {

	/** The rule: which of a repository's claims stand in the way of a new one. */
	@FunctionalInterface
	interface Conflicts {

		List<StoredClaim> among(List<StoredClaim> claimsOfTheRepository);

	}

	/**
	 * Adds the claim unless {@code conflicts} finds any among the claims of its
	 * repository, in one atomic step.
	 * @return the conflicting claims; empty when the claim was added
	 */
	List<StoredClaim> add(StoredClaim claim, Conflicts conflicts);

	/** Every claim, oldest first. */
	List<StoredClaim> all();

	/**
	 * Ends these claims, with their waiters.
	 * @return the claims this call ended: one another broker of a shared store ended
	 * first is not among them, so its waiters are told once
	 */
	List<StoredClaim> end(Collection<String> claimIds);

	/**
	 * The peer waits for the claim's end.
	 * @return whether it did not wait before and the claim still stands
	 */
	boolean await(String claimId, String peerId);

}
