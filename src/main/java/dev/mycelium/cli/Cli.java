package dev.mycelium.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Properties;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;

/**
 * The {@code mycelium} command line. {@code MyceliumApplication} hands it every command
 * but {@code broker} and {@code serve}, which start Spring; these are listed here too, so
 * that the help describes the whole tool. Exit codes: 0 done, 1 failed (the broker is
 * down, refused, or the peer is unknown), 2 a usage error.
 */
public final class Cli {

	static final int FAILED = 1;

	static final int USAGE = 2;

	private Cli() {
	}

	/** Runs one command with the process's streams and environment; the exit code. */
	public static int run(String... args) {
		// UTF-8 whatever the locale: names, summaries and bodies are UTF-8 text, and the
		// lines use → and ⏎.
		PrintWriter out = new PrintWriter(
				new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
		PrintWriter err = new PrintWriter(
				new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
		try {
			return run(new Console(out, err, System.getenv(), Clock.systemUTC(), ZoneId.systemDefault()), args);
		}
		finally {
			out.flush();
			err.flush();
		}
	}

	/**
	 * The arguments of {@code broker} as the Spring settings the broker reads:
	 * {@code --port 7891} becomes {@code --mycelium.port=7891}, and so on.
	 * @throws ParameterException for a malformed option ({@link #run} then says what was
	 * wrong)
	 */
	public static String[] brokerArguments(String... args) {
		return LaunchCommands.Broker.springArguments(args).toArray(String[]::new);
	}

	static int run(Console console, String... args) {
		return commandLine(console).execute(args);
	}

	static CommandLine commandLine(Console console) {
		CommandLine commandLine = new CommandLine(new Mycelium());
		commandLine.addSubcommand(new LaunchCommands.Broker());
		commandLine.addSubcommand(new LaunchCommands.Serve());
		commandLine.addSubcommand(new StatusCommand(console));
		// Everything after the peer is the message, even words that look like options.
		commandLine.addSubcommand(new CommandLine(new SendCommand(console)).setStopAtPositional(true));
		commandLine.addSubcommand(new TailCommand(console));
		commandLine.addSubcommand(new StopCommand(console));
		commandLine.addSubcommand(new DashboardCommand(console));
		commandLine
			.addSubcommand(new CommandLine(new GuardCommand(console)).addSubcommand(new GuardCommand.Install(console))
				.addSubcommand(new GuardCommand.Check(console)));
		commandLine.addSubcommand(new CommandLine.HelpCommand());
		// Lower case like the top-level usage; the one-line header apart from the rest.
		for (CommandLine command : commandLine.getSubcommands().values()) {
			CommandSpec spec = command.getCommandSpec();
			spec.usageMessage().synopsisHeading("%nusage: ").descriptionHeading("%n");
			if (spec.positionalParameters().isEmpty()) {
				spec.usageMessage().optionListHeading("%n");
			}
			else {
				spec.usageMessage().parameterListHeading("%n");
			}
		}
		return commandLine.setOut(console.out)
			.setErr(console.err)
			// picocli refuses a width under 55 (it threw on a narrow terminal).
			.setUsageHelpWidth(Math.max(55, Math.min(console.width, 100)))
			.setExitCodeExceptionMapper(ex -> FAILED)
			.setParameterExceptionHandler(Cli::usageError)
			.setExecutionExceptionHandler((ex, command, parseResult) -> failed(ex, command, console));
	}

	/**
	 * A wrong command line: what was wrong, then the usage, on standard error; exit 2.
	 */
	private static int usageError(ParameterException ex, String[] args) {
		CommandLine command = ex.getCommandLine();
		PrintWriter err = command.getErr();
		boolean unknownCommand = ex instanceof UnmatchedArgumentException unmatched && command.getParent() == null
				&& !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-");
		err.println("mycelium: "
				+ (unknownCommand ? "unknown command '" + ((UnmatchedArgumentException) ex).getUnmatched().get(0) + "'"
						: ex.getMessage()));
		if (!unknownCommand) {
			UnmatchedArgumentException.printSuggestions(ex, err);
		}
		err.println();
		command.usage(err);
		return USAGE;
	}

	/** One sentence on standard error, no stack trace: the user can act on it. */
	private static int failed(Exception ex, CommandLine command, Console console) {
		String message;
		if (ex instanceof CliFailure failure) {
			message = failure.getMessage();
		}
		else if (ex instanceof BrokerUnavailableException unavailable) {
			message = console.unavailable(unavailable, "").getMessage();
		}
		else if (ex instanceof BrokerProblem problem) {
			message = console.refused(problem).getMessage();
		}
		else if (ex instanceof IllegalArgumentException invalid) {
			message = invalid.getMessage();
		}
		else {
			message = "mycelium " + command.getCommandName() + " failed unexpectedly: " + ex;
		}
		console.err.println(message);
		return FAILED;
	}

	@Command(name = "mycelium", synopsisHeading = "usage: ", mixinStandardHelpOptions = true,
			versionProvider = Version.class,
			description = "A message bus for the coding-agent sessions on this machine.",
			commandListHeading = "%nCommands:%n", footerHeading = "%nEnvironment:%n",
			footer = { "  MYCELIUM_HOME  token, broker.json and logs (default ~/.mycelium)",
					"  MYCELIUM_HOST  the broker's host (default localhost)",
					"  MYCELIUM_PORT  the broker's port (default 7890)",
					"  COLUMNS        the width of tables and event lines (default 100)", "",
					"Exit codes: 0 done, 1 failed (no broker, refused, unknown peer), 2 usage error.",
					"'mycelium help <command>' or 'mycelium <command> --help' describes a command." })
	static final class Mycelium implements Callable<Integer> {

		@Spec
		CommandSpec spec;

		/** No command: the usage, as for an unknown one. */
		@Override
		public Integer call() {
			spec.commandLine().usage(spec.commandLine().getErr());
			return USAGE;
		}

	}

	/**
	 * The version of this jar, from the build information Spring Boot's plugin writes.
	 */
	static final class Version implements IVersionProvider {

		@Override
		public String[] getVersion() {
			Properties build = new Properties();
			try (InputStream in = Cli.class.getResourceAsStream("/META-INF/build-info.properties")) {
				if (in != null) {
					build.load(in);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			return new String[] { "mycelium " + build.getProperty("build.version", "dev") };
		}

	}

}
