package dev.mycelium.serve;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.MyceliumHome;
import dev.mycelium.serve.ServeSessions.Session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code serve} as a process: it starts the broker when none runs (exactly one, however
 * many sessions start at once), survives the broker's death, and leaves when its session
 * ends.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("launcher")
class ServeLifecycleIntegrationTests {

	@TempDir
	Path temporary;

	private Path home;

	private int port;

	private ServeSessions sessions;

	@BeforeEach
	void noBrokerYet() throws IOException {
		home = temporary.resolve("home");
		port = ServeSessions.freePort();
		Files.createDirectories(temporary.resolve("logs"));
		sessions = new ServeSessions(home, port, temporary.resolve("logs"));
	}

	@AfterEach
	void stopEverything() {
		sessions.close();
	}

	@Test
	void theFirstSessionStartsABrokerAndAKilledBrokerIsReplacedUnnoticed() throws Exception {
		// alice learns of the new broker from her own calls only, not from a heartbeat.
		Session alice = sessions.start("alice", directory("alice"), ServeSessions.SLOW_HEARTBEAT);
		Session bob = sessions.start("bob", directory("bob"));
		assertThat(alice.ok("discover", Map.of())).contains("bob");
		assertThat(alice.ok("attach", Map.of("topic", "deploys"))).contains("Attached to deploys");
		BrokerState first = sessions.brokerState();
		assertThat(ProcessHandle.of(first.pid())).as("a detached broker process").isPresent();

		ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(first.pid()).isEmpty());

		// bob finds no broker: it starts one and registers again.
		assertThat(bob.ok("identify", Map.of())).contains("You are bob");
		BrokerState second = sessions.brokerState();
		assertThat(second.pid()).isNotEqualTo(first.pid());
		assertThat(second.instanceId()).isNotEqualTo(first.instanceId());
		// alice finds a broker that never heard of her: she registers again, under a new
		// id, and attaches to her topic again.
		assertThat(alice.ok("discover", Map.of())).contains("1 other session")
			.contains("- bob (")
			.doesNotContain("- alice (");
		assertThat(alice.ok("identify", Map.of())).contains("You are alice").contains("Topics: deploys");
		assertThat(bob.ok("sporulate", Map.of("body", "v2 deployed", "topic", "deploys")))
			.contains("reached 1 session: alice");
		assertThat(alice.ok("signal", Map.of("to", "bob", "body", "still there?"))).contains("Sent to bob");
		assertThat(bob.ok("sense", Map.of())).contains("from alice").contains("still there?");
		assertThat(sessions.brokerState().instanceId()).isEqualTo(second.instanceId());
	}

	/**
	 * The broker restarted, and this session's first call after it is {@code identify}:
	 * it registers again on the way, rather than asking the new broker about an id it
	 * never gave.
	 */
	@Test
	void identifyIsTheFirstCallAfterTheBrokerRestarted() throws Exception {
		Session alice = sessions.start("alice", directory("alice"), ServeSessions.SLOW_HEARTBEAT);
		Session bob = sessions.start("bob", directory("bob"));
		assertThat(alice.ok("identify", Map.of())).contains("You are alice");
		assertThat(bob.ok("identify", Map.of())).contains("You are bob");
		BrokerState first = sessions.brokerState();

		ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(first.pid()).isEmpty());
		assertThat(bob.ok("identify", Map.of())).contains("You are bob");

		assertThat(alice.ok("identify", Map.of())).contains("You are alice");
	}

	/**
	 * With the memory store a {@code kill -9} loses what was unread. Push resumes on the
	 * new broker without repeating anything, and the sender is told, message by message,
	 * what may have been lost.
	 */
	@Test
	void afterKillNineOfAMemoryBrokerPushResumesAndTheSenderLearnsWhatWasLost() throws Exception {
		sessions.putEnvironment("MYCELIUM_STORE", "memory");
		Session alice = sessions.start("alice", directory("alice"));
		Session bob = sessions.start("bob", directory("bob"), "--channel");
		Session carol = sessions.start("carol", directory("carol"));
		alice.ok("signal", Map.of("to", "bob", "body", "before the crash"));
		assertThat(bob.nextPush(Duration.ofSeconds(20))).extracting(ServeSessions.ChannelMessage::content)
			.asString()
			.contains("direct message from alice")
			.contains("\nbefore the crash\n");
		String unread = alice.ok("signal", Map.of("to", "carol", "body", "carol has no push: still unread"));
		String lostId = unread.replaceAll("(?s).*\\(message ([a-z2-7]{10})\\).*", "$1");
		BrokerState first = sessions.brokerState();

		ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(first.pid()).isEmpty());

		// bob's push finds no broker: it starts one, registers again and follows its
		// inbox.
		await().atMost(Duration.ofMinutes(2))
			.ignoreExceptions()
			.until(() -> !sessions.brokerState().instanceId().equals(first.instanceId()));
		String after = alice.ok("signal", Map.of("to", "bob", "body", "after the crash"));
		assertThat(after).contains("Sent to bob")
			.contains("The mycelium broker restarted and lost the mail it held")
			.contains("[" + lostId + "] to carol: carol has no push: still unread");
		assertThat(bob.nextPush(Duration.ofSeconds(30))).extracting(ServeSessions.ChannelMessage::content)
			.asString()
			.contains("direct message from alice")
			.contains("\nafter the crash\n");
		assertThat(bob.nextPush(Duration.ofSeconds(2))).as("nothing shown twice").isNull();
		assertThat(alice.ok("discover", Map.of())).as("told once").doesNotContain("lost the mail");
		assertThat(carol.ok("sense", Map.of())).doesNotContain("still unread");
		bob.assertStdoutIsOnlyJsonRpc();
	}

	/**
	 * With the durable store (the default) a {@code kill -9} loses nothing: the mail
	 * waits in the new broker, and no sender is told of a loss that did not happen.
	 */
	@Test
	void afterKillNineOfADurableBrokerTheUnreadMailIsStillThereAndNobodyIsWarned() throws Exception {
		Session alice = sessions.start("alice", directory("alice"));
		Session carol = sessions.start("carol", directory("carol"));
		alice.ok("signal", Map.of("to", "carol", "body", "written before the crash"));
		BrokerState first = sessions.brokerState();

		ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(first.pid()).isEmpty());

		String after = alice.ok("signal", Map.of("to", "carol", "body", "after the crash"));
		assertThat(after).contains("Sent to carol").doesNotContain("lost the mail");
		assertThat(sessions.brokerState().instanceId()).isNotEqualTo(first.instanceId());
		assertThat(carol.ok("sense", Map.of())).contains("written before the crash").contains("after the crash");
	}

	@Test
	void twentySessionsStartingAtOnceShareExactlyOneBroker() throws Exception {
		List<Process> processes = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			processes.add(sessions.startRaw("s" + i, directory("session-" + i)));
		}

		await().atMost(Duration.ofMinutes(5))
			.pollInterval(Duration.ofSeconds(1))
			.ignoreExceptions()
			.until(() -> peers().size() == 20);

		long started = 0;
		for (int i = 0; i < 20; i++) {
			started += Files.readAllLines(temporary.resolve("logs/s" + i + ".stderr"))
				.stream()
				.filter(line -> line.contains("Starting a broker"))
				.count();
		}
		assertThat(started).as("brokers started").isEqualTo(1);
		assertThat(processes).allMatch(Process::isAlive);
		// The only java process below the sessions is the broker they started. A session
		// starting git is, for an instant, a copy of its JVM (vfork): look again until
		// such a child is gone.
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			List<ProcessHandle> brokers = processes.stream()
				.flatMap(Process::descendants)
				.filter(this::isJava)
				.toList();
			assertThat(brokers).hasSize(1);
			assertThat(brokers.get(0).pid()).isEqualTo(sessions.brokerState().pid());
		});
	}

	@Test
	void aRestartedServeGetsTheSamePeerAndItsInboxBack() throws Exception {
		Path directory = directory("restarting");
		Session sender = sessions.start("sender", directory("sender"));
		Process first = sessions.startRaw("first", directory);
		await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> peers().size() == 2);
		String id = peers().stream()
			.filter(peer -> peer.path("name").asString().equals("restarting"))
			.findFirst()
			.orElseThrow()
			.path("id")
			.asString();
		first.getOutputStream().close();
		assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(peer(id).path("state").asString()).isEqualTo("away");
		sender.ok("signal", Map.of("to", id, "body", "sent while you restarted"));

		// Same parent process (this test) and same directory: the same session key.
		sessions.startRaw("second", directory);

		await().atMost(Duration.ofMinutes(2))
			.ignoreExceptions()
			.until(() -> Files.readString(temporary.resolve("logs/second.stderr")).contains("Resumed as restarting"));
		JsonNode resumed = peer(id);
		assertThat(resumed.path("state").asString()).isEqualTo("active");
		assertThat(resumed.path("unread").asInt()).as("the mail sent meanwhile is there").isEqualTo(1);
	}

	@Test
	void closingStandardInputEndsTheSessionAndLeavesTheBroker() throws Exception {
		Process serve = sessions.startRaw("closing", directory("closing"));
		await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> peers().size() == 1);

		long closedAt = System.nanoTime();
		serve.getOutputStream().close();

		assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
		long exitMillis = (System.nanoTime() - closedAt) / 1_000_000;
		System.out.println("serve exited " + exitMillis + " ms after standard input closed");
		assertThat(serve.exitValue()).isZero();
		assertThat(peers())
			.as("it left the broker; its log:%n%s", Files.readString(temporary.resolve("logs/closing.stderr")))
			.isEmpty();
		assertThat(Files.readString(temporary.resolve("logs/closing.stdout"))).as("nothing but JSON-RPC on stdout")
			.isEmpty();
	}

	/**
	 * JSON-RPC answers a line it cannot read with an error; the SDK alone ended the
	 * session on it, and every later call of the client went unanswered.
	 */
	@Test
	void aLineThatIsNotJsonRpcIsAnsweredWithAnErrorAndTheSessionGoesOn() throws Exception {
		Process serve = sessions.startRaw("garbled", directory("garbled"));
		Path stdout = temporary.resolve("logs/garbled.stdout");
		try (Writer stdin = new OutputStreamWriter(serve.getOutputStream(), StandardCharsets.UTF_8)) {
			for (String line : List.of(
					"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
							+ "\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}",
					"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "not json", "{\"broken\"",
					"{\"jsonrpc\":\"2.0\",\"id\":7}", "", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")) {
				stdin.write(line + "\n");
			}
			stdin.flush();

			await().atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> Files.readString(stdout).contains("\"id\":2"));
			List<JsonNode> answers = Files.readAllLines(stdout).stream().map(ServeSessions.JSON::readTree).toList();

			assertThat(answers).filteredOn(answer -> answer.path("error").path("code").asInt() == -32700)
				.hasSize(2)
				.allSatisfy(answer -> assertThat(answer.get("id").isNull()).isTrue());
			assertThat(answers).filteredOn(answer -> answer.path("error").path("code").asInt() == -32600)
				.singleElement()
				.satisfies(answer -> assertThat(answer.path("id").asInt()).isEqualTo(7));
			assertThat(answers).filteredOn(answer -> answer.path("id").asInt() == 2)
				.singleElement()
				.satisfies(answer -> assertThat(answer.path("result").path("tools")).hasSize(12));
			assertThat(serve.isAlive()).isTrue();
		}
		assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("closing standard input still ends it").isTrue();
	}

	@Test
	void theSessionEndsWhenItsParentProcessDies() throws Exception {
		Path directory = directory("orphan");
		// sh is the parent; tail keeps serve's standard input open, so only the parent's
		// death
		// can end it.
		List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "tail -f /dev/null | \"$@\" > \"$0\" 2>&1",
				temporary.resolve("logs/orphan.out").toString()));
		command.addAll(sessions.serveCommand(directory));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().putAll(sessions.environment());
		Process parent = builder.start();
		try {
			await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> peers().size() == 1);
			List<ProcessHandle> children = parent.children().toList();
			ProcessHandle serve = children.stream().filter(this::isJava).findFirst().orElseThrow();

			parent.destroyForcibly();

			assertThat(serve.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
			await().atMost(Duration.ofSeconds(10)).until(() -> peers().isEmpty());
			children.forEach(ServeSessions::stop);
		}
		finally {
			parent.descendants().forEach(ServeSessions::stop);
			ServeSessions.stop(parent.toHandle());
		}
	}

	@Test
	void aPortHeldBySomethingElseIsAClearErrorNotAHang() throws Exception {
		HttpServer stranger = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
		stranger.createContext("/", exchange -> {
			exchange.sendResponseHeaders(404, -1);
			exchange.close();
		});
		stranger.start();
		try {
			Session session = sessions.launch("blocked", directory("blocked"));

			String error = session.error("identify", Map.of());

			assertThat(error).contains("Port " + port).contains("not a mycelium broker").contains("MYCELIUM_PORT");
			assertThat(home.resolve("broker.json")).doesNotExist();
		}
		finally {
			stranger.stop(0);
		}
	}

	private JsonNode peer(String id) throws IOException, InterruptedException {
		return get("/api/peers/" + id);
	}

	private List<JsonNode> peers() throws IOException, InterruptedException {
		List<JsonNode> peers = new ArrayList<>();
		get("/api/peers").forEach(peers::add);
		return peers;
	}

	private JsonNode get(String path) throws IOException, InterruptedException {
		String token = new MyceliumHome(home).readToken().orElseThrow();
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.header("Authorization", "Bearer " + token)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return ServeSessions.JSON.readTree(response.body());
	}

	/** The executable is known even when a long class path hides the command line. */
	private boolean isJava(ProcessHandle process) {
		return process.info().command().orElse("").endsWith("/java");
	}

	private Path directory(String name) throws IOException {
		return Files.createDirectories(temporary.resolve("work").resolve(name));
	}

}
