import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.mycelium.claude.BrokerOf;
import dev.mycelium.claude.ClaudeCode;
import dev.mycelium.claude.ScriptedModel;
import dev.mycelium.claude.ScriptedModel.Reply;

/**
 * Delivery into the real Claude Code, as a user feels it: from a send (a {@code POST} to
 * the broker, what {@code signal} and {@code mycelium send} do) to the receiving session's
 * next model request holding the body. Three paths: an idle interactive session (woken
 * through Claude Code's inbox socket), a busy {@code claude -p} session running one short
 * Bash call after another (the socket, read between tool calls), and the same busy
 * session without the socket (the PostToolUse hook brings it). Then the hook's own cost:
 * the plugin's hook script run as Claude Code runs it, with and without mail.
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests &amp;&amp; ./mvnw -q -o test-compile
 * java -cp target/test-classes bench/DeliveryLatencyBench.java [--rounds 30] [--hooks 300] [--hooks-only]
 * </pre>
 *
 * Uses the tests' harness (ScriptedModel, ClaudeCode: JDK classes only), the packaged jar
 * through bin/mycelium, and the pinned Claude Code (installed under target/claude-code on
 * first use). A temporary HOME, MYCELIUM_HOME and a free port: never 7890 or ~/.mycelium.
 */
public class DeliveryLatencyBench {

	public static void main(String[] args) throws Exception {
		int rounds = 30;
		int hooks = 300;
		boolean hooksOnly = false;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--hooks-only" -> hooksOnly = true;
				case "--rounds" -> rounds = Integer.parseInt(args[++i]);
				case "--hooks" -> hooks = Integer.parseInt(args[++i]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		Path checkout = Path.of("").toAbsolutePath();
		Path root = Files.createTempDirectory("mycelium-delivery-bench");
		System.err.println("Claude Code " + ClaudeCode.version() + ", " + rounds + " rounds per path, machine load "
				+ Files.readString(Path.of("/proc/loadavg")).trim());
		try (ClaudeCode user = new ClaudeCode(root.resolve("user"), checkout)) {
			BrokerOf broker = new BrokerOf(user.myceliumHome(), user.port());
			List<String> projects = List.of("installing", "idle", "busy", "plain");
			for (String project : projects) {
				user.project(project);
			}
			Path anywhere = user.project("installing");
			user.claude(anywhere, "plugin", "marketplace", "add", checkout.toString());
			user.claude(anywhere, "plugin", "install", "mycelium@mycelium");
			user.claude(anywhere, "mcp", "list");
			awaitFile(user.myceliumHome().resolve("broker.json"));

			// The hooks first, before any session runs beside them: their figure is the
			// script's own cost, not that of two Claude Code processes sharing the cores.
			System.out.println("the hook script, run " + hooks + " times (ms, process start to exit)");
			hookCost(user, broker, hooks);
			if (hooksOnly) {
				return;
			}

			List<Double> idle = idle(user, broker, rounds);
			List<Double> busy = busy(user, user, broker, "busy", rounds);
			ClaudeCode plain = withoutSocket(root, user);
			List<Double> hooked = busy(plain, user, broker, "plain", rounds);
			plain.close();

			System.out.println();
			System.out.println("send -> the receiving model's request holds the body (ms)");
			System.out.println(String.format(Locale.ROOT, "%-40s %7s %7s %7s %7s", "path", "p50", "p90", "p99", "max"));
			print("idle session, inbox socket", idle);
			print("busy session, inbox socket", busy);
			print("busy session, no socket: PostToolUse hook", hooked);
		}
	}

	private static List<Double> idle(ClaudeCode user, BrokerOf broker, int rounds) throws Exception {
		ScriptedModel model = ScriptedModel.start();
		user.interactive("idle", user.project("idle"), model);
		awaitPeer(broker, "idle");
		List<Double> latencies = new ArrayList<>();
		for (int round = -3; round < rounds; round++) {
			String body = "idle round " + round + " " + System.nanoTime();
			long sent = System.nanoTime();
			check(broker.send("idle", body));
			ScriptedModel.Request seen = model.await(body, Duration.ofSeconds(30));
			if (round >= 0) {
				latencies.add((seen.receivedNanos() - sent) / 1e6);
			}
			// Idle again: the turn ended and the delivery was confirmed.
			awaitUnread(broker, "idle", 0);
			Thread.sleep(300);
		}
		return latencies;
	}

	/** A claude -p session running one half-second Bash call after another. */
	private static List<Double> busy(ClaudeCode user, ClaudeCode owner, BrokerOf broker, String name, int rounds)
			throws Exception {
		ScriptedModel model = ScriptedModel.start();
		int steps = rounds * 4 + 20;
		for (int step = 0; step < steps; step++) {
			model.then(Reply.tool("Bash", Map.of("command", "sleep 0.5; echo step " + step, "description", "step")));
		}
		model.then(Reply.text("done"));
		Process session = user.print(user.project(name), model, "keep working");
		model.await("keep working", Duration.ofSeconds(90));
		awaitPeer(broker, name);
		Random random = new Random(42);
		List<Double> latencies = new ArrayList<>();
		for (int round = -3; round < rounds; round++) {
			Thread.sleep(random.nextInt(500));
			String body = name + " round " + round + " " + System.nanoTime();
			long sent = System.nanoTime();
			check(broker.send(name, body));
			ScriptedModel.Request seen = model.await(body, Duration.ofSeconds(30));
			if (round >= 0) {
				latencies.add((seen.receivedNanos() - sent) / 1e6);
			}
		}
		session.destroy();
		session.waitFor(20, TimeUnit.SECONDS);
		return latencies;
	}

	/** A user of the same broker whose serve gets no inbox socket, with the hooks. */
	private static ClaudeCode withoutSocket(Path root, ClaudeCode user) throws Exception {
		ClaudeCode plain = new ClaudeCode(root.resolve("plain"), user.checkout(), user.myceliumHome(), user.port());
		plain.project("plain");
		String hook = "[{\"matcher\": \"*\", \"hooks\": [{\"type\": \"command\", \"command\": \""
				+ user.checkout().resolve("plugin/hooks/mycelium-hook") + "\"}]}]";
		Files.writeString(plain.home().resolve(".claude/settings.json"),
				"{\"permissions\": {\"defaultMode\": \"default\", \"allow\": [\"Bash\", \"mcp__mycelium\"]},"
						+ " \"hooks\": {\"SessionStart\": " + hook + ", \"UserPromptSubmit\": " + hook
						+ ", \"PostToolUse\": " + hook + "}}\n");
		plain.claude(plain.project("plain"), "mcp", "add", "--scope", "user", "mycelium", "--", "env", "-u",
				"CLAUDE_CODE_MESSAGING_SOCKET", user.checkout().resolve("bin/mycelium").toString(), "serve");
		return plain;
	}

	private static void hookCost(ClaudeCode user, BrokerOf broker, int runs) throws Exception {
		String session = "bench-hook-" + System.nanoTime();
		check(broker.post("/api/peers", "{\"name\":\"hooked\",\"session_key\":\"" + session + "\"}"));
		Path event = Files.createTempFile("hook", ".json");
		Files.writeString(event, "{\"session_id\":\"" + session + "\",\"hook_event_name\":\"PostToolUse\","
				+ "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"},\"tool_response\":{\"stdout\":\""
				+ "x".repeat(2000) + "\"}}");
		Path script = user.checkout().resolve("plugin/hooks/mycelium-hook");
		Map<String, String> environment = Map.of("HOME", user.home().toString(), "MYCELIUM_HOME",
				user.myceliumHome().toString(), "PATH", System.getenv("PATH"));
		System.out.println(String.format(Locale.ROOT, "%-40s %7s %7s %7s %7s", "case", "p50", "p90", "p99", "max"));
		print("nothing to show (every tool call)", runHook(script, event, environment, runs, null));
		print("one new message to show", runHook(script, event, environment, Math.max(20, runs / 5), broker));
		Map<String, String> noBroker = Map.of("HOME", user.home().toString(), "MYCELIUM_HOME",
				Files.createTempDirectory("no-broker").toString(), "PATH", System.getenv("PATH"));
		print("no broker", runHook(script, event, noBroker, runs, null));
		preToolUseCost(user, broker, script, environment, runs);
	}

	/**
	 * The PreToolUse hook of an edit: every Edit/Write of every session asks it, with no
	 * claim at all, with claims elsewhere in its repository, and for a claimed file.
	 */
	private static void preToolUseCost(ClaudeCode user, BrokerOf broker, Path script, Map<String, String> environment,
			int runs) throws Exception {
		Path repository = Files.createTempDirectory("bench-claims");
		Files.createDirectories(repository.resolve(".git"));
		String repo = "git@example.com:bench/claims-" + System.nanoTime() + ".git";
		String editorSession = "bench-editor-" + System.nanoTime();
		check(broker.post("/api/peers", "{\"name\":\"editor\",\"session_key\":\"" + editorSession + "\",\"cwd\":"
				+ quoted(repository.toString()) + ",\"repo\":" + quoted(repo) + "}"));
		BrokerOf.Answer holder = broker.post("/api/peers", "{\"name\":\"holder\",\"session_key\":\"bench-holder-"
				+ System.nanoTime() + "\",\"cwd\":" + quoted(repository.toString()) + ",\"repo\":"
				+ quoted(repo) + "}");
		check(holder);
		String secret = holder.body().replaceAll("(?s).*\"secret\":\"([^\"]+)\".*", "$1");
		Path free = Files.createTempFile("hook-edit", ".json");
		Path claimed = Files.createTempFile("hook-edit-claimed", ".json");
		for (Path event : List.of(free, claimed)) {
			String file = repository.resolve(event == free ? "src/web/App.tsx" : "src/api/Orders.java").toString();
			Files.writeString(event, "{\"session_id\":\"" + editorSession + "\",\"hook_event_name\":\"PreToolUse\","
					+ "\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":" + quoted(file)
					+ ",\"old_string\":\"a\",\"new_string\":\"b\"}}");
		}
		// As the plugin runs it: "edit" lets the script skip the broker while no claim stands.
		print("PreToolUse edit, no claim anywhere", runHook(script, free, environment, runs, null, "edit"));
		for (int i = 0; i < 5; i++) {
			check(broker.post("/api/claims", "{\"paths\":[\"src/api/**\",\"lib" + i + "\"]}", secret));
		}
		print("PreToolUse edit, 5 claims, not this file", runHook(script, free, environment, runs, null, "edit"));
		print("PreToolUse edit of a claimed file", runHook(script, claimed, environment, runs, null, "edit"));
		check(broker.post("/api/claims/release", "{}", secret));
	}

	private static List<Double> runHook(Path script, Path event, Map<String, String> environment, int runs,
			BrokerOf mailFrom, String... arguments) throws Exception {
		List<Double> times = new ArrayList<>();
		for (int run = -10; run < runs; run++) {
			if (mailFrom != null) {
				check(mailFrom.send("hooked", "a message for the hook " + run));
			}
			List<String> command = new ArrayList<>(List.of(script.toString()));
			command.addAll(List.of(arguments));
			ProcessBuilder builder = new ProcessBuilder(command).redirectInput(event.toFile())
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD);
			builder.environment().clear();
			builder.environment().putAll(environment);
			long start = System.nanoTime();
			Process hook = builder.start();
			hook.waitFor();
			if (run >= 0) {
				times.add((System.nanoTime() - start) / 1e6);
			}
			if (hook.exitValue() != 0) {
				throw new IllegalStateException("the hook exited with " + hook.exitValue());
			}
		}
		return times;
	}

	/** A path or name of the bench's own making, as a JSON string: nothing in it needs escaping. */
	private static String quoted(String text) {
		return "\"" + text + "\"";
	}

	private static void print(String label, List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		System.out.println(String.format(Locale.ROOT, "%-40s %7.1f %7.1f %7.1f %7.1f", label, percentile(sorted, 50),
				percentile(sorted, 90), percentile(sorted, 99), sorted.get(sorted.size() - 1)));
	}

	private static double percentile(List<Double> sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
	}

	private static void check(BrokerOf.Answer answer) {
		if (answer.status() / 100 != 2) {
			throw new IllegalStateException("the broker answered " + answer.status() + ": " + answer.body());
		}
	}

	private static void awaitPeer(BrokerOf broker, String name) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (String.valueOf(broker.peer(name)).indexOf("\"delivery\":") < 0
				|| String.valueOf(broker.peer(name)).contains("\"delivery\":null")) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(name + " never registered");
			}
			Thread.sleep(50);
		}
	}

	private static void awaitUnread(BrokerOf broker, String name, int unread) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (broker.unread(name) != unread) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(name + " still has unread mail");
			}
			Thread.sleep(20);
		}
	}

	private static void awaitFile(Path file) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (!Files.exists(file)) {
			if (System.nanoTime() > deadline) {
				throw new IOException(file + " never appeared");
			}
			Thread.sleep(50);
		}
	}

}
