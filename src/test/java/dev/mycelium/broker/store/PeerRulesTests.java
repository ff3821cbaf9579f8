package dev.mycelium.broker.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.PeerUpdate;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules every store calls, without a store. */
class PeerRulesTests {

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private static final NameRule NAMES = (wanted, n) -> wanted + "-" + n;

	@Test
	void aNewSessionGetsAFreshIdAndItsWantedNameWhenNobodyHoldsIt() {
		Deque<String> ids = new ArrayDeque<>(List.of("taken", "fresh"));
		RegistrationPlan plan = RegistrationPlan.of(List.of(peer("taken", "other", null)), null,
				registering("key", "shop"), ids::poll, NAMES);

		assertThat(plan.resumed()).isFalse();
		assertThat(plan.renamed()).isNull();
		assertThat(plan.peer().id()).isEqualTo("fresh");
		assertThat(plan.peer().name()).isEqualTo("shop");
		assertThat(plan.peer().sessionKeys()).containsExactly("key");
		assertThat(plan.peer().lastSeen()).isEqualTo(T0);
		assertThat(plan.registered()).isEqualTo(new Registered(plan.peer(), false));
	}

	@Test
	void aLiveHolderKeepsTheNameAndAnAwayOneYieldsIt() {
		StoredPeer live = peer("a", "shop", null);
		RegistrationPlan beside = RegistrationPlan.of(List.of(live), null, registering(null, "shop"), () -> "b", NAMES);
		assertThat(beside.peer().name()).isEqualTo("shop-2");
		assertThat(beside.peer().sessionKeys()).isEmpty();
		assertThat(beside.renamed()).isNull();

		StoredPeer away = peer("a", "shop", T0);
		RegistrationPlan taking = RegistrationPlan.of(List.of(away), null, registering(null, "shop"), () -> "b", NAMES);
		assertThat(taking.peer().name()).isEqualTo("shop");
		assertThat(taking.renamed()).isEqualTo(away.withName("shop-2"));
	}

	@Test
	void aReturningSessionIsResumedAndTakesItsWantedNameBack() {
		StoredPeer returning = peer("a", "shop-2", null);
		StoredPeer awayHolder = peer("b", "shop", T0);
		RegistrationPlan plan = RegistrationPlan.of(List.of(returning, awayHolder), returning,
				registering("key", "ignored"), () -> "never", NAMES);

		assertThat(plan.resumed()).isTrue();
		assertThat(plan.peer().id()).isEqualTo("a");
		assertThat(plan.peer().name()).isEqualTo("shop");
		assertThat(plan.peer().secretHash()).isEqualTo("new-hash");
		assertThat(plan.renamed().id()).isEqualTo("b");
		assertThat(plan.renamed().name()).isEqualTo("shop-3");
	}

	@Test
	void theHeirTakesTheTopicsAndKeysOfThePeerThatLeft() {
		StoredPeer heir = peer("h", "shop", null).withTopics(List.of("b")).withSessionKeys(List.of("k1"));
		StoredPeer gone = peer("g", "shop-old", T0).withTopics(List.of("a", "b")).withSessionKeys(List.of("k1", "k0"));

		StoredPeer joined = PeerRules.joined(heir, gone, "k2");

		assertThat(joined.topics()).containsExactly("a", "b");
		assertThat(joined.sessionKeys()).containsExactly("k1", "k0", "k2");
		assertThat(joined.hooksSeen()).isTrue();
		assertThat(PeerRules.joined(heir, null, "k1").sessionKeys()).containsExactly("k1");
	}

	@Test
	void mailOfThePeerThatLeftIsAddressedToTheHeir() {
		Message m = new Message("m1", MessageKind.DIRECT, "alice", "a", "shop-old", "g", null, "hi", null, null, T0);

		Message readdressed = PeerRules.readdressed(m, peer("h", "shop", null));

		assertThat(readdressed)
			.isEqualTo(new Message("m1", MessageKind.DIRECT, "alice", "a", "shop", "h", null, "hi", null, null, T0));
	}

	@Test
	void anUpdateLeavesNullAloneAndBlankClearsAllButTheSummary() {
		StoredPeer peer = peer("a", "shop", null).withDetails("summary", "main", "socket");

		assertThat(PeerRules.updated(peer, new PeerUpdate(null, null, null))).isEqualTo(peer);
		StoredPeer cleared = PeerRules.updated(peer, new PeerUpdate(" ", " ", " "));
		assertThat(cleared.summary()).isEqualTo(" ");
		assertThat(cleared.branch()).isNull();
		assertThat(cleared.delivery()).isNull();
	}

	@Test
	void topicsStaySorted() {
		StoredPeer peer = PeerRules.subscribed(PeerRules.subscribed(peer("a", "shop", null), "b"), "a");

		assertThat(peer.topics()).containsExactly("a", "b");
		assertThat(PeerRules.unsubscribed(peer, "a").topics()).containsExactly("b");
	}

	@Test
	void aSignOfLifeBringsBackAPeerRemovedForSilence() {
		StoredPeer away = peer("a", "shop", T0);

		assertThat(PeerRules.touched(away, T0.plusSeconds(5)).isLive()).isTrue();
		assertThat(PeerRules.touched(peer("a", "shop", null), T0.plusSeconds(5)).lastSeen())
			.isEqualTo(T0.plusSeconds(5));
	}

	@Test
	void pendingSignsOfLifeKeepTheLatestUntilWritten() {
		PendingSeen seen = new PendingSeen();
		seen.saw("a", T0.plusSeconds(2));
		seen.saw("a", T0.plusSeconds(1));
		Map<String, Instant> written = seen.toWrite();
		seen.saw("b", T0.plusSeconds(3));

		assertThat(written).containsExactly(Map.entry("a", T0.plusSeconds(2)));
		assertThat(seen.applied(peer("a", "shop", null)).lastSeen()).isEqualTo(T0.plusSeconds(2));
		seen.written(written);
		assertThat(seen.of("a")).isNull();
		assertThat(seen.of("b")).as("seen after the copy: written next time").isEqualTo(T0.plusSeconds(3));
	}

	private static StoredPeer peer(String id, String name, Instant awaySince) {
		return new StoredPeer(id, name, name.replaceAll("-\\d+$", ""), T0, List.of(), List.of(), 1L, "/w", null, null,
				null, null, null, false, "hash-" + id, T0, awaySince, null);
	}

	private static Registering registering(String key, String wanted) {
		return new Registering(key, wanted, 2L, "/w", null, null, null, null, "new-hash", T0, null);
	}

}
