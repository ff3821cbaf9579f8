package dev.mycelium.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code broker} and {@code serve} as the help describes them.
 * {@code MyceliumApplication} starts Spring for these two before the command line is
 * parsed, so these classes only document their options (and answer {@code --help}).
 */
final class LaunchCommands {

	private LaunchCommands() {
	}

	@Command(name = "broker", header = "Run the broker in the foreground.",
			description = "Listens on loopback (MYCELIUM_HOST, MYCELIUM_PORT) until Ctrl-C, which stops it gracefully.")
	static final class Broker implements Callable<Integer> {

		@Mixin
		HelpOption help;

		@Option(names = "--port", paramLabel = "<port>", description = "overrides MYCELIUM_PORT (default 7890)")
		Integer port;

		@Option(names = "--host", paramLabel = "<host>", description = "overrides MYCELIUM_HOST (default localhost)")
		String host;

		@Option(names = "--allow-remote",
				description = "allow a host other machines can reach (MYCELIUM_ALLOW_REMOTE=true)")
		boolean allowRemote;

		@Override
		public Integer call() {
			throw new IllegalStateException("'broker' is started by MyceliumApplication, not by the command line");
		}

	}

	@Command(name = "serve", header = "Run the stdio MCP server of one Claude Code session.",
			description = "Claude Code starts it (claude mcp add ... -- java -jar mycelium.jar serve); "
					+ "standard output carries MCP JSON-RPC only.")
	static final class Serve implements Callable<Integer> {

		@Mixin
		HelpOption help;

		@Option(names = "--channel", description = "push new messages to Claude Code as channel notifications")
		boolean channel;

		@Override
		public Integer call() {
			throw new IllegalStateException("'serve' is started by MyceliumApplication, not by the command line");
		}

	}

}
