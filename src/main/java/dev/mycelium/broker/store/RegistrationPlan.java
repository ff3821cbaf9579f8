package dev.mycelium.broker.store;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a registration writes, computed inside a store's atomic step from the peers it
 * knows: one rule, shared by every store, which only writes the plan.
 *
 * @param peer the peer after registration: resumed (a new secret, fresh details, its
 * wanted name back if nobody live holds it) or new
 * @param renamed the away peer that yielded the name, under its new name; {@code null}
 * when nobody yields (write it before {@code peer}: names are unique)
 * @param resumed whether {@code peer} existed (same session key) and was taken over
 */
public record RegistrationPlan(StoredPeer peer, StoredPeer renamed, boolean resumed) {

	private static final Logger log = LoggerFactory.getLogger(RegistrationPlan.class);

	/**
	 * @param known every peer the store knows, as of this step
	 * @param existing the peer of the session key, or {@code null}
	 * @param newId new ids, tried until one is not taken
	 */
	public static RegistrationPlan of(Collection<StoredPeer> known, StoredPeer existing, Registering registering,
			Supplier<String> newId, NameRule names) {
		if (existing != null) {
			String name = existing.name();
			StoredPeer renamed = null;
			if (!name.equals(existing.wantedName())) {
				NameClaim claim = NameClaim.of(known, existing.wantedName(), existing, names);
				renamed = yielded(known, claim);
				name = claim.name();
			}
			return new RegistrationPlan(existing.resumed(registering, name), renamed, true);
		}
		NameClaim claim = NameClaim.of(known, registering.wantedName(), null, names);
		Set<String> ids = known.stream().map(StoredPeer::id).collect(Collectors.toSet());
		String id;
		do {
			id = newId.get();
		}
		while (ids.contains(id));
		List<String> keys = registering.sessionKey() == null ? List.of() : List.of(registering.sessionKey());
		StoredPeer peer = new StoredPeer(id, claim.name(), registering.wantedName(), registering.at(), List.of(), keys,
				registering.pid(), registering.cwd(), registering.repo(), registering.branch(), registering.summary(),
				registering.clientPid(), null, false, registering.secretHash(), registering.at(), null,
				registering.host());
		return new RegistrationPlan(peer, yielded(known, claim), false);
	}

	private static StoredPeer yielded(Collection<StoredPeer> known, NameClaim claim) {
		if (claim.yieldingId() == null) {
			return null;
		}
		StoredPeer holder = known.stream()
			.filter(peer -> peer.id().equals(claim.yieldingId()))
			.findFirst()
			.orElseThrow();
		log.info("{} ({}) left; its name goes to the new session and it is now {}", holder.name(), holder.id(),
				claim.yieldingTo());
		return holder.withName(claim.yieldingTo());
	}

	public Registered registered() {
		return new Registered(peer, resumed);
	}

}
