package dev.mycelium.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real {@code serve} delivering through an inbox socket that this test plays Claude
 * Code for: it takes the frames and writes what Claude Code would write in the project's
 * transcripts, or not. What the socket path promises: nothing is acknowledged without
 * this session's own evidence, nothing stays held without it, and many messages at once
 * are each confirmed once. (The real Claude Code is in
 * {@code ClaudeCodeIntegrationTests}.)
 */
class InboxSocketIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@TempDir
	Path temporary;

	private ConfigurableApplicationContext broker;

	private ServeSessions sessions;

	private FakeClaudeCode claudeCode;

	private int port;

	private String token;

	private final String sessionId = UUID.randomUUID().toString();

	private Path transcripts;

	@BeforeEach
	void start() throws Exception {
		Path home = temporary.resolve("home");
		broker = new SpringApplicationBuilder(MyceliumApplication.class).profiles("broker")
			.run("--mycelium.home=" + home, "--mycelium.port=0");
		port = Integer.parseInt(broker.getEnvironment().getProperty("local.server.port"));
		token = new MyceliumHome(home).readToken().orElseThrow();
		Path config = temporary.resolve("claude");
		transcripts = Files.createDirectories(config.resolve("projects").resolve("-work-shop"));
		Files.writeString(transcripts.resolve(sessionId + ".jsonl"), "");
		claudeCode = new FakeClaudeCode(temporary.resolve("inbox.sock"));
		Files.createDirectories(temporary.resolve("logs"));
		sessions = new ServeSessions(home, port, temporary.resolve("logs"));
		sessions.putEnvironment("CLAUDE_CONFIG_DIR", config.toString());
		sessions.putEnvironment("CLAUDE_CODE_SESSION_ID", sessionId);
		sessions.putEnvironment("CLAUDE_CODE_MESSAGING_SOCKET", claudeCode.path.toString());
		sessions.putEnvironment("CLAUDE_CODE_MESSAGING_TOKEN", "token-of-the-test");
	}

	@AfterEach
	void stop() throws IOException {
		if (sessions != null) {
			sessions.close();
		}
		if (claudeCode != null) {
			claudeCode.close();
		}
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	void aBroadcastQueuedOnlyInAnotherSessionsTranscriptIsLeftToTheHooksNotHeldForEver() throws Exception {
		// Another session of the same project directory got the same broadcast; this
		// one's socket dropped it.
		String other = UUID.randomUUID().toString();
		claudeCode.onFrame = frame -> append(other + ".jsonl", enqueue(other, frame.content()));
		String name = join();

		String id = send(name, "v2 is live");
		assertThat(claudeCode.frames(1)).as("the frame went out").isNotEmpty();

		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			String context = postToolUseHook();
			assertThat(context).as("the next hook brings it").contains("v2 is live").contains(id);
		});
		assertThat(peer(name).path("unread").asInt()).as("read once the hook showed it").isZero();
		assertThat(peer(name).path("delivery").asString()).as("one foreign queue line is no failure of the socket")
			.isEqualTo("inbox socket, hooks");
	}

	@Test
	void manyMessagesAtOnceAreEachConfirmedFromTheSessionsOwnTranscript() throws Exception {
		claudeCode.onFrame = frame -> {
			append(sessionId + ".jsonl", enqueue(sessionId, frame.content()));
			append(sessionId + ".jsonl", inConversation(sessionId, frame));
		};
		String name = join();

		for (int i = 0; i < 20; i++) {
			send(name, "message " + i);
		}

		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(200))
			.untilAsserted(() -> assertThat(peer(name).path("unread").asInt()).isZero());
		assertThat(claudeCode.frames(20)).hasSize(20);
		assertThat(postToolUseHook()).as("nothing left for the hooks").isEmpty();
	}

	@Test
	void aMessageNeverSeenInTheTranscriptIsReleasedAndTheSocketGivenUpAfterTwo() throws Exception {
		claudeCode.onFrame = frame -> {
		};
		String name = join();

		for (String body : List.of("first", "second")) {
			String id = send(name, body);
			claudeCode.frames(body.equals("first") ? 1 : 2);
			assertThat(postToolUseHook()).as("held while the socket may still take it").doesNotContain(id);
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(200))
				.untilAsserted(() -> assertThat(postToolUseHook()).as("released after 3 s, then a hook brings it")
					.contains(id));
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(peer(name).path("delivery").asString()).isEqualTo("tool notices, hooks"));
	}

	// ---- the session, the broker

	/** Starts the session's serve; returns its name. */
	private String join() throws Exception {
		Path directory = Files.createDirectories(temporary.resolve("work").resolve("shop"));
		sessions.start("shop", directory);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(peers()).anySatisfy(peer -> {
			assertThat(peer.path("cwd").asString()).isEqualTo(directory.toString());
			assertThat(peer.path("delivery").asString()).isEqualTo("inbox socket");
		}));
		for (JsonNode peer : peers()) {
			if (peer.path("cwd").asString().equals(directory.toString())) {
				return peer.path("name").asString();
			}
		}
		throw new AssertionError("no peer for " + directory);
	}

	private String send(String to, String body) throws Exception {
		HttpResponse<String> answer = request("POST", "/api/peers/" + to + "/messages", Map.of("body", body));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
		return JSON.readTree(answer.body()).path("id").asString();
	}

	private List<JsonNode> peers() throws Exception {
		List<JsonNode> peers = new java.util.ArrayList<>();
		JSON.readTree(request("GET", "/api/peers", null).body()).forEach(peers::add);
		return peers;
	}

	private JsonNode peer(String name) throws Exception {
		return JSON.readTree(request("GET", "/api/peers/" + name, null).body());
	}

	/** What Claude Code's {@code PostToolUse} hook would put into the model's context. */
	private String postToolUseHook() throws Exception {
		HttpResponse<String> answer = request("POST", "/api/hooks",
				Map.of("session_id", sessionId, "hook_event_name", "PostToolUse", "cwd", "/work/shop"));
		return answer.statusCode() == 200
				? JSON.readTree(answer.body()).path("hookSpecificOutput").path("additionalContext").asString() : "";
	}

	private HttpResponse<String> request(String method, String path, Object body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.timeout(Duration.ofSeconds(10));
		if (body == null) {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		else {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	// ---- what Claude Code writes in a transcript

	private static String enqueue(String session, String content) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("type", "queue-operation");
		line.put("operation", "enqueue");
		line.put("timestamp", Instant.now().toString());
		line.put("sessionId", session);
		line.put("content", content);
		return JSON.writeValueAsString(line);
	}

	private static String inConversation(String session, Frame frame) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("type", "user");
		line.put("message", Map.of("role", "user", "content", frame.content()));
		line.put("msg_id", frame.id());
		line.put("sessionId", session);
		return JSON.writeValueAsString(line);
	}

	private void append(String file, String line) {
		try {
			Files.writeString(transcripts.resolve(file), line + "\n", StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	record Frame(String id, String content) {
	}

	/** Claude Code's inbox socket: takes auth lines and frames, answers nothing. */
	private static final class FakeClaudeCode implements AutoCloseable {

		final Path path;

		final ServerSocketChannel server;

		final List<Frame> frames = new CopyOnWriteArrayList<>();

		volatile Consumer<Frame> onFrame = frame -> {
		};

		FakeClaudeCode(Path path) throws IOException {
			this.path = path;
			this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			server.bind(UnixDomainSocketAddress.of(path));
			Thread acceptor = new Thread(this::accept, "fake-claude-code");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		private void accept() {
			while (server.isOpen()) {
				try (SocketChannel connection = server.accept();
						BufferedReader lines = new BufferedReader(
								Channels.newReader(connection, StandardCharsets.UTF_8))) {
					for (String line; (line = lines.readLine()) != null;) {
						JsonNode frame = JSON.readTree(line);
						if (frame.has("msg_id")) {
							Frame taken = new Frame(frame.path("msg_id").asString(),
									frame.path("message").path("content").asString());
							frames.add(taken);
							onFrame.accept(taken);
						}
					}
				}
				catch (IOException | RuntimeException ex) {
					// closed, or a connection that broke off: the next one
				}
			}
		}

		List<Frame> frames(int atLeast) {
			await().atMost(Duration.ofSeconds(10)).until(() -> frames.size() >= atLeast);
			return List.copyOf(frames);
		}

		@Override
		public void close() throws IOException {
			server.close();
			Files.deleteIfExists(path);
		}

	}

}
