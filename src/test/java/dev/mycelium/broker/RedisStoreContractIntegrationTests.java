package dev.mycelium.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.Expired;
import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.broker.store.redis.RedisServer;
import dev.mycelium.broker.store.redis.RedisStore;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The contract on the Redis store, against a real {@code redis-server} this class starts
 * (and stops), and what only a shared, durable store does: two brokers of two machines on
 * one Redis (names, scopes, wake-ups, liveness, expiry told once), everything back after
 * Redis is killed and started again, and 503s while Redis is away.
 */
@Needs(Tool.REDIS_SERVER)
class RedisStoreContractIntegrationTests extends DurableStoreContractTests {

	@TempDir
	static Path directory;

	static RedisServer redis;

	/** Stores of other brokers a test opened: closed after it. */
	private final List<BrokerStore> others = new ArrayList<>();

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start(directory.resolve("redis"));
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Override
	BrokerStore createStore() {
		redis.flushAll();
		return open();
	}

	private static RedisStore open() {
		return RedisStore.open(redis.url(), null);
	}

	@AfterEach
	void closeOthers() {
		others.forEach(BrokerStore::close);
		if (!redis.isAlive()) {
			redis.start();
		}
	}

	/** A broker of another machine on the same Redis. */
	private BrokerService otherBroker(String host) {
		BrokerStore other = open();
		others.add(other);
		return service(other, LIMITS, host);
	}

	@Test
	void twoMachinesShareNamesScopesMailAndWakeUps() {
		BrokerService laptop = repository;
		BrokerService server = otherBroker("server");
		List<String> woken = new CopyOnWriteArrayList<>();
		others.get(0).onMail(woken::add);
		Registration hereRegistration = laptop.register(
				new PeerRegistration("shop", 1L, "/work/shop", "git@github.com:acme/shop.git", "main", null, "k-here"));
		Caller here = new Caller(hereRegistration.id(), hereRegistration.name());
		Registration there = server.register(
				new PeerRegistration("shop", 2L, "/src/shop", "https://github.com/acme/shop", "main", null, "k-there"));
		Caller thereCaller = new Caller(there.id(), there.name());

		assertThat(there.name()).as("names are unique across machines").isEqualTo("shop-2");
		assertThat(laptop.peers(Scope.MACHINE, here)).extracting(Peer::name).containsExactly("shop");
		assertThat(laptop.peers(Scope.ALL, here)).extracting(Peer::name, Peer::host)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("shop", "here"),
					org.assertj.core.groups.Tuple.tuple("shop-2", "server"));
		assertThat(server.peers(Scope.REPO, thereCaller)).as("the same repository on any machine").hasSize(2);
		assertThat(laptop.peer("shop-2@server").id()).isEqualTo(there.id());
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> laptop.peer("shop@server"));

		Message sent = laptop.send(here, "shop-2@server", new DirectMessage("across", null));
		await().atMost(Duration.ofSeconds(1)).until(() -> woken.contains(there.id()));
		assertThat(server.unread(thereCaller, there.id())).containsExactly(sent);

		server.subscribe(thereCaller, "deploys", there.id());
		assertThat(laptop.broadcast(here, new Broadcast("v2", "deploys", Scope.ALL)).recipients())
			.containsExactly("shop-2");
		assertThat(laptop.broadcast(here, new Broadcast("v3", "deploys", null)).recipients())
			.as("scope machine is this machine")
			.isEmpty();

		Task task = laptop.delegate(here, new TaskRequest("shop-2", "review", null));
		server.report(thereCaller, task.id(), new TaskOutcome(TaskStatus.COMPLETED, "looks good"));
		assertThat(laptop.unread(here, here.peerId())).extracting(Message::body)
			.containsExactly("completed: looks good");
	}

	@Test
	void anyBrokersSweepRemovesASilentPeerOfAnotherMachineButNotALiveOne() {
		BrokerService server = otherBroker("server");
		Registration quiet = server.register(registration("quiet", "k-quiet"));
		Registration chatty = server.register(registration("chatty", "k-chatty"));
		Caller chattyCaller = new Caller(chatty.id(), chatty.name());

		clock.advance(Duration.ofMinutes(3));
		server.heartbeat(chattyCaller, chatty.id());
		// Its broker writes its signs of life at its sweep (every second in a broker).
		server.sweep();
		repository.sweep();

		assertThat(repository.peer(quiet.id()).state()).isEqualTo(Peer.AWAY);
		assertThat(repository.peer(chatty.id()).state()).isEqualTo(Peer.ACTIVE);
		assertThat(server.peer(quiet.id()).state()).as("the other broker sees it too").isEqualTo(Peer.AWAY);
	}

	@Test
	void aQuietPeerThatSpeaksIsNotRemovedByAnotherBrokersSweepBeforeItsOwnBrokerSweeps() {
		BrokerService server = otherBroker("server");
		Registration sleeper = server.register(registration("sleeper", "k-sleeper"));

		clock.advance(Duration.ofMinutes(3));
		server.heartbeat(new Caller(sleeper.id(), sleeper.name()), sleeper.id());
		// No sweep of the server's broker in between: the laptop's comes first.
		repository.sweep();

		assertThat(repository.peer(sleeper.id()).state()).isEqualTo(Peer.ACTIVE);
	}

	@Test
	void aHookFindsClaudeCodesProcessOnlyAmongThePeersOfItsOwnMachine() {
		BrokerService server = otherBroker("server");
		Registration there = server
			.register(new PeerRegistration("shop", 2L, "/src/shop", null, "main", null, "session-there", 42L));

		assertThat(repository.hookSession("session-unknown", 42L)).as("process 42 of the server is not this machine's")
			.isEmpty();
		assertThat(server.hookSession("session-unknown", 42L)).map(Caller::peerId).contains(there.id());
	}

	@Test
	void twoBrokersSweepingTellEachSenderOnceThatItsMailExpired() {
		BrokerService server = otherBroker("server");
		Caller alice = register("alice", "k-alice");
		Caller gone = register("gone", "k-gone");
		repository.send(alice, "gone", new DirectMessage("one", null));
		repository.leave(gone, gone.peerId());

		clock.advance(Duration.ofMinutes(11));
		keepAlive(alice);
		repository.sweep();
		server.sweep();
		server.sweep();
		repository.sweep();

		assertThat(repository.unread(alice, alice.peerId())).singleElement()
			.satisfies(notice -> assertThat(notice.kind()).isEqualTo(MessageKind.EXPIRED));
	}

	@Test
	void ofTwoBrokersThatReadTheSameExpiredMailOnlyOneSettlesIt() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		Message old = repository.send(alice, "bob", new DirectMessage("old news", null));
		BrokerStore there = open();
		others.add(there);
		Instant later = clock.instant().plus(Duration.ofDays(2));
		store.expire(clock.instant(), later);
		List<Expired> seenHere = store.expired(10);
		List<Expired> seenThere = there.expired(10);
		assertThat(seenHere).extracting(e -> e.message().id()).containsExactly(old.id());
		assertThat(seenThere).extracting(e -> e.message().id()).containsExactly(old.id());

		assertThat(there.settleExpired(seenThere, List.of())).isTrue();
		assertThat(store.settleExpired(seenHere, List.of())).as("the other broker told the sender already").isFalse();
		assertThat(store.expired(10)).isEmpty();
		assertThat(repository.unread(bob, "bob")).isEmpty();
	}

	/**
	 * Redis killed and started again. With {@code appendfsync everysec} what Redis
	 * answered is in the operating system's hands, so a crash of Redis (not of the
	 * machine) loses none of it.
	 */
	@Override
	void restart() {
		store.close();
		redis.kill();
		redis.start();
		store = open();
		repository = service(store, LIMITS);
	}

	@Test
	void whileRedisIsAwayEveryStepSaysSoAndTheStoreComesBackWithIt() {
		Caller alice = register("alice", "k-alice");
		register("bob", "k-bob");
		redis.stop();

		assertThatExceptionOfType(StoreUnavailableException.class)
			.isThrownBy(() -> repository.send(alice, "bob", new DirectMessage("lost?", null)))
			.withMessageContaining("cannot reach its Redis at 127.0.0.1:" + redis.port())
			.withMessageContaining("Nothing was changed");
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> repository.sweep());

		redis.start();
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptionsInstanceOf(StoreUnavailableException.class)
			.until(() -> repository.send(alice, "bob", new DirectMessage("after", null)) != null);
		assertThat(repository.peer("bob").unread()).isEqualTo(1);
	}

}
