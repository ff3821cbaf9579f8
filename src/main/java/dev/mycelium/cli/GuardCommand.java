package dev.mycelium.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.client.Git;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.ClaimCheck;

/**
 * The git pre-commit guard: Claude Code's hooks see the editing tools, not what a
 * {@code Bash} command changes, so a commit is checked as well. {@code install} writes
 * the repository's {@code pre-commit} hook; git runs {@code check} through it before each
 * commit.
 */
@Command(name = "guard", header = "A git pre-commit guard for the files other sessions claimed.",
		description = {
				"mycelium guard install: in a repository, writes its pre-commit hook, which refuses a commit "
						+ "of files another session claimed exclusively (from another worktree, clone or host). "
						+ "Past it once: git commit --no-verify, or MYCELIUM_GUARD=off git commit …",
				"mycelium guard check: what the hook runs; exit code 1 when the staged files are claimed." })
final class GuardCommand implements Callable<Integer> {

	private static final Duration GIT_TIMEOUT = Duration.ofSeconds(10);

	/** What marks a hook as this one, so that installing again replaces it. */
	static final String MARK = "# mycelium guard";

	@Mixin
	HelpOption help;

	private final Console console;

	GuardCommand(Console console) {
		this.console = console;
	}

	@Override
	public Integer call() {
		throw new CliFailure("Name what to do: mycelium guard install (in a repository), or mycelium guard check.");
	}

	@Command(name = "install", header = "Write this repository's git pre-commit hook.")
	static final class Install implements Callable<Integer> {

		@Option(names = "--force", description = "replace a pre-commit hook that is not mycelium's")
		boolean force;

		@Mixin
		HelpOption help;

		private final Console console;

		Install(Console console) {
			this.console = console;
		}

		@Override
		public Integer call() throws IOException {
			Path here = Path.of(System.getProperty("user.dir"));
			// git-path follows core.hooksPath, and worktrees share the common directory's
			// hooks: one install covers every worktree of the repository.
			Path hooks = here.resolve(git(here, "rev-parse", "--git-path", "hooks")
				.orElseThrow(() -> new CliFailure(here + " is not in a git repository: run this inside one.")));
			Path hook = hooks.resolve("pre-commit");
			if (Files.exists(hook) && !Files.readString(hook).contains(MARK) && !force) {
				throw new CliFailure(hook + " exists and is not mycelium's; run mycelium guard install --force to"
						+ " replace it, or call 'mycelium guard check' from it.");
			}
			String launcher = Optional.ofNullable(console.environment("MYCELIUM_LAUNCHER")).orElse("mycelium");
			Files.createDirectories(hooks);
			Files.writeString(hook, script(launcher), StandardCharsets.UTF_8);
			Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
			console.out.println("Installed " + hook.normalize() + ": a commit of files another session claimed is"
					+ " refused; past it once with git commit --no-verify.");
			return 0;
		}

		/** The hook: with no claim standing anywhere it starts no JVM. */
		static String script(String launcher) {
			return "#!/bin/sh\n" + MARK + " (mycelium guard install): refuses a commit of files another Claude Code\n"
					+ "# session claimed exclusively. Past it once: git commit --no-verify, or MYCELIUM_GUARD=off.\n"
					+ "[ \"${MYCELIUM_GUARD:-on}\" = off ] && exit 0\n" + "home=${MYCELIUM_HOME:-$HOME/.mycelium}\n"
					+ "# No claim standing anywhere: nothing to ask.\n" + "[ -e \"$home/claims-standing\" ] || exit 0\n"
					+ "launcher=" + quoted(launcher) + "\n"
					+ "if [ ! -x \"$launcher\" ] && ! command -v \"$launcher\" >/dev/null 2>&1; then\n"
					+ "\techo \"mycelium guard: $launcher is gone; this commit was not checked (run mycelium guard install again)\" >&2\n"
					+ "\texit 0\n" + "fi\n" + "exec \"$launcher\" guard check\n";
		}

		private static String quoted(String text) {
			return "'" + text.replace("'", "'\\''") + "'";
		}

	}

	@Command(name = "check", header = "Refuse the staged files that another session claimed (the hook runs this).")
	static final class Check implements Callable<Integer> {

		@Mixin
		HelpOption help;

		private final Console console;

		Check(Console console) {
			this.console = console;
		}

		@Override
		public Integer call() {
			Path here = Path.of(System.getProperty("user.dir"));
			Optional<String> top = git(here, "rev-parse", "--show-toplevel");
			if (top.isEmpty()) {
				throw new CliFailure(here + " is not in a git repository.");
			}
			Optional<String> repo = Git.repositoryIdentity(here, GIT_TIMEOUT);
			List<String> staged = git(here, "diff", "--cached", "--name-only", "-z")
				.map(names -> Arrays.stream(names.split("\0")).filter(name -> !name.isEmpty()).toList())
				.orElse(List.of());
			if (staged.isEmpty() || repo.isEmpty()) {
				return 0;
			}
			Map<String, Claim> held;
			try {
				held = console.client().heldElsewhere(new ClaimCheck(repo.get(), top.get(), staged));
			}
			catch (BrokerUnavailableException ex) {
				console.err.println(
						"mycelium guard: no broker answers at " + console.address() + "; this commit was not checked.");
				return 0;
			}
			catch (BrokerProblem ex) {
				throw console.refused(ex);
			}
			if (held.isEmpty()) {
				return 0;
			}
			console.err.println("mycelium guard: this commit holds files other sessions claimed:");
			held.forEach((path, claim) -> console.err.println("  " + path + ": " + claim.describe()));
			String holder = held.values().iterator().next().holder();
			console.err.println("Ask " + holder + " (mycelium send " + holder + " …), wait until the claim ends,"
					+ " or commit anyway with git commit --no-verify.");
			return Cli.FAILED;
		}

	}

	private static Optional<String> git(Path directory, String... args) {
		return Git.output(directory, GIT_TIMEOUT, args);
	}

}
