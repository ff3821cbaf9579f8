package dev.mycelium.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.client.EventStream;
import dev.mycelium.client.ServerSentEvent;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.BrokerInfo;

/**
 * Follows the broker's events until Ctrl-C, one line each. A broker that goes away is
 * waited for: the same broker is resumed where it left off ({@code Last-Event-ID}), a new
 * one is followed from its start, and the interruption is told on standard error so that
 * standard output stays one line per event.
 */
@Command(name = "tail", header = "Follow the broker's events live, until Ctrl-C.",
		description = { "One line per event: direct messages, broadcasts, peers joining and leaving, tasks delegated "
				+ "and reported. Times are local. When the broker goes away, tail waits for it, or the next one, "
				+ "and goes on.", "Ctrl-C ends it (exit code 130)." })
final class TailCommand implements Callable<Integer> {

	/** A restarting broker is back in a few seconds; no need to ask more often. */
	private static final Duration RETRY = Duration.ofMillis(500);

	/** Replays every event a new broker still holds: those since it started. */
	private static final String FROM_THE_START = "0";

	@Option(names = "--json", description = "print each event as one line of JSON, for scripts")
	boolean json;

	@Mixin
	HelpOption help;

	private final Console console;

	private String lastEventId;

	TailCommand(Console console) {
		this.console = console;
	}

	@Override
	public Integer call() throws InterruptedException {
		BrokerInfo broker;
		try {
			broker = console.client().info();
		}
		catch (BrokerUnavailableException ex) {
			throw console.unavailable(ex, "");
		}
		boolean first = true;
		while (true) {
			try (EventStream stream = console.client().brokerEvents(lastEventId)) {
				console.err.println(first ? "Following the events of the broker at " + console.address() + " (pid "
						+ broker.pid() + "); Ctrl-C to stop." : "Reconnected.");
				for (ServerSentEvent event = stream.next(); event != null; event = stream.next()) {
					print(event);
					if (console.out.checkError()) {
						// the reader is gone (`mycelium tail | head`): nothing left to do
						return 0;
					}
				}
				// the broker ended the stream: it is shutting down
			}
			catch (IOException | BrokerUnavailableException ex) {
				// the broker died or the connection broke: wait for it below
			}
			catch (BrokerProblem ex) {
				if (ex.status() == 404) {
					throw new CliFailure("The broker at " + console.address()
							+ " has no event stream (GET /api/events answered 404): it is older than this command.");
				}
				throw console.refused(ex);
			}
			first = false;
			console.err.println("Lost the broker at " + console.address() + "; waiting for it to come back…");
			BrokerInfo next = awaitBroker();
			if (!next.instanceId().equals(broker.instanceId())) {
				console.err.println("A new broker answers (pid " + next.pid() + "); following it from its start.");
				lastEventId = FROM_THE_START;
			}
			broker = next;
		}
	}

	private BrokerInfo awaitBroker() throws InterruptedException {
		while (true) {
			try {
				return console.client().info();
			}
			catch (BrokerUnavailableException | BrokerProblem ex) {
				// down, starting or not ready yet: ask again
			}
			Thread.sleep(RETRY.toMillis());
		}
	}

	private void print(ServerSentEvent event) {
		if (event.id() != null) {
			lastEventId = event.id();
		}
		if (json) {
			console.out.println(oneLineJson(event.data()));
			return;
		}
		try {
			EventLine.of(console.json().readValue(event.data(), BrokerEvent.class), console.zone, console.width)
				.ifPresent(console.out::println);
		}
		catch (RuntimeException ex) {
			// a newer broker's event this command cannot read: show it raw rather than
			// drop it
			console.out.println(Text.cut(Text.oneLine(event.event() + " " + event.data()), console.width));
		}
	}

	private String oneLineJson(String data) {
		try {
			return console.json().writeValueAsString(console.json().readTree(data));
		}
		catch (RuntimeException ex) {
			return Text.oneLine(data);
		}
	}

}
