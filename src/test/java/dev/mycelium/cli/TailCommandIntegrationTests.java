package dev.mycelium.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.mycelium.cli.CliProcesses.Peer;
import dev.mycelium.cli.CliProcesses.Target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tail} as a process following a real broker's event stream: one readable line per
 * event (or one JSON object with {@code --json}), surviving a broker restart, ended by
 * Ctrl-C.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TailCommandIntegrationTests {

	private static final String TIME = "\\d\\d:\\d\\d:\\d\\d  ";

	@TempDir
	Path temporary;

	private CliProcesses cli;

	@BeforeEach
	void processes() {
		cli = new CliProcesses(temporary);
	}

	@AfterEach
	void stopEverything() {
		cli.close();
	}

	@Test
	void tailPrintsOneLinePerEventAndJsonForScripts() throws Exception {
		Target broker = cli.startBroker("home");
		Tail readable = tail(broker, "readable");
		Tail json = tail(broker, "json", "--json");

		Peer shop = cli.register(broker, "shop", "git@github.com:acme/shop.git", "main", null);
		Peer docs = cli.register(broker, "docs", null, null, null);
		cli.request(broker, "POST", "/api/peers/docs/messages", Map.of("body", "cart API returns cents\nsince 4f2a1c"),
				shop.secret(), 201);
		assertThat(cli.run(broker, "send", "docs", "hello", "from", "the", "terminal").exitCode()).isZero();
		cli.request(broker, "POST", "/api/broadcasts", Map.of("body", "v2 is deployed"), shop.secret(), 201);
		String task = CliProcesses.JSON
			.readTree(cli.request(broker, "POST", "/api/tasks",
					Map.of("to", "docs", "description", "Document the cents change"), shop.secret(), 201))
			.path("id")
			.asString();
		cli.request(broker, "POST", "/api/tasks/" + task + "/result",
				Map.of("status", "completed", "result", "README updated"), docs.secret(), 200);
		cli.request(broker, "DELETE", "/api/peers/docs", null, docs.secret(), 204);

		String user = System.getProperty("user.name");
		List<String> lines = readable.awaitLines(8);
		assertThat(lines).satisfiesExactly(
				line -> assertThat(line).matches(TIME + "\\+ shop joined \\(repo github.com/acme/shop, branch main\\)"),
				line -> assertThat(line).matches(TIME + "\\+ docs joined"),
				line -> assertThat(line).matches(TIME + "shop → docs  cart API returns cents⏎since 4f2a1c"),
				line -> assertThat(line).matches(TIME + "cli:" + user + " → docs  hello from the terminal"),
				line -> assertThat(line).matches(TIME + "shop → all \\(docs\\)  v2 is deployed"),
				line -> assertThat(line).matches(TIME + "shop ⇒ docs  task " + task + ": Document the cents change"),
				line -> assertThat(line).matches(TIME + "docs ⇒ shop  task " + task + " completed: README updated"),
				line -> assertThat(line).matches(TIME + "- docs left"));
		List<String> types = json.awaitLines(8)
			.stream()
			.map(line -> CliProcesses.JSON.readTree(line).path("type").asString())
			.toList();
		assertThat(types).containsExactly("peer_joined", "peer_joined", "message", "message", "broadcast",
				"task_created", "task_reported", "peer_left");
		JsonNode first = CliProcesses.JSON.readTree(json.awaitLines(1).get(0));
		assertThat(first.path("peer").path("name").asString()).isEqualTo("shop");
		assertThat(first.path("id").asLong()).isPositive();
		assertThat(readable.process().isAlive()).isTrue();
	}

	@Test
	void tailWaitsForARestartedBrokerAndFollowsItFromItsStart() throws Exception {
		Target broker = cli.startBroker("home");
		Tail tail = tail(broker, "restart");
		cli.register(broker, "before", null, null, null);
		tail.awaitLines(1);

		assertThat(cli.run(broker, "stop").exitCode()).isZero();
		tail.awaitStderr("Lost the broker at localhost:" + broker.port() + "; waiting for it to come back");
		cli.startBroker(broker);
		cli.register(broker, "after", null, null, null);

		assertThat(tail.awaitLines(2).get(1)).matches(TIME + "\\+ after joined");
		tail.awaitStderr("A new broker answers");
		tail.awaitStderr("Reconnected.");
		assertThat(tail.process().isAlive()).isTrue();
	}

	@Test
	void ctrlCEndsTailWithExitCode130() throws Exception {
		Target broker = cli.startBroker("home");
		Tail tail = tail(broker, "interrupted");
		assumeThat(ignoresInterrupts(tail.process()))
			.as("SIGINT is ignored in this environment (a background job of a script): Ctrl-C cannot be tried")
			.isFalse();

		Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(tail.process().pid())).start();

		assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(tail.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(tail.process().exitValue()).isEqualTo(130);
	}

	/** A running {@code tail} whose output goes to two files. */
	record Tail(Process process, Path stdout, Path stderr) {

		List<String> awaitLines(int count) {
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(lines()).as(read(stderr)).hasSizeGreaterThanOrEqualTo(count));
			return lines();
		}

		void awaitStderr(String text) {
			await().atMost(Duration.ofSeconds(90)).until(() -> read(stderr).contains(text));
		}

		List<String> lines() {
			return read(stdout).lines().toList();
		}

		private static String read(Path file) {
			try {
				return Files.readString(file, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	/**
	 * Starts {@code tail} and waits until it follows the stream: nothing after is missed.
	 */
	private Tail tail(Target broker, String name, String... options) throws IOException {
		Path stdout = temporary.resolve(name + ".stdout");
		Path stderr = temporary.resolve(name + ".stderr");
		String[] args = new String[options.length + 1];
		args[0] = "tail";
		System.arraycopy(options, 0, args, 1, options.length);
		Tail tail = new Tail(cli.startCommand(broker, stdout, stderr, args), stdout, stderr);
		tail.awaitStderr("Following the events of the broker at localhost:" + broker.port());
		return tail;
	}

	/** Whether SIGINT is ignored by the process, as for background jobs of a script. */
	private static boolean ignoresInterrupts(Process process) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
			if (line.startsWith("SigIgn:")) {
				return (Long.parseLong(line.substring(7).trim(), 16) & 0x2) != 0;
			}
		}
		return false;
	}

}
