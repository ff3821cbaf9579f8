package dev.mycelium.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.BrokerApi.Agent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin's hook script ({@code plugin/hooks/mycelium-hook}) as Claude Code runs it:
 * the event on standard input, the answer on standard output. It prints the broker's
 * answer when there is one, and otherwise nothing, always with exit code 0 and never for
 * long: no home, no broker, a broker that accepts and never answers.
 */
@Needs(Tool.CURL)
class HookScriptIntegrationTests extends BrokerIntegrationTest {

	private static final Path SCRIPT = Path.of("plugin/hooks/mycelium-hook").toAbsolutePath();

	@TempDir
	Path temporary;

	record Run(int exitCode, String stdout, String stderr, Duration took) {
	}

	@Test
	void withMailTheScriptPrintsTheHookOutputOfTheBroker() throws Exception {
		String session = UUID.randomUUID().toString();
		Agent bob = api.register(Map.of("name", unique("bob"), "cwd", "/work/bob", "session_key", session));
		api.send(api.register(unique("alice")), bob, "through the hook script");

		Run run = run(home, event(session));

		assertThat(run.exitCode()).isZero();
		assertThat(run.stdout()).startsWith("{\"hookSpecificOutput\":{")
			.contains("\"hookEventName\":\"PostToolUse\"")
			.contains("through the hook script");
		assertThat(run.stderr()).isEmpty();
		assertThat(api.unread(bob)).isEmpty();
	}

	@Test
	void aSessionWithNothingToShowGetsNoOutput() throws Exception {
		Run run = run(home, event(UUID.randomUUID().toString()));

		assertThat(run.exitCode()).isZero();
		assertThat(run.stdout()).isEmpty();
	}

	@Test
	void noHomeAndNoBrokerMeanNoOutputAndExitCodeZero() throws Exception {
		Path empty = Files.createDirectories(temporary.resolve("never-used"));
		Path stale = Files.createDirectories(temporary.resolve("stale"));
		Files.copy(home.resolve("curl.conf"), stale.resolve("curl.conf"));
		Files.writeString(stale.resolve("broker.json"), "{\"pid\":1,\"host\":\"localhost\",\"port\":" + freePort()
				+ ",\"instance_id\":\"gone\",\"started_at\":\"2026-01-01T00:00:00Z\",\"version\":\"x\"}");

		for (Path myceliumHome : List.of(empty, stale)) {
			Run run = run(myceliumHome, event("any"));
			assertThat(run.exitCode()).isZero();
			assertThat(run.stdout()).isEmpty();
			assertThat(run.stderr()).isEmpty();
		}
	}

	@Test
	void aBrokerThatNeverAnswersCostsTheSessionAtMostThreeSeconds() throws Exception {
		try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			List<Socket> accepted = new ArrayList<>();
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						accepted.add(silent.accept());
					}
				}
				catch (IOException ex) {
					// closed at the end of the test
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			Path stuck = Files.createDirectories(temporary.resolve("stuck"));
			Files.copy(home.resolve("curl.conf"), stuck.resolve("curl.conf"));
			Files.writeString(stuck.resolve("broker.json"), "{\"pid\":1,\"host\":\"localhost\",\"port\":"
					+ silent.getLocalPort() + ",\"instance_id\":\"stuck\"}");

			Run run = run(stuck, event("any"));

			assertThat(run.exitCode()).isZero();
			assertThat(run.stdout()).isEmpty();
			assertThat(run.took()).isLessThan(Duration.ofSeconds(5));
			for (Socket socket : accepted) {
				socket.close();
			}
		}
	}

	@Test
	void anEditAsksTheBrokerOnlyWhileAClaimStands() throws Exception {
		Path repository = Files.createDirectories(temporary.resolve("shop/.git")).getParent();
		String repo = "git@example.com:acme/" + unique("hooked") + ".git";
		String session = UUID.randomUUID().toString();
		Agent holder = api.register(Map.of("name", unique("holder"), "cwd", repository.toString(), "repo", repo,
				"session_key", UUID.randomUUID().toString()));
		api.register(
				Map.of("name", unique("editor"), "cwd", repository.toString(), "repo", repo, "session_key", session));
		String edit = "{\"session_id\":\"" + session + "\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Edit\","
				+ "\"tool_input\":{\"file_path\":\"" + repository.resolve("src/cart.js") + "\"}}";
		assertThat(api.post("/api/claims", Map.of("paths", List.of("src")), holder.secret()).status()).isEqualTo(201);
		assertThat(home.resolve("claims-standing")).as("written with the claim").exists();

		Run denied = run(home, edit, "edit");
		assertThat(denied.exitCode()).isZero();
		assertThat(denied.stdout()).contains("\"permissionDecision\":\"deny\"")
			.contains("is claimed by " + holder.name());

		// Without the file (no claim anywhere), the script asks nobody and prints
		// nothing.
		Files.delete(home.resolve("claims-standing"));
		Run unasked = run(home, edit, "edit");
		assertThat(unasked.exitCode()).isZero();
		assertThat(unasked.stdout()).isEmpty();
		assertThat(unasked.stderr()).isEmpty();

		api.post("/api/claims/release", Map.of(), holder.secret());
		assertThat(home.resolve("claims-standing")).as("gone with the last claim").doesNotExist();
	}

	private String event(String session) {
		return "{\"session_id\":\"" + session + "\",\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\","
				+ "\"tool_input\":{\"command\":\"ls\"},\"tool_response\":{\"stdout\":\"a\\nb\"}}";
	}

	private Run run(Path myceliumHome, String event, String... arguments) throws Exception {
		Path input = Files.writeString(temporary.resolve("event-" + UUID.randomUUID() + ".json"), event);
		Path out = temporary.resolve("out-" + UUID.randomUUID());
		Path err = temporary.resolve("err-" + UUID.randomUUID());
		List<String> command = new java.util.ArrayList<>(List.of(SCRIPT.toString()));
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).redirectInput(input.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		builder.environment().clear();
		builder.environment()
			.putAll(Map.of("PATH", System.getenv("PATH"), "HOME", temporary.toString(), "MYCELIUM_HOME",
					myceliumHome.toString()));
		long start = System.nanoTime();
		Process process = builder.start();
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("the hook script did not end");
		}
		return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
