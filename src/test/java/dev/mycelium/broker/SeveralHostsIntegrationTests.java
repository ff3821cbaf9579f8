package dev.mycelium.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.store.redis.RedisServer;
import dev.mycelium.client.ServerSentEvent;
import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MyceliumHome;
import dev.mycelium.protocol.Peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two machines on one Redis, the quick way: two broker processes with their own
 * {@code MYCELIUM_HOME}, port, token and {@code MYCELIUM_HOSTNAME} ({@code laptop} and
 * {@code server}), one {@code redis-server} (append-only file, {@code everysec}), all
 * started and stopped here. Sessions speak only to their own machine's broker. Discovery,
 * a message by name, a broadcast on a topic, a task and its result cross; the receiving
 * broker pushes within a second; killing one broker leaves the other machine's peers and
 * mail alone and its own peers go away after the liveness times; Redis killed and started
 * again loses nothing the brokers answered for, and answers 503 meanwhile.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SeveralHostsIntegrationTests {

	/**
	 * Short liveness, so that a dead machine's peers go away within the test; frequent
	 * push heartbeats, so that open streams meet the store while Redis is away.
	 */
	private static final List<String> LIVENESS = List.of("--mycelium.liveness.stale-after=2s",
			"--mycelium.liveness.remove-after=5s", "--mycelium.liveness.sweep-interval=200ms",
			"--mycelium.push.heartbeat=200ms",
			// Hundreds of messages between two peers: no wake budget (WakeBudgetTests).
			"--mycelium.wakes.per-pair=1000000", "--mycelium.wakes.per-session=1000000");

	private final List<Process> started = new ArrayList<>();

	@TempDir
	Path temporary;

	private RedisServer redis;

	@AfterEach
	void stopEverything() throws InterruptedException {
		for (Process process : started) {
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		if (redis != null) {
			redis.close();
		}
	}

	/** A machine: its broker's home, port and process, and the API its sessions use. */
	private final class Host {

		final String name;

		final Path home;

		final int port;

		Process broker;

		Host(String name) {
			this.name = name;
			this.home = temporary.resolve(name);
			this.port = RedisServer.freePort();
		}

		Host start() throws IOException {
			List<String> command = new ArrayList<>(
					List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
							System.getProperty("java.class.path"), MyceliumApplication.class.getName(), "broker",
							"--port", String.valueOf(port)));
			command.addAll(LIVENESS);
			Path log = temporary.resolve(name + "-" + started.size() + ".log");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
			builder.environment().put("MYCELIUM_HOME", home.toString());
			builder.environment().put("MYCELIUM_REDIS_URL", redis.url());
			builder.environment().put("MYCELIUM_HOSTNAME", name);
			builder.environment().remove("MYCELIUM_STORE");
			Process process = builder.start();
			started.add(process);
			Path state = home.resolve("broker.json");
			await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
				assertThat(process.isAlive()).as("the broker of %s runs (see %s)", name, log).isTrue();
				return Files.exists(state)
						&& BrokerApi.JSON.readValue(state.toFile(), BrokerState.class).pid() == process.pid();
			});
			broker = process;
			return this;
		}

		BrokerApi api() {
			return new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
		}

		BrokerApi.Agent register(String peer, String repo) {
			return api().register(Map.of("name", peer, "cwd", "/work/" + peer, "repo", repo, "session_key",
					"key-" + name + "-" + peer));
		}

		List<Peer> peers(String scope, BrokerApi.Agent as) {
			return api().get("/api/peers?scope=" + scope, as == null ? null : as.secret())
				.as(new TypeReference<List<Peer>>() {
				});
		}

		Peer peer(String ref) {
			return api().get("/api/peers/" + ref, null).as(Peer.class);
		}

		SseReader inbox(BrokerApi.Agent peer) throws Exception {
			SseReader reader = SseReader.open(port, "/api/peers/" + peer.id() + "/events",
					new MyceliumHome(home).readToken().orElseThrow(), Map.of("Mycelium-Peer-Secret", peer.secret()));
			assertThat(reader.status).isEqualTo(200);
			return reader;
		}

		SseReader events() throws Exception {
			SseReader reader = SseReader.open(port, "/api/events", new MyceliumHome(home).readToken().orElseThrow(),
					Map.of());
			assertThat(reader.status).isEqualTo(200);
			return reader;
		}

		void heartbeat(BrokerApi.Agent... peers) {
			for (BrokerApi.Agent peer : peers) {
				assertThat(api().post("/api/peers/" + peer.id() + "/heartbeat", null, peer.secret()).status())
					.isEqualTo(200);
			}
		}

	}

	/**
	 * The data of the first event of {@code type} holding {@code text} on a broker-wide
	 * stream, which must come within a second.
	 */
	private static String eventWithin(SseReader events, String type, String text) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
		while (System.nanoTime() < deadline) {
			ServerSentEvent event = events.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
			if (event != null && event.event().equals(type) && event.data().contains(text)) {
				return event.data();
			}
		}
		throw new AssertionError("no " + type + " event with '" + text + "' within a second");
	}

	/** Starts a broker that must refuse to start; returns what it printed. */
	private String refusedStart(Map<String, String> environment) throws Exception {
		Path home = temporary.resolve("refused-" + started.size());
		Path log = temporary.resolve("refused-" + started.size() + ".log");
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), MyceliumApplication.class.getName(), "broker", "--port",
				String.valueOf(RedisServer.freePort()))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().put("MYCELIUM_HOME", home.toString());
		builder.environment().remove("MYCELIUM_STORE");
		builder.environment().remove("MYCELIUM_REDIS_URL");
		builder.environment().putAll(environment);
		Process process = builder.start();
		started.add(process);
		assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isNotZero();
		assertThat(home.resolve("broker.json")).doesNotExist();
		return Files.readString(log);
	}

	@Test
	void aBrokerWhoseRedisIsNotThereOrWhoseSettingsDisagreeDoesNotStart() throws Exception {
		int nobody = RedisServer.freePort();
		assertThat(refusedStart(Map.of("MYCELIUM_REDIS_URL", "redis://127.0.0.1:" + nobody)))
			.contains("The broker cannot reach its Redis at 127.0.0.1:" + nobody)
			.contains("Start Redis or check MYCELIUM_REDIS_URL");
		assertThat(
				refusedStart(Map.of("MYCELIUM_STORE", "sqlite", "MYCELIUM_REDIS_URL", "redis://127.0.0.1:" + nobody)))
			.contains("MYCELIUM_STORE=sqlite and MYCELIUM_REDIS_URL are both set");
	}

	@Test
	@Needs(Tool.REDIS_SERVER)
	void twoMachinesShareOneRedisAndSurviveABrokerAndRedisGoingAway() throws Exception {
		redis = RedisServer.start(temporary.resolve("redis"));
		Host laptop = new Host("laptop").start();
		Host server = new Host("server").start();
		BrokerApi.Agent alice = laptop.register("alice", "git@github.com:acme/shop.git");
		BrokerApi.Agent bob = server.register("bob", "https://github.com/acme/shop");
		BrokerApi.Agent carol = server.register("carol", "https://github.com/acme/docs");

		// Discovery: this machine, the same repository anywhere, every machine.
		assertThat(laptop.peers("machine", alice)).extracting(Peer::name).containsExactly("alice");
		assertThat(laptop.peers("repo", alice)).extracting(Peer::name).containsExactly("alice", "bob");
		assertThat(laptop.peers("all", alice)).extracting(Peer::name, Peer::host)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "laptop"),
					org.assertj.core.groups.Tuple.tuple("bob", "server"),
					org.assertj.core.groups.Tuple.tuple("carol", "server"));
		BrokerApi.Agent twin = server.register("alice", "https://github.com/acme/other");
		assertThat(twin.name()).as("a name is unique across machines").isEqualTo("alice-2");
		assertThat(server.peer("alice@laptop").id()).isEqualTo(alice.id());

		try (SseReader bobInbox = server.inbox(bob);
				SseReader aliceInbox = laptop.inbox(alice);
				SseReader serverEvents = server.events();
				SseReader laptopEvents = laptop.events()) {
			// A direct message by name, sent on the laptop, pushed by the server's
			// broker.
			assertThat(laptop.api().send(alice, bob, "warm-up").status()).isEqualTo(201);
			assertThat(bobInbox.next().data()).contains("warm-up");
			long sent = System.nanoTime();
			BrokerApi.Response direct = laptop.api()
				.post("/api/peers/bob@server/messages", Map.of("body", "the cart API returns cents"), alice.secret());
			assertThat(direct.status()).isEqualTo(201);
			ServerSentEvent pushed = bobInbox.poll(Duration.ofSeconds(1));
			assertThat(pushed).as("pushed on the other machine within a second").isNotNull();
			System.out.printf("send on laptop -> pushed on server: %.1f ms%n", (System.nanoTime() - sent) / 1e6);
			assertThat(pushed.event()).isEqualTo("message");
			assertThat(pushed.data()).contains("the cart API returns cents").contains("\"from\":\"alice\"");
			assertThat(eventWithin(serverEvents, "message", "the cart API returns cents"))
				.as("the server's tail and dashboard show what the laptop's session sent")
				.contains("\"from\":\"alice\"")
				.contains("\"to\":\"bob\"");
			assertThat(server.api().get("/api/broker", null).json().path("messages_last_ten_seconds").asLong())
				.as("the server's messages per second count the laptop's")
				.isGreaterThanOrEqualTo(2);

			// A broadcast on a topic, to every machine.
			assertThat(server.api()
				.exchange("PUT", "/api/topics/deploys/subscribers/" + bob.id(), null, bob.secret(), Map.of())
				.status()).isEqualTo(200);
			JsonNode broadcast = laptop.api()
				.post("/api/broadcasts", Map.of("body", "v2 is live", "topic", "deploys", "scope", "all"),
						alice.secret())
				.json();
			assertThat(broadcast.path("recipients").toString()).isEqualTo("[\"bob\"]");
			assertThat(bobInbox.next().data()).contains("v2 is live").contains("\"topic\":\"deploys\"");

			// A task and its result.
			JsonNode task = laptop.api()
				.post("/api/tasks", Map.of("to", "bob", "description", "review the cents change"), alice.secret())
				.json();
			assertThat(bobInbox.next().data()).contains("review the cents change");
			assertThat(server.api()
				.post("/api/tasks/" + task.path("id").asString() + "/result",
						Map.of("status", "completed", "result", "approved"), bob.secret())
				.status()).isEqualTo(200);
			assertThat(aliceInbox.next().data()).contains("completed: approved");
			assertThat(eventWithin(laptopEvents, "task_reported", "approved")).contains("\"status\":\"completed\"");
		}

		// The laptop's broker dies: the server's peers and mail are untouched, and the
		// laptop's peers go away after the liveness times, told by the server's sweep.
		laptop.broker.destroyForcibly();
		assertThat(laptop.broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
		int bobsMail = server.peer("bob").unread();
		assertThat(bobsMail).isEqualTo(4);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
			server.heartbeat(bob, carol, twin);
			return server.peer(alice.id()).state();
		}, Peer.AWAY::equals);
		assertThat(server.peers("all", null)).extracting(Peer::name).containsExactly("alice-2", "bob", "carol");
		assertThat(server.peer("bob").unread()).isEqualTo(bobsMail);

		// Redis is killed while mail flows, and started again.
		List<String> answered = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			if (server.api().send(bob, carol, "m" + i).status() == 201) {
				answered.add("m" + i);
			}
		}
		try (SseReader carolInbox = server.inbox(carol)) {
			for (String body : answered) {
				assertThat(carolInbox.next().data()).contains("\"" + body + "\"");
			}
			redis.kill();
			BrokerApi.Response refused = server.api().send(bob, carol, "while Redis is down");
			assertThat(refused.status()).isEqualTo(503);
			assertThat(refused.json().path("code").asString()).isEqualTo("store_unavailable");
			assertThat(refused.detail()).contains("cannot reach its Redis at 127.0.0.1:" + redis.port());
			assertThat(server.api().get("/actuator/health", null).status()).as("the broker keeps running")
				.isEqualTo(200);
			assertThat(carolInbox.poll(Duration.ofMillis(1500))).as("heartbeats meet the missing store").isNull();
			redis.start();
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> server.api().send(bob, carol, "after").status() == 201);
			answered.add("after");
			assertThat(carolInbox.next().data()).as("the open stream outlived the outage").contains("\"after\"");
		}
		assertThat(server.api().unread(carol)).extracting(Message::body).containsExactlyElementsOf(answered);

		// The laptop's broker comes back: its session finds its mail there.
		laptop.start();
		assertThat(laptop.api().unread(alice)).extracting(Message::body).containsExactly("completed: approved");
		assertThat(laptop.peer(alice.id()).state()).as("speaking again brings it back").isEqualTo(Peer.ACTIVE);
	}

}
