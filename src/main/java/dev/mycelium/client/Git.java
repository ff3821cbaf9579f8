package dev.mycelium.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * git, asked about a directory, for what the broker is told about it: a session's
 * repository when it registers, the staged files of a commit the guard checks. One
 * definition of the repository identity, so that both name a repository alike.
 */
public final class Git {

	private Git() {
	}

	/**
	 * The repository identity the broker scopes by: the remote URL, else the common git
	 * directory (so the worktrees of a repository match).
	 */
	public static Optional<String> repositoryIdentity(Path directory, Duration timeout) {
		return output(directory, timeout, "config", "--get", "remote.origin.url")
			.or(() -> output(directory, timeout, "rev-parse", "--path-format=absolute", "--git-common-dir"));
	}

	/**
	 * What git prints, trimmed; empty when it fails, prints nothing or takes longer than
	 * {@code timeout}. Its standard error is dropped and its standard input is empty.
	 */
	public static Optional<String> output(Path directory, Duration timeout, String... args) {
		List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command)
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				return Optional.empty();
			}
			return process.exitValue() == 0 && !output.isEmpty() ? Optional.of(output) : Optional.empty();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

}
