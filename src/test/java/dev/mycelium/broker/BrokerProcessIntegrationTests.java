package dev.mycelium.broker;

import java.io.IOException;
import java.net.ServerSocket;
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

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker as a user starts it: a separate process, configured by the environment and
 * options, one per {@code MYCELIUM_HOME}, leaving nothing behind when stopped.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrokerProcessIntegrationTests {

	private final List<Process> started = new ArrayList<>();

	@TempDir
	Path temporary;

	@AfterEach
	void stopEverything() throws InterruptedException {
		for (Process process : started) {
			process.destroy();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void environmentChoosesHomeAndPortAndStoppingCleansUp() throws Exception {
		Path home = temporary.resolve("home");
		int port = freePort();

		Process broker = start(Map.of("MYCELIUM_HOME", home.toString(), "MYCELIUM_PORT", String.valueOf(port)),
				"broker");
		BrokerState state = awaitState(home);

		assertThat(state.port()).isEqualTo(port);
		assertThat(state.pid()).isEqualTo(broker.pid());
		BrokerApi api = new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
		assertThat(api.get("/api/peers", null).status()).isEqualTo(200);
		BrokerApi.Agent peer = api.register("listener");
		try (SseReader inbox = SseReader.open(port, "/api/peers/" + peer.id() + "/events",
				new MyceliumHome(home).readToken().orElseThrow(), Map.of("Mycelium-Peer-Secret", peer.secret()));
				SseReader events = SseReader.open(port, "/api/events", new MyceliumHome(home).readToken().orElseThrow(),
						Map.of())) {
			broker.destroy();
			// Open streams are closed first: graceful shutdown does not wait for them.
			assertThat(inbox.ended(java.time.Duration.ofSeconds(10))).isTrue();
			assertThat(events.ended(java.time.Duration.ofSeconds(10))).isTrue();
			assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();
		}
		assertThat(home.resolve("broker.json")).doesNotExist();
		assertThat(home.resolve("token")).exists();
	}

	@Test
	void portOptionOverridesTheEnvironmentAndTheProfileSwitchAlsoStartsTheBroker() throws Exception {
		Path home = temporary.resolve("home");
		int port = freePort();

		start(Map.of("MYCELIUM_HOME", home.toString(), "MYCELIUM_PORT", "1"), "--spring.profiles.active=broker",
				"--mycelium.port=" + port);

		assertThat(awaitState(home).port()).isEqualTo(port);
	}

	@Test
	void aSecondBrokerForTheSameHomeRefusesToStart() throws Exception {
		Path home = temporary.resolve("home");
		int port = freePort();
		start(Map.of("MYCELIUM_HOME", home.toString()), "broker", "--port", String.valueOf(port));
		BrokerState first = awaitState(home);
		BrokerApi api = new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
		BrokerApi.Agent kept = api.register("kept");
		api.send(kept, api.register("inbox"), "still here");

		Process second = start(Map.of("MYCELIUM_HOME", home.toString()), "broker", "--port",
				String.valueOf(freePort()));

		assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(second.exitValue()).isNotZero();
		assertThat(output(second)).contains("Another mycelium broker is already running")
			.as("the sentence alone, no stack trace")
			.doesNotContain("Caused by:")
			.doesNotContain("\tat ");
		assertThat(awaitState(home).instanceId()).as("the first broker is untouched").isEqualTo(first.instanceId());
		assertThat(api.get("/api/peers/inbox", null).json().path("unread").asInt())
			.as("its store too: the second broker never opened the database")
			.isEqualTo(1);
	}

	@Test
	void aDamagedDatabaseStopsTheBrokerWithItsSentenceAloneAndIsLeftAsItIs() throws Exception {
		Path home = temporary.resolve("home");
		Files.createDirectories(home);
		byte[] damaged = new byte[8192];
		new java.util.Random(13).nextBytes(damaged);
		Files.write(home.resolve("mycelium.db"), damaged);

		Process broker = start(Map.of("MYCELIUM_HOME", home.toString()), "broker", "--port",
				String.valueOf(freePort()));

		assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(broker.exitValue()).isNotZero();
		assertThat(output(broker)).contains("APPLICATION FAILED TO START")
			.contains("The broker cannot use its store " + home.resolve("mycelium.db"))
			.contains("not a readable SQLite database")
			.contains("MYCELIUM_STORE=memory")
			.as("the sentence alone, no stack trace")
			.doesNotContain("Caused by:")
			.doesNotContain("\tat ");
		assertThat(Files.readAllBytes(home.resolve("mycelium.db"))).isEqualTo(damaged);
		assertThat(home.resolve("broker.json")).doesNotExist();
	}

	@Test
	void aNonLoopbackHostIsRefusedUnlessAllowed() throws Exception {
		Path home = temporary.resolve("home");

		Process broker = start(Map.of("MYCELIUM_HOME", home.toString(), "MYCELIUM_HOST", "0.0.0.0"), "broker", "--port",
				String.valueOf(freePort()));

		assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(broker.exitValue()).isNotZero();
		assertThat(output(broker)).contains("is not a loopback address")
			.contains("MYCELIUM_ALLOW_REMOTE")
			.as("the sentence alone, no stack trace")
			.doesNotContain("Caused by:")
			.doesNotContain("\tat ");
		assertThat(home.resolve("broker.json")).doesNotExist();
	}

	@Test
	void aSilentPeerIsRemovedByTheRunningBrokerAndAHeartbeatBringsItBack() throws Exception {
		Path home = temporary.resolve("home");
		int port = freePort();
		start(Map.of("MYCELIUM_HOME", home.toString()), "broker", "--port", String.valueOf(port),
				"--mycelium.liveness.stale-after=1s", "--mycelium.liveness.remove-after=2s",
				"--mycelium.liveness.sweep-interval=200ms");
		awaitState(home);
		BrokerApi api = new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
		BrokerApi.Agent quiet = api.register("quiet");

		await().atMost(Duration.ofSeconds(20))
			.until(() -> api.get("/api/peers/quiet", null).json().path("state").asString(), "away"::equals);
		assertThat(api.get("/api/peers", null).body()).doesNotContain(quiet.id());

		api.post("/api/peers/quiet/heartbeat", null, quiet.secret());
		assertThat(api.get("/api/peers", null).body()).contains(quiet.id());
	}

	@Test
	void anUnknownCommandPrintsUsageAndExits2() throws Exception {
		Process process = start(Map.of("MYCELIUM_HOME", temporary.toString()), "frobnicate");

		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isEqualTo(2);
		assertThat(output(process)).contains("usage: mycelium");
	}

	private Process start(Map<String, String> environment, String... args) throws IOException {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
						System.getProperty("java.class.path"), MyceliumApplication.class.getName()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(temporary.resolve("process-" + started.size() + ".log").toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		started.add(process);
		return process;
	}

	private String output(Process process) throws IOException {
		return Files.readString(temporary.resolve("process-" + started.indexOf(process) + ".log"));
	}

	private static BrokerState awaitState(Path home) {
		Path state = home.resolve("broker.json");
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(state));
		return BrokerApi.JSON.readValue(state.toFile(), BrokerState.class);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
