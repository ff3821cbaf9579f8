package dev.mycelium.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.MyceliumHome;

/**
 * A real broker on a random loopback port with a temporary {@code MYCELIUM_HOME}, shared
 * by the integration tests with the same settings (Spring caches the context). Tests stay
 * independent by registering peers under names of their own.
 */
@SpringBootTest(classes = MyceliumApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "mycelium.host=localhost",
				// Push tests: heartbeats often enough to watch, and a reader that stops
				// reading
				// found dead in seconds (a blocked write times out after
				// connection-timeout);
				// idle keep-alive connections stay open as in production.
				"mycelium.push.heartbeat=3s", "server.tomcat.connection-timeout=3s",
				"server.tomcat.keep-alive-timeout=60s",
				// Tests send hundreds of messages between two peers: no wake budget here
				// (WakeBudgetTests and the Claude Code loop test have theirs).
				"mycelium.wakes.per-pair=1000000", "mycelium.wakes.per-session=1000000" })
@ActiveProfiles("broker")
abstract class BrokerIntegrationTest {

	private static final AtomicInteger NAMES = new AtomicInteger();

	@LocalServerPort
	int port;

	/** This test's broker's home. */
	@Value("${mycelium.home}")
	Path home;

	BrokerApi api;

	/**
	 * Runs once per application context: a test class with settings of its own gets a
	 * broker of its own, which needs a home of its own (one broker per home), while
	 * Spring keeps the shared broker running.
	 */
	@DynamicPropertySource
	static void homeOfItsOwn(DynamicPropertyRegistry registry) {
		Path home = temporaryHome();
		registry.add("mycelium.home", home::toString);
	}

	@BeforeEach
	void connect() {
		api = new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
	}

	/** A name no other test uses. */
	static String unique(String name) {
		return name + NAMES.incrementAndGet();
	}

	private static Path temporaryHome() {
		try {
			Path root = Files.createTempDirectory("mycelium-test");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(root.toFile())));
			return root.resolve("home");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
