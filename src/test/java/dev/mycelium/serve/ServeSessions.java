package dev.mycelium.serve;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.BrokerState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real {@code serve} processes driven by the MCP Java SDK's own client, as Claude Code
 * drives them, each in a working directory of the test's choosing, with its standard
 * output copied to a file so that every line can be checked to be JSON-RPC. Closing stops
 * every process it started, and the brokers they started.
 */
final class ServeSessions implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** What the launcher passes too: no JVM message may reach standard output. */
	private static final List<String> JVM_FLAGS = List.of("-Xlog:disable", "-Xlog:all=warning:stderr",
			"-XX:+DisplayVMOutputToStderr", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

	private static final String HEARTBEAT = "--mycelium.serve.heartbeat-interval=";

	/**
	 * A heartbeat a second, so that tests see git changes and liveness quickly; a test
	 * that passes {@code SLOW_HEARTBEAT} instead gets a session that only notices what
	 * happened to the broker through its own tool calls.
	 */
	private static final String FAST_HEARTBEAT = HEARTBEAT + "1s";

	static final String SLOW_HEARTBEAT = HEARTBEAT + "10m";

	/**
	 * {@code bin/mycelium}, when the build runs these tests against the packaged jar
	 * (failsafe): then every {@code serve} takes the launcher's fast path, start-up cache
	 * included.
	 */
	private static final String LAUNCHER = System.getProperty("mycelium.test.launcher", "");

	private final Path home;

	private final int port;

	private final Path logs;

	/** Thread-safe: a test may start sessions at once. */
	private final List<Session> sessions = new CopyOnWriteArrayList<>();

	private final List<Process> processes = new CopyOnWriteArrayList<>();

	private final String launcher;

	private final Map<String, String> extraEnvironment = new java.util.HashMap<>();

	ServeSessions(Path home, int port, Path logs) {
		this(home, port, logs, LAUNCHER);
	}

	/**
	 * Sessions started by this launcher ({@code ""}: by this JVM, with the class path).
	 */
	ServeSessions(Path home, int port, Path logs, String launcher) {
		this.home = home;
		this.port = port;
		this.logs = logs;
		this.launcher = launcher;
	}

	/** One session's client, its output and its error stream. */
	record Session(String label, McpSyncClient client, Path stdout, List<String> stderr,
			BlockingQueue<ChannelMessage> channel) {

		/**
		 * The next channel notification, waiting up to {@code wait}; null if none came.
		 */
		ChannelMessage nextPush(Duration wait) throws InterruptedException {
			return channel.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
		}

		CallToolResult call(String tool, Map<String, Object> arguments) {
			return client.callTool(new CallToolRequest(tool, arguments));
		}

		/** The text of a successful call; fails the test on an error result. */
		String ok(String tool, Map<String, Object> arguments) {
			CallToolResult result = call(tool, arguments);
			assertThat(result.isError()).as("%s %s: %s", tool, arguments, text(result)).isFalse();
			return text(result);
		}

		/** The text of an error result; fails the test on success. */
		String error(String tool, Map<String, Object> arguments) {
			CallToolResult result = call(tool, arguments);
			assertThat(result.isError()).as("%s %s should fail: %s", tool, arguments, text(result)).isTrue();
			return text(result);
		}

		static String text(CallToolResult result) {
			return ((TextContent) result.content().get(0)).text();
		}

		/** Every line the process wrote on standard output is a JSON-RPC 2.0 message. */
		void assertStdoutIsOnlyJsonRpc() throws IOException {
			// tee hands each line to the client before it writes it to the file: wait
			// until
			// the file has caught up with what the client already read (whole lines).
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
				String text = Files.readString(stdout, StandardCharsets.UTF_8);
				return !text.isEmpty() && text.endsWith("\n");
			});
			List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
			assertThat(lines).as("stdout of %s", label).isNotEmpty();
			for (String line : lines) {
				JsonNode message = JSON.readTree(line);
				assertThat(message.path("jsonrpc").asString()).as("stdout line of %s: %s", label, line)
					.isEqualTo("2.0");
			}
		}

	}

	/** A {@code notifications/claude/channel} as the client received it. */
	record ChannelMessage(String content, Map<String, String> meta, long receivedNanos) {
	}

	/** A session that is registered at the broker (so the others can see it). */
	Session start(String label, Path directory, String... serveArgs) {
		Session session = launch(label, directory, serveArgs);
		// serve registers in the background; a first call waits for it.
		session.ok("identify", Map.of());
		return session;
	}

	/** A session whose MCP handshake is done, registered or not. */
	Session launch(String label, Path directory, String... serveArgs) {
		Path stdout = logs.resolve(label + ".stdout");
		// sh copies standard output to a file as it passes, so the test sees every byte
		// the
		// client saw; "$0" is that file, the rest is the command.
		List<String> args = new ArrayList<>(List.of("-c", "\"$@\" | tee \"$0\"", stdout.toString()));
		String heartbeat = Stream.of(serveArgs)
			.filter(arg -> arg.startsWith(HEARTBEAT))
			.findFirst()
			.orElse(FAST_HEARTBEAT);
		args.addAll(serveCommand(directory, heartbeat));
		args.addAll(Stream.of(serveArgs).filter(arg -> !arg.startsWith(HEARTBEAT)).toList());
		ServerParameters parameters = ServerParameters.builder("/bin/sh").args(args).env(environment()).build();
		StdioClientTransport transport = new StdioClientTransport(parameters, McpJsonDefaults.getMapper());
		List<String> stderr = new CopyOnWriteArrayList<>();
		transport.setStdErrorHandler(stderr::add);
		BlockingQueue<ChannelMessage> channel = new LinkedBlockingQueue<>();
		McpSyncClient client = McpClient.sync(new ChannelTap(transport, channel))
			.initializationTimeout(Duration.ofSeconds(180))
			.requestTimeout(Duration.ofSeconds(150))
			.build();
		Session session = new Session(label, client, stdout, stderr, channel);
		sessions.add(session);
		client.initialize();
		return session;
	}

	/** A raw {@code serve} process, for tests about processes rather than tools. */
	Process startRaw(String label, Path directory) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(serveCommand(directory)).directory(directory.toFile())
			.redirectOutput(logs.resolve(label + ".stdout").toFile())
			.redirectError(logs.resolve(label + ".stderr").toFile());
		builder.environment().putAll(environment());
		Process process = builder.start();
		processes.add(process);
		return process;
	}

	/**
	 * The command that runs {@code serve} in a directory: through the launcher when the
	 * build names it, else this JVM with the test class path. Either way the process that
	 * runs {@code serve} is the JVM itself (the launcher and the shell that changes
	 * directory {@code exec} it), as when Claude Code starts it.
	 */
	List<String> serveCommand(Path directory) {
		return serveCommand(directory, FAST_HEARTBEAT);
	}

	private List<String> serveCommand(Path directory, String heartbeat) {
		if (!launcher.isEmpty()) {
			return List.of("/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.toString(), launcher, "serve",
					heartbeat);
		}
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(JVM_FLAGS);
		command.addAll(List.of("-Duser.dir=" + directory, "-cp", System.getProperty("java.class.path"),
				MyceliumApplication.class.getName(), "serve", heartbeat));
		return command;
	}

	/**
	 * More environment for the sessions started from now on (and the broker they start).
	 */
	void putEnvironment(String name, String value) {
		extraEnvironment.put(name, value);
	}

	/** This test's home and port; the launcher runs the JVM that runs the tests. */
	Map<String, String> environment() {
		// Blank, not inherited: tests run inside a Claude Code session must not hand
		// every
		// serve that session's id and inbox socket.
		Map<String, String> environment = new java.util.HashMap<>(Map.of("MYCELIUM_HOME", home.toString(),
				"MYCELIUM_PORT", String.valueOf(port), "JAVA_HOME", System.getProperty("java.home"),
				"CLAUDE_CODE_SESSION_ID", "", "CLAUDE_CODE_MESSAGING_SOCKET", "", "CLAUDE_CODE_MESSAGING_TOKEN", ""));
		environment.putAll(extraEnvironment);
		return environment;
	}

	BrokerState brokerState() {
		return JSON.readValue(home.resolve("broker.json").toFile(), BrokerState.class);
	}

	/**
	 * A git repository with one commit, and a second worktree of it on its own branch.
	 */
	static Path[] repositoryWithWorktree(Path parent, String name) throws IOException, InterruptedException {
		Path main = parent.resolve(name);
		Path worktree = parent.resolve(name + "-feature");
		Files.createDirectories(main);
		Files.writeString(main.resolve("README.md"), "# " + name + "\n");
		git(main, "init", "-q", "-b", "main");
		git(main, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "--allow-empty", "-m",
				"Initial commit of " + name);
		git(main, "worktree", "add", "-q", "-b", "feature", worktree.toString());
		return new Path[] { main, worktree };
	}

	static void git(Path directory, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
		command.addAll(List.of(args));
		Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(git.exitValue()).as("git %s: %s", List.of(args), output).isZero();
	}

	@Override
	public void close() {
		for (Session session : sessions) {
			try {
				session.client().closeGracefully();
			}
			catch (RuntimeException ex) {
				// already gone
			}
		}
		for (Process process : processes) {
			stop(process.toHandle());
		}
		stopBrokerOf(home);
	}

	/**
	 * Stops the broker a session started for {@code home}: brokers run detached. One
	 * launched just before its session ended has a log but no broker.json yet: it is
	 * waited for, or it would outlive the test.
	 */
	static void stopBrokerOf(Path home) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (Files.exists(home.resolve("broker.log")) && !Files.exists(home.resolve("broker.json"))
				&& System.nanoTime() < deadline) {
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		try {
			ProcessHandle.of(JSON.readValue(home.resolve("broker.json").toFile(), BrokerState.class).pid())
				.ifPresent(ServeSessions::stop);
		}
		catch (RuntimeException ex) {
			// no broker.json: no broker running
		}
	}

	/** A port nothing listens on (as of now). */
	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	static void stop(ProcessHandle process) {
		process.destroy();
		try {
			process.onExit().get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			process.destroyForcibly();
		}
	}

	/**
	 * The SDK client has no handler for notifications it does not know; this transport
	 * sees every inbound message first and keeps the channel notifications.
	 */
	private record ChannelTap(McpClientTransport delegate,
			BlockingQueue<ChannelMessage> channel) implements McpClientTransport {

		@Override
		@SuppressWarnings("unchecked")
		public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
			return delegate.connect(inbound -> handler.apply(inbound.doOnNext(message -> {
				if (message instanceof JSONRPCNotification notification
						&& "notifications/claude/channel".equals(notification.method())) {
					Map<String, Object> params = (Map<String, Object>) notification.params();
					channel.add(new ChannelMessage((String) params.get("content"),
							(Map<String, String>) params.get("meta"), System.nanoTime()));
				}
			})));
		}

		@Override
		public void setExceptionHandler(Consumer<Throwable> handler) {
			delegate.setExceptionHandler(handler);
		}

		@Override
		public Mono<Void> closeGracefully() {
			return delegate.closeGracefully();
		}

		/**
		 * One at a time: the SDK's stdio client refuses a message offered while another
		 * thread offers one ("Failed to enqueue message"), the same flaw that
		 * {@code StdioSessionTransport} avoids on the server side. It offers the message
		 * while this method runs, so a lock is enough.
		 */
		@Override
		public synchronized Mono<Void> sendMessage(JSONRPCMessage message) {
			return delegate.sendMessage(message);
		}

		@Override
		public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
			return delegate.unmarshalFrom(data, typeRef);
		}

		@Override
		public List<String> protocolVersions() {
			return delegate.protocolVersions();
		}

	}

}
