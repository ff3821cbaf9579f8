package dev.mycelium.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.serve.ServeSessions.Session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bin/mycelium serve} whatever state its start-up cache is in: made by
 * {@code prepare}, damaged, missing, or made for a jar since rebuilt. It always answers
 * {@code initialize} with nothing but JSON-RPC on standard output, and a missing or
 * damaged class archive is made again in the background. The launcher and the packaged
 * jar are copied into a directory of this test's own, so that the cache it damages is its
 * own too.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("launcher")
class LauncherIntegrationTests {

	/** A JVM's complaint, as {@code -Xlog} prints it: "[0.005s][warning][aot] ...". */
	private static final String JVM_MESSAGE = "^\\[[0-9.]+s\\]\\[(warning|error) *\\].*";

	@TempDir
	static Path temporary;

	private static Path installation;

	private static Path cache;

	private static ConfigurableApplicationContext broker;

	private static int port;

	private ServeSessions sessions;

	private final AtomicInteger started = new AtomicInteger();

	@BeforeAll
	static void installAndStartABroker() throws IOException {
		installation = temporary.resolve("mycelium");
		Path launcher = Files.createDirectories(installation.resolve("bin")).resolve("mycelium");
		Files.copy(Path.of("bin/mycelium"), launcher);
		Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
		Files.copy(Path.of("target/mycelium.jar"),
				Files.createDirectories(installation.resolve("target")).resolve("mycelium.jar"),
				StandardCopyOption.COPY_ATTRIBUTES);
		cache = installation.resolve("target/mycelium-cache");
		// A broker for the sessions to find: none of them starts one.
		Path home = temporary.resolve("home");
		broker = new SpringApplicationBuilder(MyceliumApplication.class).profiles("broker")
			.run("--mycelium.home=" + home, "--mycelium.port=0");
		port = Integer.parseInt(broker.getEnvironment().getProperty("local.server.port"));
	}

	@AfterAll
	static void stopTheBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@BeforeEach
	void preparedCache() throws Exception {
		ProcessBuilder builder = new ProcessBuilder(launcher().toString(), "prepare", "serve").redirectErrorStream(true)
			.redirectOutput(temporary.resolve("prepare.log").toFile());
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		Process prepare = builder.start();
		assertThat(prepare.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(prepare.exitValue()).as(Files.readString(temporary.resolve("prepare.log"))).isZero();
		assertThat(archives()).hasSize(1).allSatisfy(archive -> assertThat(whole(archive)).isTrue());
		Files.createDirectories(temporary.resolve("logs"));
		sessions = new ServeSessions(temporary.resolve("home"), port, temporary.resolve("logs"), launcher().toString());
	}

	@AfterEach
	void stopEverything() {
		try {
			if (sessions != null) {
				sessions.close();
			}
		}
		finally {
			// Trainers the launcher left running in the background, and their JVMs.
			ProcessHandle.allProcesses()
				.filter(process -> process.info().commandLine().orElse("").contains(installation.toString()))
				.forEach(ServeSessions::stop);
		}
	}

	@Test
	void aPreparedCacheIsUsedWithoutAWordFromTheJvm() throws IOException {
		Session session = start();

		assertThat(session.client().getServerInfo().name()).isEqualTo("mycelium");
		session.assertStdoutIsOnlyJsonRpc();
		assertThat(session.stderr()).noneMatch(line -> line.matches(JVM_MESSAGE));
	}

	@Test
	void aTruncatedArchiveIsNotUsedAndIsMadeAgain() throws Exception {
		Path archive = archives().get(0);
		byte[] bytes = Files.readAllBytes(archive);
		Files.delete(archive);
		Files.write(archive, Arrays.copyOf(bytes, bytes.length / 2));

		startAndCheck();

		awaitWholeArchives();
	}

	@Test
	void anArchiveOfGarbageIsRefusedByTheJvm() throws Exception {
		Path archive = archives().get(0);
		byte[] original = Files.readAllBytes(archive);
		byte[] garbage = new byte[original.length];
		ThreadLocalRandom.current().nextBytes(garbage);
		Files.delete(archive);
		Files.write(archive, garbage);
		try {
			// Asked to use it no matter what, the JVM refuses it and does not start...
			Process strict = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					archive.toString().endsWith(".aot") ? "-XX:AOTCache=" + archive
							: "-XX:SharedArchiveFile=" + archive,
					archive.toString().endsWith(".aot") ? "-XX:AOTMode=on" : "-Xshare:on", "-version")
				.redirectErrorStream(true)
				.start();
			String said = new String(strict.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(strict.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(strict.exitValue()).as("java with the garbage archive required: %s", said).isNotZero();
			// ...and the launcher, which only asks for it, gets sessions that start and
			// serve.
			startAndCheck();
			startAndCheck();
		}
		finally {
			Files.write(archive, original);
		}
	}

	@Test
	void aRemovedArchiveIsMadeAgain() throws Exception {
		Files.delete(archives().get(0));

		startAndCheck();

		awaitWholeArchives();
	}

	@Test
	void sessionsStartingAtOnceWithoutACacheShareOneExtraction() throws Exception {
		deleteRecursively(cache);

		List<CompletableFuture<Session>> starting = IntStream.range(0, 4)
			.mapToObj(i -> CompletableFuture.supplyAsync(this::start))
			.toList();
		for (CompletableFuture<Session> session : starting) {
			session.get(5, TimeUnit.MINUTES).assertStdoutIsOnlyJsonRpc();
		}

		awaitWholeArchives();
		assertThat(entries()).as("one entry for the one jar").hasSize(1);
	}

	@Test
	void aRebuiltJarGetsAnEntryOfItsOwn() throws Exception {
		Path jar = installation.resolve("target/mycelium.jar");
		FileTime built = Files.getLastModifiedTime(jar);
		List<Path> before = entries();
		Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
		try {
			startAndCheck();

			awaitWholeArchives();
			assertThat(entries()).as("the old build's and the new one's").hasSize(before.size() + 1);
		}
		finally {
			Files.setLastModifiedTime(jar, built);
			for (Path entry : entries()) {
				if (!before.contains(entry)) {
					deleteRecursively(entry);
				}
			}
		}
	}

	private Session start() {
		return sessions.launch("session-" + started.incrementAndGet(), temporary);
	}

	private void startAndCheck() throws IOException {
		Session session = start();
		assertThat(session.client().getServerInfo().name()).isEqualTo("mycelium");
		session.assertStdoutIsOnlyJsonRpc();
	}

	/** Until the background training is over and every archive is whole. */
	private static void awaitWholeArchives() {
		await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
			List<Path> archives = archives();
			return !archives.isEmpty() && archives.stream().allMatch(LauncherIntegrationTests::whole)
					&& locks().isEmpty();
		});
	}

	/** The serve archives of this JVM, one per jar the cache has seen. */
	private static List<Path> archives() throws IOException {
		return cacheFiles().stream()
			.filter(file -> file.getFileName().toString().matches("jdk[0-9]+-[0-9]+-serve\\.(jsa|aot)"))
			.toList();
	}

	private static List<Path> locks() throws IOException {
		return cacheFiles().stream().filter(file -> file.getFileName().toString().endsWith(".lock")).toList();
	}

	private static List<Path> cacheFiles() throws IOException {
		List<Path> files = new ArrayList<>();
		for (Path entry : entries()) {
			try (Stream<Path> inside = Files.list(entry)) {
				files.addAll(inside.toList());
			}
		}
		return files;
	}

	/** One per jar: the extracted jar and the archives made for it. */
	private static List<Path> entries() throws IOException {
		if (!Files.isDirectory(cache)) {
			return List.of();
		}
		try (Stream<Path> entries = Files.list(cache)) {
			return entries.toList();
		}
	}

	/** The size the launcher recorded when it made the archive. */
	private static boolean whole(Path archive) {
		try {
			return Files.readString(Path.of(archive + ".size"), StandardCharsets.UTF_8)
				.trim()
				.equals(String.valueOf(Files.size(archive)));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static Path launcher() {
		return installation.resolve("bin/mycelium");
	}

	private static void deleteRecursively(Path directory) throws IOException {
		try (Stream<Path> files = Files.walk(directory)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
	}

}
