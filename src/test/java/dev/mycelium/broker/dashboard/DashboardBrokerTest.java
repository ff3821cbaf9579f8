package dev.mycelium.broker.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.MyceliumHome;

/**
 * One real broker on a random loopback port with a temporary {@code MYCELIUM_HOME},
 * shared by the dashboard's test classes (the same settings: Spring keeps one context).
 * Its clock is the tests' to move, so that a login code's minute passes at once.
 */
@SpringBootTest(classes = MyceliumApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "mycelium.host=localhost")
@ActiveProfiles("broker")
@Import(DashboardBrokerTest.TestClock.class)
abstract class DashboardBrokerTest {

	private static final AtomicInteger NAMES = new AtomicInteger();

	@LocalServerPort
	int port;

	@Value("${mycelium.home}")
	Path home;

	@Autowired
	MutableClock clock;

	BrokerHttp http;

	@DynamicPropertySource
	static void homeOfItsOwn(DynamicPropertyRegistry registry) {
		try {
			Path root = Files.createTempDirectory("mycelium-dashboard-test");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(root.toFile())));
			registry.add("mycelium.home", () -> root.resolve("home").toString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@BeforeEach
	void connect() {
		http = new BrokerHttp(port, new MyceliumHome(home).readToken().orElseThrow());
	}

	/** A name no other test uses. */
	static String unique(String name) {
		return name + "-" + NAMES.incrementAndGet();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class TestClock {

		/** Takes the place of the broker's clock everywhere, the dashboard's included. */
		@Bean
		@Primary
		MutableClock mutableClock() {
			return new MutableClock(Clock.systemUTC());
		}

	}

}
