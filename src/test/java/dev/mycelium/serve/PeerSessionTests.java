package dev.mycelium.serve;

import java.io.IOException;
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
	void stopAnyBrokerStarted() {
		ServeSessions.stopBrokerOf(temporary.resolve("home"));
	}

	@Test
	void anEndingSessionNeitherRegistersNorStartsABroker() throws IOException {
		Path home = temporary.resolve("home");
		BrokerClient client = BrokerClient.create(
				new ClientProperties(home, "localhost", ServeSessions.freePort(), Duration.ofSeconds(90)),
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

}
