package dev.mycelium.claude;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The real {@code claude} CLI for end-to-end tests, as one user on a fresh machine: its
 * own {@code HOME} (onboarding done, the test's directories trusted, mycelium's tools
 * allowed), its own {@code MYCELIUM_HOME} and broker port, and the pinned Claude Code
 * from the npm registry, installed on first use under {@code target/claude-code}. Each
 * session talks to its own {@link ScriptedModel}. Interactive sessions run in tmux on a
 * private tmux server; everything started is stopped by {@link #close()}, the broker that
 * the sessions started included.
 *
 * <p>
 * Only the JDK: the delivery benchmark uses it from the test classes.
 */
public final class ClaudeCode implements AutoCloseable {

	/** The Claude Code version these tests and the notes on its behaviour are for. */
	public static final String VERSION = "2.1.328";

	/**
	 * The system property that runs the suite against another version
	 * ({@code -Dclaude.code.version=2.1.332}, or {@code bin/test-claude-code 2.1.332}):
	 * Claude Code changes weekly, and this says whether a new release still works.
	 */
	public static final String VERSION_PROPERTY = "claude.code.version";

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

	private final Path root;

	private final Path home;

	private final Path myceliumHome;

	private final int port;

	private final Path checkout;

	private final String tmux;

	private final List<Process> processes = new ArrayList<>();

	/** Whether closing stops the broker and whatever else runs for its MYCELIUM_HOME. */
	private final boolean ownsBroker;

	private final Set<Path> trusted = new LinkedHashSet<>();

	private boolean tmuxStarted;

	/** Once Claude Code wrote ~/.claude.json, this class no longer rewrites it. */
	private boolean claudeStarted;

	/**
	 * @param root a temporary directory for this user's files
	 * @param checkout the mycelium checkout (its {@code bin/mycelium} and plugin)
	 */
	/**
	 * A user whose mycelium lives where a user's does, in {@code $HOME/.mycelium}: no
	 * {@code MYCELIUM_HOME} is set, so the broker, serve and the hooks must agree on it
	 * by themselves.
	 */
	public ClaudeCode(Path root, Path checkout) throws IOException {
		this(root, checkout, root.resolve("home/.mycelium"), freePort(), true);
	}

	/**
	 * Another user of the same broker (the same MYCELIUM_HOME and port); the broker stays
	 * when this one closes.
	 */
	public ClaudeCode(Path root, Path checkout, Path myceliumHome, int port) throws IOException {
		this(root, checkout, myceliumHome, port, false);
	}

	private ClaudeCode(Path root, Path checkout, Path myceliumHome, int port, boolean ownsBroker) throws IOException {
		this.ownsBroker = ownsBroker;
		this.root = root;
		this.home = Files.createDirectories(root.resolve("home"));
		this.myceliumHome = myceliumHome;
		this.port = port;
		this.checkout = checkout;
		this.tmux = "mycelium-test-" + ProcessHandle.current().pid() + "-" + Math.abs(root.hashCode());
		Files.createDirectories(home.resolve(".claude"));
		Files.writeString(home.resolve(".claude/settings.json"), """
				{"permissions": {"defaultMode": "default",
				  "allow": ["Bash", "mcp__mycelium", "mcp__plugin_mycelium_mycelium"]}}
				""");
	}

	public Path home() {
		return home;
	}

	public Path myceliumHome() {
		return myceliumHome;
	}

	public int port() {
		return port;
	}

	public Path checkout() {
		return checkout;
	}

	/** A project directory of this user, trusted by Claude Code (a git repository). */
	public Path project(String name) throws IOException, InterruptedException {
		Path directory = Files.createDirectories(root.resolve("projects").resolve(name));
		if (!Files.exists(directory.resolve(".git"))) {
			run(List.of("git", "init", "-q", directory.toString()), Map.of(), root);
		}
		trust(directory);
		return directory;
	}

	/**
	 * Claude Code's answer to a command, e.g. {@code plugin install mycelium@mycelium}.
	 */
	public Result claude(Path directory, String... args) throws IOException, InterruptedException {
		claudeStarted = true;
		List<String> command = new ArrayList<>(List.of(cli().toString()));
		command.addAll(List.of(args));
		return run(command, environment(null), directory);
	}

	/**
	 * Starts {@code claude -p} in {@code directory} against {@code model}; its output is
	 * read when it ends.
	 */
	public Process print(Path directory, ScriptedModel model, String prompt, String... extra) throws IOException {
		claudeStarted = true;
		List<String> command = new ArrayList<>(
				List.of(cli().toString(), "-p", prompt, "--output-format", "json", "--allowedTools", "Bash"));
		command.addAll(List.of(extra));
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(Files.createTempFile(root, "print", ".out").toFile());
		builder.environment().clear();
		builder.environment().putAll(environment(model));
		Process process = builder.start();
		processes.add(process);
		return process;
	}

	/** Starts an interactive session in tmux, waiting at its prompt. */
	public Interactive interactive(String name, Path directory, ScriptedModel model)
			throws IOException, InterruptedException {
		claudeStarted = true;
		List<String> command = new ArrayList<>(List.of("tmux", "-L", tmux, "new-session", "-d", "-s", name, "-x", "200",
				"-y", "50", "-c", directory.toString(), "env", "-i"));
		environment(model).forEach((key, value) -> command.add(key + "=" + value));
		command.add(cli().toString());
		Result started = run(command, Map.of("PATH", System.getenv("PATH")), directory);
		if (started.exitCode() != 0) {
			throw new IllegalStateException("tmux did not start " + name + ": " + started.output());
		}
		tmuxStarted = true;
		return new Interactive(name, model);
	}

	/** An interactive session: type into it, read its screen. */
	public final class Interactive {

		private static final Duration PROMPT_TIMEOUT = Duration.ofSeconds(60);

		private final String name;

		private final ScriptedModel model;

		Interactive(String name, ScriptedModel model) {
			this.name = name;
			this.model = model;
		}

		/**
		 * Types a prompt, presses Enter and waits until the model is sent it. Keys typed
		 * while the TUI is still drawing itself can be lost, and an Enter that follows a
		 * burst of keys at once can be taken into a paste, both more often when several
		 * sessions share two busy cores; so what the screen shows decides what is tried
		 * again: Enter when the text waits in the input box, the text when it is gone.
		 */
		public void prompt(String text) throws IOException, InterruptedException {
			long deadline = System.nanoTime() + PROMPT_TIMEOUT.toNanos();
			type(text);
			while (model.awaitMatching(request -> request.main() && request.contains(text), Duration.ofSeconds(5))
				.isEmpty()) {
				String screen = screen();
				if (System.nanoTime() > deadline) {
					throw new AssertionError("Session " + name + " did not send '" + text + "' to its model within "
							+ PROMPT_TIMEOUT + "; its screen:\n" + screen + "\nthe model was sent " + model.summary());
				}
				if (screen.contains(text)) {
					tmux("send-keys", "-t", name, "Enter");
				}
				else {
					type(text);
				}
			}
		}

		private void type(String text) throws IOException, InterruptedException {
			tmux("send-keys", "-t", name, "-l", text);
			tmux("send-keys", "-t", name, "Enter");
		}

		public String screen() throws IOException, InterruptedException {
			return tmux("capture-pane", "-p", "-t", name).output();
		}

		/** Ends the session as closing its terminal does: Claude Code gets a hang-up. */
		public void kill() throws IOException, InterruptedException {
			tmux("kill-session", "-t", name);
		}

		private Result tmux(String... args) throws IOException, InterruptedException {
			List<String> command = new ArrayList<>(List.of("tmux", "-L", tmux));
			command.addAll(List.of(args));
			return run(command, Map.of("PATH", System.getenv("PATH")), root);
		}

	}

	/** What a command printed (output and errors together) and its exit code. */
	public record Result(int exitCode, String output) {
	}

	/**
	 * The environment of every Claude Code process: nothing of the environment the tests
	 * run in (they may run inside a Claude Code session themselves), a model that is a
	 * script, no update checks.
	 */
	/**
	 * Settings for every process of this user, the broker its sessions start included.
	 */
	private final Map<String, String> settings = new LinkedHashMap<>();

	/**
	 * A setting, such as {@code MYCELIUM_WAKES_PERPAIR}, for the processes started after.
	 */
	public void setting(String name, String value) {
		settings.put(name, value);
	}

	Map<String, String> environment(ScriptedModel model) {
		Map<String, String> environment = new LinkedHashMap<>(settings);
		environment.put("HOME", home.toString());
		environment.put("PATH", System.getenv("PATH"));
		environment.put("LANG", "C.UTF-8");
		environment.put("TERM", "xterm-256color");
		environment.put("SHELL", "/bin/bash");
		environment.put("JAVA_HOME", System.getProperty("java.home"));
		if (!ownsBroker) {
			environment.put("MYCELIUM_HOME", myceliumHome.toString());
		}
		environment.put("MYCELIUM_PORT", String.valueOf(port));
		environment.put("DISABLE_AUTOUPDATER", "1");
		environment.put("ANTHROPIC_AUTH_TOKEN", "scripted");
		environment.put("ANTHROPIC_BASE_URL", model != null ? model.url() : "http://127.0.0.1:9");
		return environment;
	}

	/**
	 * Adds the directory to the trusted projects of {@code ~/.claude.json}, which is
	 * written before any session starts (Claude Code then adds its own keys).
	 */
	private void trust(Path directory) throws IOException {
		if (trusted.contains(directory)) {
			return;
		}
		if (claudeStarted) {
			throw new IllegalStateException("Create the projects (" + directory
					+ ") before Claude Code runs: it keeps its own settings in ~/.claude.json");
		}
		trusted.add(directory);
		String projects = trusted.stream()
			.map(path -> "  " + ScriptedModel.quote(path.toString()) + ": {\"hasTrustDialogAccepted\": true}")
			.collect(Collectors.joining(",\n"));
		Files.writeString(home.resolve(".claude.json"),
				"{\"hasCompletedOnboarding\": true, \"projects\": {\n" + projects + "\n}}\n");
	}

	/**
	 * The version under test: {@link #VERSION} unless {@link #VERSION_PROPERTY} names
	 * one.
	 */
	public static String version() {
		String chosen = System.getProperty(VERSION_PROPERTY, "").strip();
		return chosen.isEmpty() ? VERSION : chosen;
	}

	/**
	 * The Claude Code CLI of {@link #version()}, installed from the npm registry on first
	 * use, one directory per version so that switching versions never mixes two installs.
	 */
	public static synchronized Path cli() throws IOException {
		String version = version();
		Path prefix = Path.of(System.getProperty("mycelium.test.claude-code", "target/claude-code"))
			.resolve(version)
			.toAbsolutePath();
		Path cli = prefix.resolve("node_modules/@anthropic-ai/claude-code/bin/claude.exe");
		Path installed = prefix.resolve("installed-" + version);
		if (Files.exists(installed) && Files.isExecutable(cli)) {
			return cli;
		}
		Files.createDirectories(prefix);
		try {
			// npm alone keeps the whole environment and the user's npm settings: the
			// machine's
			// registry, proxy and certificate authorities live there (a clean environment
			// met
			// SELF_SIGNED_CERT_IN_CHAIN behind a proxy that re-signs TLS).
			Result npm = runInherited(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit",
					"--no-fund", "--loglevel=error", "@anthropic-ai/claude-code@" + version), prefix);
			if (npm.exitCode() != 0 || !Files.isExecutable(cli)) {
				throw new IOException(
						"npm could not install @anthropic-ai/claude-code@" + version + ": " + npm.output());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while installing Claude Code", ex);
		}
		Files.writeString(installed, version + "\n");
		return cli;
	}

	static Result run(List<String> command, Map<String, String> environment, Path directory)
			throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
		// Nothing inherited: the test JVM's own MYCELIUM_HOME (the build's safety net) or
		// a
		// Claude Code session around the tests must not leak into what runs here.
		builder.environment().clear();
		builder.environment().put("PATH", System.getenv("PATH"));
		builder.environment().putAll(environment);
		return waitFor(builder, command);
	}

	private static Result runInherited(List<String> command, Path directory) throws IOException, InterruptedException {
		return waitFor(new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true), command);
	}

	private static Result waitFor(ProcessBuilder builder, List<String> command)
			throws IOException, InterruptedException {
		File output = File.createTempFile("command", ".out");
		output.deleteOnExit();
		builder.redirectOutput(output);
		Process process = builder.start();
		if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
			throw new IOException(command + " did not end within " + COMMAND_TIMEOUT);
		}
		return new Result(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Ends every session (tmux server, {@code claude -p} processes and what they started)
	 * and the broker the sessions started.
	 */
	@Override
	public void close() throws IOException, InterruptedException {
		if (tmuxStarted) {
			run(List.of("tmux", "-L", tmux, "kill-server"), Map.of("PATH", System.getenv("PATH")), root);
		}
		for (Process process : processes) {
			process.descendants().forEach(ProcessHandle::destroy);
			process.destroy();
		}
		for (Process process : processes) {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
			}
		}
		if (ownsBroker) {
			stopBroker();
		}
	}

	/**
	 * Stops every process of this user's MYCELIUM_HOME: the sessions' serve processes
	 * first (one still running would start a broker again), then the broker.
	 */
	private void stopBroker() throws IOException, InterruptedException {
		for (int round = 0; round < 3; round++) {
			List<ProcessHandle> left = processesOfThisHome();
			if (left.isEmpty()) {
				return;
			}
			left.forEach(ProcessHandle::destroy);
			for (ProcessHandle process : left) {
				try {
					process.onExit().get(20, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					process.destroyForcibly();
				}
			}
		}
	}

	/**
	 * Processes of this user (its HOME) or of this MYCELIUM_HOME, by their environment
	 * (Linux: /proc).
	 */
	private List<ProcessHandle> processesOfThisHome() {
		List<byte[]> wanted = List.of(("MYCELIUM_HOME=" + myceliumHome + "\0").getBytes(StandardCharsets.UTF_8),
				("HOME=" + home + "\0").getBytes(StandardCharsets.UTF_8));
		long self = ProcessHandle.current().pid();
		return ProcessHandle.allProcesses().filter(process -> process.pid() != self).filter(process -> {
			try {
				byte[] environ = Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "environ"));
				return wanted.stream().anyMatch(entry -> hasEntry(environ, entry));
			}
			catch (IOException | RuntimeException ex) {
				return false;
			}
		}).toList();
	}

	/** Whether {@code entry} is one whole entry of the NUL-separated environment. */
	private static boolean hasEntry(byte[] environ, byte[] entry) {
		outer: for (int i = 0; i <= environ.length - entry.length; i++) {
			if (i > 0 && environ[i - 1] != 0) {
				continue;
			}
			for (int j = 0; j < entry.length; j++) {
				if (environ[i + j] != entry[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

}
