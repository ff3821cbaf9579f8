package dev.mycelium.broker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.broker.BrokerApi.Response;
import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/broker/shutdown}, an addition to the spec for {@code mycelium stop}:
 * only the operator may stop the broker, and it stops gracefully. A broker process of its
 * own, because the point is that the process ends.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrokerShutdownIntegrationTests {

	@TempDir
	Path temporary;

	private Path home;

	private Process broker;

	private BrokerApi api;

	@BeforeEach
	void startBroker() throws Exception {
		home = temporary.resolve("home");
		int port = freePort();
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), MyceliumApplication.class.getName(), "broker", "--port",
				String.valueOf(port))
			.redirectErrorStream(true)
			.redirectOutput(temporary.resolve("broker.log").toFile());
		builder.environment().put("MYCELIUM_HOME", home.toString());
		broker = builder.start();
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> Files.exists(home.resolve("broker.json")));
		api = new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
	}

	@AfterEach
	void stopBroker() throws InterruptedException {
		broker.destroy();
		if (!broker.waitFor(20, TimeUnit.SECONDS)) {
			broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void onlyTheOperatorStopsTheBrokerAndItLeavesNoStateFile() throws Exception {
		Agent peer = api.register("stopper");

		Response noToken = api.withToken(null).post("/api/broker/shutdown", null, null);
		Response asPeer = api.post("/api/broker/shutdown", null, peer.secret());

		assertThat(noToken.status()).isEqualTo(401);
		assertThat(asPeer.status()).isEqualTo(403);
		assertThat(asPeer.json().path("code").asString()).isEqualTo("forbidden");
		assertThat(asPeer.detail()).contains("mycelium stop");
		assertThat(api.get("/api/broker", null).status()).as("still running").isEqualTo(200);

		BrokerState state = BrokerApi.JSON.readValue(home.resolve("broker.json").toFile(), BrokerState.class);
		Response accepted = api.post("/api/broker/shutdown", null, null);

		assertThat(accepted.status()).isEqualTo(202);
		assertThat(accepted.json().path("instance_id").asString()).isEqualTo(state.instanceId());
		assertThat(accepted.json().path("pid").asLong()).isEqualTo(broker.pid());
		assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("the broker process ends").isTrue();
		assertThat(broker.exitValue()).isZero();
		assertThat(home.resolve("broker.json")).doesNotExist();
		assertThat(Files.readAllLines(temporary.resolve("broker.log")))
			.anyMatch(line -> line.contains("Shutdown requested by cli:"))
			.noneMatch(line -> line.contains("ERROR"));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
