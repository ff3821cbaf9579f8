package dev.mycelium.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code broker} and {@code serve} as the help describes them.
 * {@code MyceliumApplication} starts Spring for these two, not the command line; the
 * broker's options are parsed here all the same ({@link Cli#brokerArguments}), so that
 * what {@code --help} shows is what the broker takes.
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

		@Option(names = "--store", paramLabel = "<store>",
				description = "overrides MYCELIUM_STORE: sqlite (default), memory or redis (with MYCELIUM_REDIS_URL)")
		String store;

		/**
		 * The options as the broker's Spring settings, then the arguments that are none
		 * of them (Spring's own, such as {@code --debug}) as they were.
		 */
		static List<String> springArguments(String... args) {
			Broker broker = new Broker();
			CommandLine commandLine = new CommandLine(broker).setUnmatchedArgumentsAllowed(true);
			commandLine.parseArgs(args);
			List<String> settings = new ArrayList<>();
			if (broker.port != null) {
				settings.add("--mycelium.port=" + broker.port);
			}
			if (broker.host != null) {
				settings.add("--mycelium.host=" + broker.host);
			}
			if (broker.store != null) {
				settings.add("--mycelium.store.type=" + broker.store);
			}
			if (broker.allowRemote) {
				settings.add("--mycelium.allow-remote=true");
			}
			settings.addAll(commandLine.getUnmatchedArguments());
			return settings;
		}

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
