package dev.mycelium.broker;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every durable store promises beyond the contract: everything it answered for is
 * there again after the broker, or what keeps the store, went down and came back. One
 * subclass per durable store says how it goes down.
 */
abstract class DurableStoreContractTests extends BrokerStoreContractTests {

	/**
	 * Closes the store, takes down what keeps it as the store's worst everyday fault
	 * would, and sets {@link #store} and {@link #repository} to a store opened anew.
	 */
	abstract void restart() throws Exception;

	@Test
	void peersMailHoldsTopicsAndTasksSurviveARestart() throws Exception {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		repository.subscribe(bob, "deploys", "bob");
		Message one = repository.send(alice, "bob", new DirectMessage("one", null));
		Message two = repository.send(alice, "bob", new DirectMessage("two", "abc"));
		repository.hold(bob, "bob", List.of(one.id()));
		Task pending = repository.delegate(alice, new TaskRequest("bob", "write docs", "ticket ABC-12"));
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
		assertThat(task.context()).isEqualTo("ticket ABC-12");

		Registration resumed = repository.register(registration("bob", "k-bob"));
		assertThat(resumed.resumed()).isTrue();
		assertThat(resumed.id()).isEqualTo(bob.peerId());
		Message three = repository.send(alice, "bob", new DirectMessage("three", null));
		assertThat(repository.unreadAfter(bob.peerId(), lastSequence, 10)).as("sequences go on after a restart")
			.extracting(d -> d.message().id())
			.containsExactly(three.id());
	}

}
