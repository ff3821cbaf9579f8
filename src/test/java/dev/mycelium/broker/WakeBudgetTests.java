package dev.mycelium.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mycelium.broker.BrokerStoreContractTests.MutableClock;
import dev.mycelium.broker.push.MailSignals;
import dev.mycelium.broker.store.memory.MemoryStore;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.Registration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two models that answer every message would wake each other forever, each wake a paid
 * model turn: past the budget their messages go out quiet (unread, waking nobody), both
 * sides are told once, and a person starts the count again.
 */
class WakeBudgetTests {

	private final MutableClock clock = new MutableClock();

	private final MemoryStore store = new MemoryStore();

	private final BrokerEventLog events = new BrokerEventLog(100);

	private final BrokerService broker = new BrokerService(store, new MailSignals(), clock,
			BrokerStoreContractTests.LIMITS, BrokerStoreContractTests.LIVENESS, events, () -> "here");

	private final WakeBudget wakes = new WakeBudget(new BrokerProperties.Wakes(3, 5, Duration.ofHours(1)), clock, store,
			events);

	private Registration alice;

	private Registration bob;

	private int sent;

	@BeforeEach
	void twoSessions() {
		alice = register("alice");
		bob = register("bob");
	}

	@Test
	void aPairWakesEachOtherUpToItsBudgetThenWaitsUnreadAndBothAreToldOnce() {
		for (int i = 0; i < 3; i++) {
			assertThat(push(alice, bob, "round " + i).staysQuiet()).as("wake %d", i).isFalse();
		}
		assertThat(push(bob, alice, "and back").staysQuiet()).as("the pair counts both ways").isTrue();
		assertThat(push(alice, bob, "again").staysQuiet()).isTrue();

		List<Message> toldAlice = noticesOf(alice);
		List<Message> toldBob = noticesOf(bob);
		assertThat(toldAlice).singleElement()
			.satisfies(notice -> assertThat(notice.body())
				.startsWith("mycelium: your exchange with bob woke a session 3 times within an hour"));
		assertThat(toldBob).singleElement()
			.satisfies(notice -> assertThat(notice.body()).contains("your exchange with alice"));
		assertThat(wakes.pushed(bob.id(), toldBob.get(0)).staysQuiet()).as("the notice wakes nobody either").isTrue();
		assertThat(events.after(0, 1000).stream().filter(e -> e.type().equals(BrokerEvent.WAKES_HELD)).count())
			.isEqualTo(1);

		clock.advance(Duration.ofMinutes(61));
		assertThat(push(alice, bob, "an hour later").staysQuiet()).isFalse();
	}

	@Test
	void aPersonInBetweenStartsTheCountAgain() {
		for (int i = 0; i < 4; i++) {
			push(alice, bob, "round " + i);
		}
		Message fromPerson = new Message("p" + sent++, MessageKind.DIRECT, "cli:ann", null, "bob", bob.id(), null,
				"go on with the cart", null, null, clock.instant());
		assertThat(wakes.pushed(bob.id(), fromPerson).staysQuiet()).as("a person always wakes").isFalse();
		assertThat(push(alice, bob, "after the person").staysQuiet()).isFalse();

		for (int i = 0; i < 3; i++) {
			push(bob, alice, "more " + i);
		}
		wakes.personSpoke(alice.id());
		assertThat(push(bob, alice, "after a typed prompt").staysQuiet()).isFalse();
	}

	@Test
	void oneSessionWokenByManyIsHeldAtItsOwnBudget() {
		Registration target = register("target");
		for (int i = 0; i < 5; i++) {
			assertThat(push(register("s" + i), target, "hello").staysQuiet()).isFalse();
		}
		assertThat(push(alice, target, "one more").staysQuiet()).isTrue();
		assertThat(noticesOf(target)).singleElement()
			.satisfies(notice -> assertThat(notice.body()).contains("target was woken 5 times within an hour"));
	}

	@Test
	void aStreamThatSendsAMessageAgainGetsTheSameAnswerAndItCountsOnce() {
		Message first = message(alice, bob, "the same one");
		assertThat(wakes.pushed(bob.id(), first).staysQuiet()).isFalse();
		assertThat(wakes.pushed(bob.id(), first).staysQuiet()).isFalse();
		assertThat(wakes.pushed(bob.id(), first).staysQuiet()).isFalse();
		push(alice, bob, "two");
		push(alice, bob, "three");
		assertThat(push(alice, bob, "four").staysQuiet()).isTrue();
	}

	@Test
	void tasksAndTheBrokersOwnNoticesAreNotCounted() {
		for (int i = 0; i < 10; i++) {
			Message task = new Message("t" + sent++, MessageKind.TASK, "alice", alice.id(), "bob", bob.id(), null,
					"do " + i, null, "t" + i, clock.instant());
			assertThat(wakes.pushed(bob.id(), task).staysQuiet()).isFalse();
		}
		assertThat(push(alice, bob, "still wakes").staysQuiet()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "thanks!", "Thank you so much.", "ok 👍", "Got it, thanks", "sounds good", "👍", "ack",
			"You're welcome!" })
	void anAcknowledgementWakesNobody(String body) {
		assertThat(WakeBudget.acknowledgesOnly(body)).isTrue();
		assertThat(push(alice, bob, body).staysQuiet()).isTrue();
		assertThat(noticesOf(bob)).as("not a loop: nothing to tell").isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "thanks, but the build fails on main", "ok?", "thanks alice", "done: see PR 12",
			"ok, now run the migration" })
	void anythingMoreThanAnAcknowledgementWakes(String body) {
		assertThat(WakeBudget.acknowledgesOnly(body)).isFalse();
		assertThat(push(alice, bob, body).staysQuiet()).isFalse();
	}

	private Registration register(String name) {
		return broker.register(new PeerRegistration(name, 1L, "/work/" + name, null, null, null, "k-" + name));
	}

	private Message push(Registration from, Registration to, String body) {
		return wakes.pushed(to.id(), message(from, to, body));
	}

	private Message message(Registration from, Registration to, String body) {
		return new Message("m" + sent++, MessageKind.DIRECT, from.name(), from.id(), to.name(), to.id(), null, body,
				null, null, clock.instant());
	}

	private List<Message> noticesOf(Registration peer) {
		return store.unread(peer.id(), true)
			.stream()
			.map(delivery -> delivery.message())
			.filter(message -> message.kind() == MessageKind.LOOP)
			.toList();
	}

}
