package dev.mycelium.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The command line as a user runs it: each command a child process of the test's class
 * path, against a real broker process on a random port with a temporary
 * {@code MYCELIUM_HOME}. Closing stops every process it started.
 */
final class CliProcesses implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** What a launcher would pass to a short-lived JVM; keeps the tests quick. */
	private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

	private final Path directory;

	private final List<Process> processes = new ArrayList<>();

	private final AtomicInteger runs = new AtomicInteger();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	CliProcesses(Path directory) {
		this.directory = directory;
	}

	/** What one command printed and how it exited. */
	record Run(int exitCode, String stdout, String stderr, Duration took) {

		List<String> lines() {
			return stdout.lines().toList();
		}

	}

	/** Where the commands look for the broker. */
	record Target(Path home, int port) {

		Map<String, String> environment() {
			return Map.of("MYCELIUM_HOME", home.toString(), "MYCELIUM_PORT", String.valueOf(port));
		}

		String token() {
			return new MyceliumHome(home).readToken().orElseThrow();
		}

		BrokerState state() {
			return JSON.readValue(home.resolve("broker.json").toFile(), BrokerState.class);
		}

	}

	/** A peer registered by the test, with the secret that acts as it. */
	record Peer(String id, String name, String secret) {
	}

	/** A home and a free port where no broker runs. */
	Target nowhere(String name) throws IOException {
		return new Target(directory.resolve(name), freePort());
	}

	/**
	 * A broker process for a new home on a free port, once its broker.json is written.
	 */
	Target startBroker(String name) throws IOException {
		Target target = nowhere(name);
		startBroker(target);
		return target;
	}

	/**
	 * A broker process for this home and port (again), once its broker.json is written.
	 */
	Process startBroker(Target target) throws IOException {
		Process broker = start(target.environment(),
				directory.resolve(target.home().getFileName() + "-broker-" + runs.incrementAndGet() + ".log"),
				List.of("broker", "--port", String.valueOf(target.port())));
		awaitBroker(target, broker);
		return broker;
	}

	/** Waits until the broker of this target has written broker.json. */
	void awaitBroker(Target target, Process broker) {
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
			assertThat(broker.isAlive()).as("the broker is running (see its log in %s)", directory).isTrue();
			return Files.exists(target.home().resolve("broker.json"));
		});
	}

	/** A broker process with its output in a log file; stopped on close. */
	Process start(Map<String, String> environment, Path log, List<String> args) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command(args)).redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		processes.add(process);
		return process;
	}

	/** Starts a command that runs until stopped, its output going to two files. */
	Process startCommand(Target target, Path stdout, Path stderr, String... args) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command(List.of(args))).redirectOutput(stdout.toFile())
			.redirectError(stderr.toFile());
		builder.environment().putAll(target.environment());
		builder.environment().put("COLUMNS", "100");
		Process process = builder.start();
		processes.add(process);
		return process;
	}

	/** Runs one command to its end. */
	Run run(Target target, String... args) throws IOException, InterruptedException {
		return run(target.environment(), args);
	}

	Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
		return runIn(null, environment, args);
	}

	/** A command run in {@code workingDirectory} ({@code null}: this JVM's). */
	Run runIn(Path workingDirectory, Map<String, String> environment, String... args)
			throws IOException, InterruptedException {
		int n = runs.incrementAndGet();
		Path stdout = directory.resolve("run-" + n + ".stdout");
		Path stderr = directory.resolve("run-" + n + ".stderr");
		ProcessBuilder builder = new ProcessBuilder(command(List.of(args))).redirectOutput(stdout.toFile())
			.redirectError(stderr.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
		if (workingDirectory != null) {
			builder.directory(workingDirectory.toFile());
		}
		builder.environment().remove("COLUMNS");
		builder.environment().putAll(environment);
		long started = System.nanoTime();
		Process process = builder.start();
		processes.add(process);
		if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("mycelium " + String.join(" ", args) + " did not end within " + COMMAND_TIMEOUT);
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		return new Run(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
				Files.readString(stderr, StandardCharsets.UTF_8), took);
	}

	/**
	 * What the brokers started here logged, for the description of a failed assertion.
	 */
	String brokerLogs() {
		try (var files = Files.list(directory)) {
			StringBuilder logs = new StringBuilder();
			for (Path log : files.filter(file -> file.getFileName().toString().contains("-broker")).sorted().toList()) {
				logs.append("\n--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
			}
			return logs.toString();
		}
		catch (IOException ex) {
			return "(no broker logs: " + ex + ")";
		}
	}

	/** Registers a peer the way serve does, with a session key of its own. */
	Peer register(Target target, String name, String repo, String branch, String summary) {
		return register(target, name, Path.of("/work", name), repo, branch, summary);
	}

	Peer register(Target target, String name, Path cwd, String repo, String branch, String summary) {
		Map<String, Object> registration = new LinkedHashMap<>();
		registration.put("name", name);
		registration.put("cwd", cwd.toString());
		registration.put("session_key", "key-" + name);
		registration.put("repo", repo);
		registration.put("branch", branch);
		registration.put("summary", summary);
		JsonNode answer = JSON.readTree(request(target, "POST", "/api/peers", registration, null, 201));
		return new Peer(answer.path("id").asString(), answer.path("name").asString(), answer.path("secret").asString());
	}

	/** The peer's unread inbox, read with its own secret. */
	JsonNode inbox(Target target, Peer peer) {
		return JSON.readTree(request(target, "GET", "/api/peers/" + peer.id() + "/messages", null, peer.secret(), 200));
	}

	String request(Target target, String method, String path, Object body, String secret, int expectedStatus) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + target.port() + path))
			.header("Authorization", "Bearer " + target.token())
			.timeout(Duration.ofSeconds(30));
		if (secret != null) {
			request.header("Mycelium-Peer-Secret", secret);
		}
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
				: HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
		try {
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(expectedStatus);
			return response.body();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> command(List<String> args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(JVM_FLAGS);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), MyceliumApplication.class.getName()));
		command.addAll(args);
		return command;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() {
		for (Process process : processes) {
			process.destroy();
		}
		for (Process process : processes) {
			try {
				if (!process.waitFor(20, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				process.destroyForcibly();
			}
		}
	}

}
