package dev.mycelium.cli;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.cli.CliProcesses.Run;
import dev.mycelium.cli.CliProcesses.Target;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stop} against a real broker process: it is gone when the command returns. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StopCommandIntegrationTests {

	@TempDir
	Path temporary;

	private CliProcesses cli;

	@BeforeEach
	void processes() {
		cli = new CliProcesses(temporary);
	}

	@AfterEach
	void stopEverything() {
		cli.close();
	}

	@Test
	void stopEndsTheBrokerProcessAndASecondStopFindsNone() throws Exception {
		Target broker = cli.startBroker("home");
		long pid = broker.state().pid();

		Run stop = cli.run(broker, "stop");

		assertThat(stop.exitCode()).as("%s%s", stop, cli.brokerLogs()).isZero();
		assertThat(stop.stderr()).isEmpty();
		assertThat(stop.stdout()).as("%s%s", stop, cli.brokerLogs())
			.matches("Broker stopped \\(pid " + pid + ", was up (\\d+s|\\d+m \\d+s)\\)\\.\n");
		assertThat(ProcessHandle.of(pid)).as("the broker process has ended").isEmpty();
		assertThat(broker.home().resolve("broker.json")).doesNotExist();

		Run again = cli.run(broker, "stop");
		assertThat(again.exitCode()).isZero();
		assertThat(again.stdout())
			.isEqualTo("No broker is running at localhost:" + broker.port() + "; nothing to stop.\n");
		assertThat(cli.run(broker, "status").exitCode()).isEqualTo(1);
	}

}
