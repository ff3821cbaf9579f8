package dev.mycelium.cli;

import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.client.ClientProperties;

/**
 * What every command works with: its output streams, the terminal width, the clock, and
 * the broker client, built on first use from the environment ({@code MYCELIUM_HOME},
 * {@code MYCELIUM_HOST}, {@code MYCELIUM_PORT}).
 */
final class Console {

	/**
	 * Every command is interactive and none long-polls: a broker that takes longer than
	 * this (starting, or stuck) is reported rather than waited for.
	 */
	static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

	/** Used when {@code COLUMNS} is not set: most terminals are at least this wide. */
	static final int DEFAULT_WIDTH = 100;

	private static final int MIN_WIDTH = 40;

	final PrintWriter out;

	final PrintWriter err;

	final int width;

	final Clock clock;

	final ZoneId zone;

	private final Map<String, String> environment;

	private JsonMapper json;

	private ClientProperties properties;

	private BrokerClient client;

	Console(PrintWriter out, PrintWriter err, Map<String, String> environment, Clock clock, ZoneId zone) {
		this.out = out;
		this.err = err;
		this.environment = environment;
		this.width = width(environment.get("COLUMNS"));
		this.clock = clock;
		this.zone = zone;
	}

	/** A variable of the environment the command runs in; {@code null} when not set. */
	String environment(String name) {
		return environment.get(name);
	}

	/** Built on first use: {@code --help} needs no JSON. */
	JsonMapper json() {
		if (json == null) {
			// a newer broker may add fields: ignore them
			json = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
		}
		return json;
	}

	ClientProperties properties() {
		if (properties == null) {
			properties = ClientProperties.fromEnvironment(environment);
		}
		return properties;
	}

	BrokerClient client() {
		if (client == null) {
			client = BrokerClient.create(properties(), json(), READ_TIMEOUT);
		}
		return client;
	}

	/** {@code localhost:7890}, as a person writes the broker's address. */
	String address() {
		return properties().baseUri().getAuthority();
	}

	/**
	 * No answer from the broker: one sentence saying what happened and what to do.
	 * @param consequence what no broker at all means for the command, e.g. {@code ", so
	 * nothing was sent"}; not said otherwise: a request that broke off may have been done
	 */
	CliFailure unavailable(BrokerUnavailableException ex, String consequence) {
		if (notRunning(ex)) {
			return new CliFailure("No broker is running at " + address() + " (MYCELIUM_HOME=" + properties().home()
					+ ")" + consequence
					+ ". The first Claude Code session that uses mycelium starts one, or run 'mycelium broker'.");
		}
		if (cause(ex, SocketTimeoutException.class) != null) {
			return new CliFailure("The broker at " + address() + " accepts connections but did not answer within "
					+ READ_TIMEOUT.toSeconds() + " s; it may be starting or stuck (see "
					+ properties().myceliumHome().brokerLog() + ").");
		}
		return new CliFailure("The broker at " + address() + " broke off the connection (" + rootCause(ex)
				+ "); it may be stopping or have crashed (see " + properties().myceliumHome().brokerLog() + ").");
	}

	/** Nothing listens on the broker's address: the connection was refused. */
	static boolean notRunning(BrokerUnavailableException ex) {
		return cause(ex, ConnectException.class) != null;
	}

	private static Throwable cause(Throwable ex, Class<? extends Throwable> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return cause;
			}
		}
		return null;
	}

	private static String rootCause(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return root.getMessage() == null ? root.getClass().getSimpleName()
				: root.getClass().getSimpleName() + ": " + root.getMessage();
	}

	/**
	 * A refusal that is not about the request itself: a broker of another home (its token
	 * differs), or something that is not a broker at all.
	 */
	CliFailure refused(BrokerProblem problem) {
		if (problem.status() == 401 && !problem.isUnknownPeer()) {
			return new CliFailure(
					"The broker at " + address() + " refuses the token in " + properties().myceliumHome().token()
							+ ": it belongs to another MYCELIUM_HOME. Set MYCELIUM_HOME or MYCELIUM_PORT to match it.");
		}
		return new CliFailure(problem.getMessage());
	}

	private static int width(String columns) {
		try {
			return columns == null ? DEFAULT_WIDTH : Math.max(MIN_WIDTH, Integer.parseInt(columns.trim()));
		}
		catch (NumberFormatException ex) {
			return DEFAULT_WIDTH;
		}
	}

}
