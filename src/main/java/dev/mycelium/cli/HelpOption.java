package dev.mycelium.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for every command. */
final class HelpOption {

	@Option(names = { "-h", "--help" }, usageHelp = true, description = "Show this help and exit.")
	boolean help;

}
