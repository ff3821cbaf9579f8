package dev.mycelium.broker;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.sqlite.SqliteStore;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on the SQLite store (the default), and what only a durable store does:
 * everything it answered for is there again after it is closed and opened anew.
 */
class SqliteStoreContractTests extends DurableStoreContractTests {

	@TempDir
	Path directory;

	@Override
	BrokerStore createStore() {
		return SqliteStore.open(directory.resolve("mycelium.db"), SqliteStore.Fsync.NORMAL);
	}

	/** Closes the store and opens its file again, as a restarted broker does. */
	@Override
	void restart() {
		store.close();
		store = createStore();
		repository = service(store, LIMITS);
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
