package dev.mycelium.serve;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.client.BrokerStarter;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.client.ClientProperties;
import dev.mycelium.protocol.BrokerState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a session's peer does once its session is ending, with no broker running: a thread
 * that still calls the broker then (the push stream, a heartbeat) gets an error, and no
 * broker is started for a session that is going away. Before, such a call started one,
 * which outlived the session (found as a broker left running by a test).
 */
class PeerSessionTests {

	@TempDir
	Path temporary;

	/** Should the session start a broker after all, the test stops it. */
	@AfterEach
	void stopAnyBrokerStarted() throws InterruptedException {
		Path state = temporary.resolve("home/broker.json");
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (Files.exists(temporary.resolve("home/broker.log")) && !Files.exists(state)
				&& System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		if (Files.exists(state)) {
			long pid = ServeSessions.JSON.readValue(state.toFile(), BrokerState.class).pid();
			ProcessHandle.of(pid).ifPresent(ServeSessions::stop);
		}
	}

	@Test
	void anEndingSessionNeitherRegistersNorStartsABroker() throws IOException {
		Path home = temporary.resolve("home");
		BrokerClient client = BrokerClient.create(
				new ClientProperties(home, "localhost", freePort(), Duration.ofSeconds(90)),
				JsonMapper.builder().build(), Duration.ofSeconds(5));
		Path directory = Files.createDirectories(temporary.resolve("work"));
		PeerSession session = new PeerSession(client, new BrokerStarter(client), new GitWorkspace(directory),
				Map.of("CLAUDE_CODE_SESSION_ID", "ending-session"));

		session.ending();

		assertThatExceptionOfType(BrokerUnavailableException.class).isThrownBy(() -> session.call(client::heartbeat))
			.withMessageContaining("session is ending");
		assertThatExceptionOfType(BrokerUnavailableException.class).isThrownBy(session::identity);
		assertThat(home.resolve("broker.log")).as("no broker was launched").doesNotExist();
		session.leave();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
