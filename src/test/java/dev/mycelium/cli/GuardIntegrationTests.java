package dev.mycelium.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.cli.CliProcesses.Peer;
import dev.mycelium.cli.CliProcesses.Run;
import dev.mycelium.cli.CliProcesses.Target;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mycelium guard install} in a real git repository, and real {@code git commit}s
 * through the hook it writes (which runs {@code bin/mycelium guard check}): a commit of a
 * file another worktree's session claimed is refused with the holder, and goes through
 * with {@code --no-verify}, {@code MYCELIUM_GUARD=off}, for other files, from the
 * holder's own worktree, and once the claim is released.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GuardIntegrationTests {

	private static final Path LAUNCHER = Path.of("bin/mycelium").toAbsolutePath();

	@TempDir
	static Path temporary;

	private static CliProcesses cli;

	private static Target broker;

	@BeforeAll
	static void startBroker() throws Exception {
		cli = new CliProcesses(temporary);
		broker = cli.startBroker("home");
	}

	@AfterAll
	static void stopBroker() {
		cli.close();
	}

	@Test
	void aCommitOfAnotherSessionsClaimedFilesIsRefusedUntilReleasedAndCanBeForced() throws Exception {
		Path shop = Files.createDirectories(temporary.resolve("shop"));
		git(shop, "init", "-q");
		git(shop, "remote", "add", "origin", "git@example.com:acme/guarded.git");
		Files.createDirectories(shop.resolve("src/api"));
		Files.writeString(shop.resolve("src/api/Orders.java"), "class Orders {}\n");
		Files.writeString(shop.resolve("README.md"), "shop\n");
		git(shop, "add", ".");
		git(shop, "commit", "-qm", "first");
		Path apiWorktree = temporary.resolve("shop-api");
		git(shop, "worktree", "add", "-q", apiWorktree.toString());
		Peer api = cli.register(broker, "api", apiWorktree, "git@example.com:acme/guarded.git", "api", null);
		cli.request(broker, "POST", "/api/claims", Map.of("paths", List.of("src/api/**"), "reason", "cents"),
				api.secret(), 201);

		Run installed = cli.runIn(shop, environment(), "guard", "install");
		assertThat(installed.exitCode()).as(installed.stderr()).isZero();
		assertThat(installed.stdout()).startsWith("Installed " + shop.resolve(".git/hooks/pre-commit"));

		Files.writeString(shop.resolve("src/api/Orders.java"), "class Orders { long cents; }\n");
		git(shop, "add", ".");
		GitRun refused = commit(shop, Map.of(), "cents in orders");
		assertThat(refused.exitCode()).isNotZero();
		assertThat(refused.output()).contains("mycelium guard: this commit holds files other sessions claimed:")
			.contains("src/api/Orders.java: src/api/** (exclusive, by api: \"cents\")")
			.contains("git commit --no-verify");
		assertThat(commit(shop, Map.of("MYCELIUM_GUARD", "off"), "cents in orders").exitCode()).isZero();

		Files.writeString(shop.resolve("README.md"), "shop, in cents\n");
		git(shop, "add", ".");
		assertThat(commit(shop, Map.of(), "readme").exitCode()).as("a file nobody claimed").isZero();

		Files.writeString(apiWorktree.resolve("src/api/Orders.java"), "class Orders { long totalCents; }\n");
		git(apiWorktree, "add", ".");
		assertThat(commit(apiWorktree, Map.of(), "from the holder's worktree").exitCode())
			.as("the claim's own worktree")
			.isZero();

		Files.writeString(shop.resolve("src/api/Orders.java"), "class Orders { long cents; int n; }\n");
		git(shop, "add", ".");
		assertThat(commit(shop, Map.of(), "again").exitCode()).isNotZero();
		cli.request(broker, "POST", "/api/claims/release", Map.of(), api.secret(), 200);
		assertThat(commit(shop, Map.of(), "after the release").exitCode()).isZero();
	}

	@Test
	void anotherPreCommitHookIsKeptUnlessForcedAndOutsideARepositoryTheGuardSaysSo() throws Exception {
		Path repository = Files.createDirectories(temporary.resolve("other"));
		git(repository, "init", "-q");
		Path hook = repository.resolve(".git/hooks/pre-commit");
		Files.createDirectories(hook.getParent());
		Files.writeString(hook, "#!/bin/sh\nexit 0\n");

		Run kept = cli.runIn(repository, environment(), "guard", "install");
		assertThat(kept.exitCode()).isEqualTo(1);
		assertThat(kept.stderr()).contains(hook + " exists and is not mycelium's; run mycelium guard install --force");
		assertThat(Files.readString(hook)).isEqualTo("#!/bin/sh\nexit 0\n");
		assertThat(cli.runIn(repository, environment(), "guard", "install", "--force").exitCode()).isZero();
		assertThat(Files.readString(hook)).contains(GuardCommand.MARK);

		Path nowhere = Files.createDirectories(temporary.resolve("not-a-repository"));
		Run outside = cli.runIn(nowhere, environment(), "guard", "install");
		assertThat(outside.exitCode()).isEqualTo(1);
		assertThat(outside.stderr()).contains("is not in a git repository");
	}

	private static Map<String, String> environment() {
		Map<String, String> environment = new HashMap<>(broker.environment());
		environment.put("MYCELIUM_LAUNCHER", LAUNCHER.toString());
		environment.put("HOME", temporary.toString());
		return environment;
	}

	record GitRun(int exitCode, String output) {
	}

	private static GitRun commit(Path directory, Map<String, String> extra, String message) throws Exception {
		return run(directory, extra, "commit", "-q", "-m", message);
	}

	private static void git(Path directory, String... args) throws Exception {
		GitRun run = run(directory, Map.of(), args);
		assertThat(run.exitCode()).as("git %s: %s", String.join(" ", args), run.output()).isZero();
	}

	private static GitRun run(Path directory, Map<String, String> extra, String... args)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c",
				"user.email=test@example.com", "-c", "init.defaultBranch=main"));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
		builder.environment().putAll(environment());
		builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
		builder.environment().putAll(extra);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
		return new GitRun(process.exitValue(), output);
	}

}
