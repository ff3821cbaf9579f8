package dev.mycelium.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.serve.ServeSessions.Session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three real {@code serve} processes, two in worktrees of one repository and one in
 * another, against a broker on a random port, walking every tool and every bad argument
 * as a model would call them.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("launcher")
class ServeIntegrationTests {

	private static final Pattern MESSAGE_ID = Pattern.compile("\\[([a-z2-7]{10})\\]");

	private static final Pattern TASK_ID = Pattern.compile("task (t[a-z2-7]{7})");

	@TempDir
	static Path temporary;

	private static ConfigurableApplicationContext broker;

	private static ServeSessions sessions;

	private static Session backend;

	private static Session frontend;

	private static Session writer;

	@BeforeAll
	static void startBrokerAndSessions() throws Exception {
		Path home = temporary.resolve("home");
		// Arguments, not default properties: application.properties would override those.
		broker = new SpringApplicationBuilder(MyceliumApplication.class).profiles("broker")
			.run("--mycelium.home=" + home, "--mycelium.port=0");
		int port = Integer.parseInt(broker.getEnvironment().getProperty("local.server.port"));
		Files.createDirectories(temporary.resolve("logs"));
		sessions = new ServeSessions(home, port, temporary.resolve("logs"));
		Path[] shop = ServeSessions.repositoryWithWorktree(temporary, "shop");
		Path[] docs = ServeSessions.repositoryWithWorktree(temporary, "docs");
		backend = sessions.start("backend", shop[0]);
		frontend = sessions.start("frontend", shop[1]);
		writer = sessions.start("writer", docs[0]);
	}

	@AfterAll
	static void stopAll() {
		if (sessions != null) {
			sessions.close();
		}
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void exactlyTheTwelveToolsWithTheirParameterNames() {
		List<McpSchema.Tool> tools = backend.client().listTools().tools();

		assertThat(tools).extracting(McpSchema.Tool::name)
			.containsExactlyInAnyOrder("discover", "signal", "sporulate", "sense", "identify", "attach", "detach",
					"nurture", "fruit", "survey", "claim", "release");
		Map<String, Map<String, Object>> properties = new java.util.HashMap<>();
		tools.forEach(tool -> properties.put(tool.name(), (Map<String, Object>) tool.inputSchema().get("properties")));
		assertThat(properties.get("signal")).containsOnlyKeys("to", "body", "reply_to");
		assertThat(properties.get("sporulate")).containsOnlyKeys("body", "topic", "scope");
		assertThat(properties.get("nurture")).containsOnlyKeys("to", "description", "context");
		assertThat(properties.get("fruit")).containsOnlyKeys("task_id", "status", "result");
		assertThat(properties.get("discover")).containsOnlyKeys("scope");
		assertThat(properties.get("identify")).containsOnlyKeys("summary");
		assertThat(properties.get("sense")).isEmpty();
		assertThat(properties.get("survey")).isEmpty();
		assertThat(properties.get("claim")).containsOnlyKeys("paths", "reason", "shared", "ttl_seconds");
		assertThat(properties.get("release")).containsOnlyKeys("paths");
		assertThat(tools).allSatisfy(tool -> assertThat(tool.description()).hasSizeLessThan(140));
	}

	/**
	 * A client may have several calls in flight (Claude Code runs tools in parallel):
	 * each gets its answer. The MCP SDK's own outbound queue lost answers offered at the
	 * same moment, and the client then waited for ever.
	 */
	@Test
	void manyToolCallsAtOnceAreEachAnswered() throws Exception {
		java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
		try {
			List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
			for (int i = 0; i < 200; i++) {
				answers.add(callers.submit(() -> writer.ok("survey", Map.of())));
			}
			for (java.util.concurrent.Future<String> answer : answers) {
				// Each its own survey answer, not an error or another call's answer.
				assertThat(answer.get(60, TimeUnit.SECONDS)).matches("(?s)(No tasks: |Delegated by you \\().*");
			}
		}
		finally {
			callers.shutdownNow();
		}
	}

	@Test
	void initializeDeclaresToolsAndTheChannelCapabilityOnly() {
		McpSchema.ServerCapabilities capabilities = writer.client().getServerCapabilities();

		assertThat(writer.client().getServerInfo().name()).isEqualTo("mycelium");
		assertThat(capabilities.experimental()).containsKey("claude/channel");
		assertThat(capabilities.tools()).isNotNull();
		assertThat(capabilities.resources()).isNull();
		assertThat(capabilities.prompts()).isNull();
	}

	@Test
	void identifyDiscoverAndScopes() {
		String self = backend.ok("identify", Map.of());
		assertThat(self).contains("You are shop").contains("Branch: main").contains("Initial commit of shop");

		assertThat(frontend.ok("identify", Map.of("summary", "building the cart page")))
			.contains("building the cart page");

		String machine = backend.ok("discover", Map.of());
		assertThat(machine).contains("shop-feature").contains("docs").doesNotContain("- shop (");
		assertThat(machine).contains("building the cart page").contains("branch feature");
		String repo = backend.ok("discover", Map.of("scope", "repo"));
		assertThat(repo).contains("shop-feature").doesNotContain("docs");
		assertThat(backend.error("discover", Map.of("scope", "galaxy"))).contains("'machine', 'repo' or 'all'");
	}

	@Test
	void theSummaryFollowsGitWhenHeadMoves() throws Exception {
		Path shop = temporary.resolve("shop");
		ServeSessions.git(shop, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q",
				"--allow-empty", "-m", "Switch totals to cents");

		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> writer.ok("discover", Map.of()),
					text -> text.contains("shop on main: Switch totals to cents"));
	}

	@Test
	void theBranchShownToOthersFollowsACheckout() throws Exception {
		Path docs = temporary.resolve("docs");
		ServeSessions.git(docs, "checkout", "-q", "-b", "drafts");
		ServeSessions.git(docs, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q",
				"--allow-empty", "-m", "Outline the guide");

		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> backend.ok("discover", Map.of()), text -> text.contains("- docs (")
					&& text.contains("branch drafts") && text.contains("docs on drafts: Outline the guide"));
		assertThat(writer.ok("identify", Map.of())).contains("Branch: drafts");
	}

	@Test
	void signalSenseAndReply() {
		String sent = backend.ok("signal", Map.of("to", "shop-feature", "body", "cart API returns cents now"));
		assertThat(sent).startsWith("Sent to shop-feature (message ");

		String notice = frontend.ok("identify", Map.of());
		assertThat(notice).endsWith("1 unread message from shop — call sense");

		String read = frontend.ok("sense", Map.of());
		assertThat(read).contains("from shop").contains("cart API returns cents now");
		String messageId = find(MESSAGE_ID, read);
		assertThat(frontend.ok("sense", Map.of())).isEqualTo("No unread messages.");

		frontend.ok("signal", Map.of("to", "shop", "body", "ok, switching to cents", "reply_to", messageId));
		String reply = backend.ok("sense", Map.of());
		assertThat(reply).contains("from shop-feature (reply to " + messageId + ")").contains("switching to cents");
	}

	@Test
	void topicsAndBroadcasts() {
		assertThat(frontend.ok("attach", Map.of("topic", "deploys"))).contains("Attached to deploys");
		assertThat(writer.ok("attach", Map.of("topic", "deploys"))).contains("docs").contains("shop-feature");

		assertThat(backend.ok("sporulate", Map.of("body", "v2 deployed", "topic", "deploys"))).contains("reached 2")
			.contains("docs")
			.contains("shop-feature");
		assertThat(writer.ok("detach", Map.of("topic", "deploys"))).contains("Detached from deploys");
		assertThat(backend.ok("sporulate", Map.of("body", "v3 deployed", "topic", "deploys"))).contains("reached 1");
		assertThat(backend.ok("sporulate", Map.of("body", "repo-wide note", "scope", "repo")))
			.contains("reached 1 session: shop-feature");

		String writerMail = writer.ok("sense", Map.of());
		assertThat(writerMail).contains("v2 deployed").doesNotContain("v3 deployed").doesNotContain("repo-wide");
		String frontendMail = frontend.ok("sense", Map.of());
		assertThat(frontendMail).contains("v2 deployed").contains("v3 deployed").contains("repo-wide note");
		assertThat(frontend.ok("detach", Map.of("topic", "deploys"))).contains("Detached");

		assertThat(writer.error("attach", Map.of("topic", "no spaces!"))).contains("Invalid topic");
		assertThat(writer.error("detach", Map.of("topic", "never-joined"))).contains("not subscribed");
		assertThat(backend.error("sporulate", Map.of("body", "x", "scope", "planet")))
			.contains("'machine', 'repo' or 'all'");
	}

	@Test
	void nurtureFruitSurvey() {
		String delegated = backend.ok("nurture",
				Map.of("to", "docs", "description", "document the cents change", "context", "see commit 1"));
		String taskId = find(Pattern.compile("Delegated task (t[a-z2-7]{7})"), delegated);

		String assignment = writer.ok("sense", Map.of());
		assertThat(assignment).contains("task " + taskId + " from shop")
			.contains("document the cents change")
			.contains("see commit 1")
			.contains("call fruit with task_id " + taskId);
		assertThat(find(TASK_ID, assignment)).isEqualTo(taskId);

		assertThat(frontend.error("fruit", Map.of("task_id", taskId, "status", "completed", "result", "not mine")))
			.contains("Only docs, the assignee");
		assertThat(writer.error("fruit", Map.of("task_id", taskId, "status", "done", "result", "x")))
			.contains("'completed' or 'failed'");
		assertThat(
				writer.ok("fruit", Map.of("task_id", taskId, "status", "completed", "result", "docs/cents.md added")))
			.contains("reported as completed");
		assertThat(writer.error("fruit", Map.of("task_id", taskId, "status", "failed", "result", "again")))
			.contains("already reported as completed");
		assertThat(writer.error("fruit", Map.of("task_id", "tnotreal", "status", "completed", "result", "x")))
			.contains("No task");

		assertThat(backend.ok("sense", Map.of())).contains("result of task " + taskId + " from docs")
			.contains("docs/cents.md added");
		assertThat(backend.ok("survey", Map.of())).contains("Delegated by you (1)")
			.contains(taskId + " → docs · completed")
			.contains("docs/cents.md added");
		assertThat(writer.ok("survey", Map.of())).contains("Assigned to you (1)").contains(taskId + " ← shop");
	}

	@Test
	void badArgumentsAreErrorsAModelCanActOn() {
		assertThat(backend.error("signal", Map.of("to", "nobody-here", "body", "hi"))).contains("No peer named")
			.contains("discover");
		assertThat(backend.error("signal", Map.of("to", "docs", "body", "  "))).contains("body is required");
		assertThat(backend.error("signal", Map.of("to", "docs", "body", "x".repeat(70_000)))).contains("limit");
		assertThat(backend.error("signal", Map.of("to", "docs"))).endsWith("'body' is required (message text).");
		assertThat(backend.error("signal", Map.of("to", "docs", "body", 42)))
			.endsWith("'body' must be a string, not a number.");
		assertThat(backend.error("signal", Map.of("to", "docs", "body", "hi", "urgent", true)))
			.endsWith("'urgent' is not a parameter of this tool; its parameters are to, body, reply_to.");
		assertThat(backend.error("nurture", Map.of("to", "nobody-here", "description", "x"))).contains("No peer");
		assertThat(backend.error("nurture", Map.of("to", "docs", "description", ""))).contains("description");
		assertThat(backend.error("signal", Map.of("to", "shop", "body", "me"))).contains("itself");
		assertThat(writer.ok("sense", Map.of())).as("nothing was delivered").isEqualTo("No unread messages.");
	}

	@Test
	void standardOutputCarriesOnlyJsonRpc() throws Exception {
		backend.ok("identify", Map.of());
		for (Session session : List.of(backend, frontend, writer)) {
			session.assertStdoutIsOnlyJsonRpc();
			assertThat(session.stderr()).as("logs go to stderr").anyMatch(line -> line.contains("Registered as"));
		}
	}

	private static String find(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		assertThat(matcher.find()).as("%s in %s", pattern, text).isTrue();
		return matcher.group(1);
	}

}
