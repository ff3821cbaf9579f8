package dev.mycelium.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.store.redis.RedisServer;
import dev.mycelium.serve.ServeSessions.ChannelMessage;
import dev.mycelium.serve.ServeSessions.Session;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real {@code serve} sessions on two machines: the brokers of {@code laptop} and
 * {@code server} share one {@code redis-server}, each session speaks only to its own
 * machine's broker (both have {@code MYCELIUM_REDIS_URL} in their environment, as a user
 * would set it). What alice does on the laptop with the tools (discover, signal,
 * sporulate, nurture) reaches bob's model on the server as a channel notification within
 * a second, and bob's answers come back.
 */
@Needs(Tool.REDIS_SERVER)
class ServeOnSeveralHostsIntegrationTests {

	@TempDir
	static Path temporary;

	private static RedisServer redis;

	private static ConfigurableApplicationContext laptop;

	private static ConfigurableApplicationContext server;

	private static ServeSessions onLaptop;

	private static ServeSessions onServer;

	private static Session alice;

	private static Session bob;

	@BeforeAll
	static void startMachines() throws Exception {
		redis = RedisServer.start(temporary.resolve("redis"));
		laptop = broker("laptop");
		server = broker("server");
		Files.createDirectories(temporary.resolve("logs"));
		onLaptop = sessions(laptop, "laptop");
		onServer = sessions(server, "server");
		alice = onLaptop.start("alice", Files.createDirectories(temporary.resolve("alice")));
		bob = onServer.start("bob", Files.createDirectories(temporary.resolve("bob")), "--channel");
	}

	private static ConfigurableApplicationContext broker(String host) {
		return new SpringApplicationBuilder(MyceliumApplication.class).profiles("broker")
			.run("--mycelium.home=" + temporary.resolve(host), "--mycelium.port=0",
					"--mycelium.store.redis-url=" + redis.url(), "--mycelium.hostname=" + host);
	}

	private static ServeSessions sessions(ConfigurableApplicationContext broker, String host) {
		int port = Integer.parseInt(broker.getEnvironment().getProperty("local.server.port"));
		ServeSessions sessions = new ServeSessions(temporary.resolve(host), port, temporary.resolve("logs"));
		sessions.putEnvironment("MYCELIUM_REDIS_URL", redis.url());
		return sessions;
	}

	@AfterAll
	static void stopMachines() throws Exception {
		try {
			for (Session session : new Session[] { alice, bob }) {
				if (session != null) {
					session.assertStdoutIsOnlyJsonRpc();
				}
			}
		}
		finally {
			for (ServeSessions sessions : new ServeSessions[] { onLaptop, onServer }) {
				if (sessions != null) {
					sessions.close();
				}
			}
			for (ConfigurableApplicationContext broker : new ConfigurableApplicationContext[] { laptop, server }) {
				if (broker != null) {
					broker.close();
				}
			}
			if (redis != null) {
				redis.close();
			}
		}
	}

	@Test
	void aSessionOnTheLaptopReachesOneOnTheServerWithEveryTool() throws Exception {
		assertThat(alice.ok("discover", Map.of())).as("scope machine is the laptop")
			.startsWith("No other sessions (scope machine)");
		assertThat(alice.ok("discover", Map.of("scope", "all"))).startsWith("1 other session (scope all):")
			.containsPattern("- bob \\(id [a-z2-7]+\\) · on server · ");

		alice.ok("signal", Map.of("to", "bob", "body", "warm-up"));
		assertThat(next(bob, Duration.ofSeconds(20)).content()).contains("warm-up");
		String sent = alice.ok("signal", Map.of("to", "bob@server", "body", "the cart API returns cents"));
		ChannelMessage pushed = next(bob, Duration.ofSeconds(1));
		assertThat(pushed.content()).contains("the cart API returns cents")
			.contains("direct message from alice")
			.contains(id(Pattern.compile("message ([a-z2-7]{10})"), sent));

		bob.ok("attach", Map.of("topic", "deploys"));
		assertThat(alice.ok("sporulate", Map.of("body", "v2 is live", "topic", "deploys", "scope", "all")))
			.contains("reached 1 session: bob");
		assertThat(next(bob, Duration.ofSeconds(5)).meta()).containsEntry("topic", "deploys");

		String delegated = alice.ok("nurture", Map.of("to", "bob", "description", "review the cents change"));
		String taskId = id(Pattern.compile("task (t[a-z2-7]+)"), delegated);
		assertThat(next(bob, Duration.ofSeconds(5)).meta()).containsEntry("task_id", taskId)
			.containsEntry("kind", "task");
		assertThat(bob.ok("fruit", Map.of("task_id", taskId, "status", "completed", "result", "approved")))
			.contains("reported as completed");
		assertThat(alice.ok("sense", Map.of())).contains("approved");
	}

	private static ChannelMessage next(Session session, Duration wait) throws InterruptedException {
		ChannelMessage message = session.nextPush(wait);
		assertThat(message).as("a channel notification for %s within %s", session.label(), wait).isNotNull();
		return message;
	}

	private static String id(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		assertThat(matcher.find()).as("an id in: %s", text).isTrue();
		return matcher.group(1);
	}

}
