package dev.mycelium.cli;

/**
 * A command failed in a way the user can act on: the message is printed as it is (no
 * stack trace) and the command exits with code 1.
 */
final class CliFailure extends RuntimeException {

	CliFailure(String message) {
		super(message);
	}

}
