package dev.mycelium.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.client.DashboardLogins;
import dev.mycelium.protocol.DashboardLogin;

/**
 * Signs a browser in to the broker's dashboard: asks for a one-time login code (with the
 * token, as the operator), prints the link on standard output and, where there is a
 * desktop, opens it in the browser. The link is the only way in: the browser never sees
 * the token.
 */
@Command(name = "dashboard", header = "Open the broker's live dashboard in a browser.",
		description = { "Prints a one-time login link to the dashboard the broker serves: it works once, for a minute, "
				+ "and signs the browser in until the broker stops. The link is opened in the browser when there "
				+ "is one (xdg-open with a display, open on macOS).",
				"Exit code 1 when no broker runs or it refuses." })
final class DashboardCommand implements Callable<Integer> {

	/** Long enough for xdg-open to fail; a browser it started itself may run on. */
	private static final Duration OPENER_CHECK = Duration.ofSeconds(3);

	@Option(names = "--no-open", description = "only print the link; do not open a browser")
	boolean noOpen;

	@Mixin
	HelpOption help;

	private final Console console;

	DashboardCommand(Console console) {
		this.console = console;
	}

	@Override
	public Integer call() throws InterruptedException {
		DashboardLogin login;
		try {
			login = DashboardLogins.issue(console.client());
		}
		catch (BrokerUnavailableException ex) {
			throw console.unavailable(ex, "");
		}
		catch (BrokerProblem ex) {
			if (ex.status() == 404) {
				throw new CliFailure("The broker at " + console.address()
						+ " has no dashboard (it is older than this command); restart it with 'mycelium stop'"
						+ " and let the next session start a new one.");
			}
			throw console.refused(ex);
		}
		String url = console.properties().baseUri() + login.path();
		long seconds = Math.max(0, Duration.between(console.clock.instant(), login.expiresAt()).toSeconds());
		console.out.println(url);
		String validity = "The link works once, within " + seconds + " s; the browser then stays signed in until the "
				+ "broker stops.";
		if (noOpen) {
			console.err.println(validity);
			return 0;
		}
		Optional<List<String>> opener = opener();
		if (opener.isEmpty()) {
			console.err.println(validity + " No desktop here: open it in a browser on this machine.");
			return 0;
		}
		console.err.println(open(opener.get(), url) ? validity + " Opened in your browser."
				: validity + " Could not start " + opener.get().get(0) + ": open the link yourself.");
		return 0;
	}

	/**
	 * The command that opens a link in the user's browser: {@code open} on macOS,
	 * {@code xdg-open} elsewhere, but only with a display (over SSH it would start a text
	 * browser in this terminal, or nothing).
	 */
	Optional<List<String>> opener() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		if (os.contains("mac")) {
			return onPath("open").map(List::of);
		}
		if (console.environment("DISPLAY") == null && console.environment("WAYLAND_DISPLAY") == null) {
			return Optional.empty();
		}
		return onPath("xdg-open").map(List::of);
	}

	private Optional<String> onPath(String program) {
		String path = console.environment("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String directory : path.split(File.pathSeparator)) {
			if (!directory.isEmpty()) {
				Path candidate = Path.of(directory, program);
				if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return Optional.of(candidate.toString());
				}
			}
		}
		return Optional.empty();
	}

	/**
	 * Starts the opener, detached from this terminal; false when it could not start or
	 * failed at once.
	 */
	private boolean open(List<String> opener, String url) throws InterruptedException {
		List<String> command = new ArrayList<>(opener);
		command.add(url);
		try {
			Process process = new ProcessBuilder(command)
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			return !process.waitFor(OPENER_CHECK.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
