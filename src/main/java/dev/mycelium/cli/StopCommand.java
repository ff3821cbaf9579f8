package dev.mycelium.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.BrokerState;

/**
 * Stops the broker gracefully through {@code POST /api/broker/shutdown}, then waits until
 * it is really gone (its {@code broker.json} removed, its process ended), so that a
 * command run next finds no broker.
 */
@Command(name = "stop", header = "Stop the broker gracefully.",
		description = {
				"Asks the broker to stop (POST /api/broker/shutdown): it finishes the requests in flight, "
						+ "closes its streams and removes broker.json; then waits until its process has ended.",
				"No broker running: says so, exit code 0." })
final class StopCommand implements Callable<Integer> {

	/** Longer than the broker's graceful shutdown allows its requests (30 s). */
	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final Duration POLL = Duration.ofMillis(50);

	@Mixin
	HelpOption help;

	private final Console console;

	StopCommand(Console console) {
		this.console = console;
	}

	@Override
	public Integer call() throws InterruptedException {
		BrokerInfo info;
		try {
			info = console.client().stopBroker();
		}
		catch (BrokerUnavailableException ex) {
			if (!Console.notRunning(ex)) {
				throw console.unavailable(ex, "");
			}
			console.out.println("No broker is running at " + console.address() + "; nothing to stop.");
			return 0;
		}
		catch (BrokerProblem ex) {
			if (ex.status() == 404) {
				throw new CliFailure("The broker at " + console.address()
						+ " has no shutdown route (it is older than this command); stop it with 'kill "
						+ console.client().info().pid() + "'.");
			}
			throw console.refused(ex);
		}
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (stateFileNames(info.instanceId())) {
			if (System.nanoTime() > deadline) {
				throw stillRunning(info);
			}
			Thread.sleep(POLL.toMillis());
		}
		Optional<ProcessHandle> process = ProcessHandle.of(info.pid());
		if (process.isPresent()) {
			try {
				process.get().onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException | ExecutionException ex) {
				throw stillRunning(info);
			}
		}
		console.out.println("Broker stopped (pid " + info.pid() + ", was up "
				+ Text.uptime(Duration.between(info.startedAt(), console.clock.instant())) + ").");
		return 0;
	}

	/** Whether {@code broker.json} still describes the broker that was asked to stop. */
	private boolean stateFileNames(String instanceId) {
		Path file = console.properties().myceliumHome().brokerState();
		try {
			return Files.exists(file)
					&& instanceId.equals(console.json().readValue(file.toFile(), BrokerState.class).instanceId());
		}
		catch (RuntimeException ex) {
			// removed while being read
			return Files.exists(file);
		}
	}

	private CliFailure stillRunning(BrokerInfo info) {
		return new CliFailure("The broker (pid " + info.pid() + ") was asked to stop but is still running after "
				+ TIMEOUT.toSeconds() + " s; see " + console.properties().myceliumHome().brokerLog() + " or kill it.");
	}

}
