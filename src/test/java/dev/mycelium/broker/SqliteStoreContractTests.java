package dev.mycelium.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.sqlite.SqliteStore;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on the SQLite store (the default), and what only a durable store does:
 * everything it answered for is there again after it is closed and opened anew.
 */
class SqliteStoreContractTests extends BrokerStoreContractTests {

	@TempDir
	Path directory;

	@Override
	BrokerStore createStore() {
		return SqliteStore.open(directory.resolve("mycelium.db"), SqliteStore.Fsync.NORMAL);
	}

	/** Closes the store and opens its file again, as a restarted broker does. */
	private void restart() {
		store.close();
		store = createStore();
		repository = service(store, LIMITS);
	}

	@Test
	void peersMailHoldsTopicsAndTasksSurviveARestart() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		repository.subscribe(bob, "deploys", "bob");
		Message one = repository.send(alice, "bob", new DirectMessage("one", null));
		Message two = repository.send(alice, "bob", new DirectMessage("two", "abc"));
		repository.hold(bob, "bob", List.of(one.id()));
		Task pending = repository.delegate(alice, new TaskRequest("bob", "write docs", "issue 12"));
		long lastSequence = repository.unreadAfter(bob.peerId(), 0, 10).get(2).sequence();

		restart();

		assertThat(repository.authenticate(secretOf("bob"))).as("the secret still works")
			.map(Caller::peerId)
			.contains(bob.peerId());
		Peer back = repository.peer("bob");
		assertThat(back.id()).isEqualTo(bob.peerId());
		assertThat(back.topics()).containsExactly("deploys");
		assertThat(back.unread()).isEqualTo(3);
		List<Message> unread = repository.unread(bob, "bob");
		assertThat(unread).extracting(Message::id).startsWith(one.id(), two.id());
		assertThat(unread.get(1)).isEqualTo(two);
		assertThat(repository.held(bob, "bob")).containsExactly(one.id());
		Task task = repository.task(pending.id());
		assertThat(task.status()).isEqualTo(TaskStatus.PENDING);
		assertThat(task.context()).isEqualTo("issue 12");

		Registration resumed = repository.register(registration("bob", "k-bob"));
		assertThat(resumed.resumed()).isTrue();
		assertThat(resumed.id()).isEqualTo(bob.peerId());
		Message three = repository.send(alice, "bob", new DirectMessage("three", null));
		assertThat(repository.unreadAfter(bob.peerId(), lastSequence, 10)).as("sequences go on after a restart")
			.extracting(d -> d.message().id())
			.containsExactly(three.id());
	}

	@Test
	void anExpiryThatFellDueWhileTheBrokerWasDownIsReportedAfterItStarts() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		Message old = repository.send(alice, "bob", new DirectMessage("old news", null));
		store.close();

		clock.advance(Duration.ofHours(25));
		store = createStore();
		repository = service(store, LIMITS);
		keepAlive(alice, bob);
		repository.sweep();

		assertThat(repository.unread(bob, "bob")).isEmpty();
		assertThat(repository.unread(alice, "alice")).singleElement().satisfies(notice -> {
			assertThat(notice.kind()).isEqualTo(MessageKind.EXPIRED);
			assertThat(notice.body()).contains(old.id());
		});
		restart();
		repository.sweep();
		assertThat(repository.unread(alice, "alice")).as("told once").hasSize(1);
	}

}
