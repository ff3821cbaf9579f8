package dev.mycelium.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Scope;

/**
 * Is the broker up, and who is connected. Exit code 0 when it is up, 1 when it is not.
 */
@Command(name = "status", header = "Is the broker up, and which peers are connected.",
		description = { "First whether the broker is up, with its address, version, pid and uptime; then a table "
				+ "of its peers: name, id, repository, branch, summary (cut to the terminal width, COLUMNS), "
				+ "last seen, unread messages, push on or off; then the claims on files that stand, with their holders.",
				"Exit code 0 when the broker is up, 1 when it is down." })
final class StatusCommand implements Callable<Integer> {

	@Option(names = "--json", description = "print one JSON object, for scripts")
	boolean json;

	@Mixin
	HelpOption help;

	private final Console console;

	StatusCommand(Console console) {
		this.console = console;
	}

	@Override
	public Integer call() {
		BrokerInfo info;
		List<Peer> peers;
		List<Claim> claims;
		try {
			info = console.client().info();
			peers = console.client()
				// Every machine sharing the broker's store: the HOST column tells them
				// apart.
				.peers(Scope.ALL, null)
				.stream()
				.sorted(Comparator.comparing(Peer::name, String.CASE_INSENSITIVE_ORDER))
				.toList();
			claims = claims();
		}
		catch (BrokerUnavailableException ex) {
			if (!Console.notRunning(ex)) {
				String why = console.unavailable(ex, "").getMessage();
				return down(why, why);
			}
			String why = "nothing answers at " + console.address();
			return down("Broker down: " + why + " (MYCELIUM_HOME=" + console.properties().home() + ").", why);
		}
		catch (BrokerProblem ex) {
			String why = console.refused(ex).getMessage();
			return down(why, why);
		}
		Instant now = console.clock.instant();
		Duration uptime = Duration.between(info.startedAt(), now);
		if (json) {
			console.out.println(console.json()
				.writeValueAsString(new Report(true, console.address(), console.properties().home().toString(), info,
						Math.max(0, uptime.toSeconds()), peers, claims, null)));
			return 0;
		}
		console.out.println("Broker up at " + console.address() + " (version " + info.version() + ", pid " + info.pid()
				+ ", up " + Text.uptime(uptime) + ")");
		console.out.println();
		if (peers.isEmpty()) {
			console.out.println("No peers.");
		}
		else {
			PeerTable.render(peers, now, console.width).forEach(console.out::println);
		}
		if (!claims.isEmpty()) {
			console.out.println();
			console.out.println("Claims:");
			claims
				.forEach(
						claim -> console.out
							.println(Text.cut(
									"  " + claim.describe()
											+ (claim.waiting().isEmpty() ? ""
													: "; waiting: " + String.join(", ", claim.waiting())),
									console.width)));
		}
		return 0;
	}

	/** The claims that stand; none from a broker too old to keep them. */
	private List<Claim> claims() {
		try {
			return console.client().claims();
		}
		catch (BrokerProblem ex) {
			return List.of();
		}
	}

	/** Not an error of the command: "down" is a status, printed on standard output. */
	private int down(String line, String why) {
		if (json) {
			console.out.println(console.json()
				.writeValueAsString(new Report(false, console.address(), console.properties().home().toString(), null,
						null, null, null, why)));
		}
		else {
			console.out.println(line);
		}
		return Cli.FAILED;
	}

	/** {@code status --json}: the broker and its peers, or why it is down. */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Report(boolean up, String address, String home, BrokerInfo broker, Long uptimeSeconds, List<Peer> peers,
			List<Claim> claims, String error) {
	}

}
