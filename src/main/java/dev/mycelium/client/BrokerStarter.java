package dev.mycelium.client;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.MyceliumHome;

/**
 * Starts a broker when none answers, so that the first session that needs one brings it
 * up. Race-free across processes: whoever holds {@code MYCELIUM_HOME/start.lock} looks
 * again and starts one only if still none answers; everyone else waits on the lock and
 * then finds it. The broker runs detached in its own session, outliving the session that
 * started it.
 */
public final class BrokerStarter {

	private static final Logger log = LoggerFactory.getLogger(BrokerStarter.class);

	/**
	 * The application's main class, named rather than referenced: client must not depend
	 * on it.
	 */
	private static final String MAIN_CLASS = "dev.mycelium.MyceliumApplication";

	private static final Duration POLL = Duration.ofMillis(100);

	private final BrokerClient client;

	private final ClientProperties properties;

	public BrokerStarter(BrokerClient client) {
		this.client = client;
		this.properties = client.properties();
	}

	/** Returns once a broker of this home answers; starts one if needed. */
	public BrokerInfo ensureRunning() {
		Probe probe = probe();
		if (probe.info() != null) {
			return probe.info();
		}
		MyceliumHome home = properties.myceliumHome();
		home.createDirectory();
		try (FileChannel channel = FileChannel.open(home.directory().resolve("start.lock"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
			probe = probe();
			if (probe.info() != null) {
				return probe.info();
			}
			if (probe.foreign() != null) {
				throw new BrokerUnavailableException(probe.foreign());
			}
			return start(home);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot lock " + home.directory().resolve("start.lock"), ex);
		}
	}

	private BrokerInfo start(MyceliumHome home) throws IOException {
		List<String> command = brokerCommand();
		log.info("Starting a broker on {}: {}", properties.baseUri(), command);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(home.brokerLog().toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		builder.environment().put("MYCELIUM_HOME", home.directory().toString());
		builder.environment().put("MYCELIUM_HOST", properties.host());
		builder.environment().put("MYCELIUM_PORT", String.valueOf(properties.port()));
		// The launcher honours JAVA_HOME: the broker runs on this JVM either way.
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		Process broker = builder.start();
		long deadline = System.nanoTime() + properties.startTimeout().toNanos();
		while (System.nanoTime() < deadline) {
			Probe probe = probe();
			if (probe.info() != null) {
				log.info("Broker {} is up (pid {})", probe.info().instanceId(), probe.info().pid());
				return probe.info();
			}
			if (!broker.isAlive() && !(command.get(0).endsWith("setsid") && broker.exitValue() == 0)) {
				throw new BrokerUnavailableException("The broker could not start (exit code " + broker.exitValue()
						+ "); see " + home.brokerLog() + ":\n" + tail(home.brokerLog()));
			}
			sleep(POLL);
		}
		throw new BrokerUnavailableException("The broker did not answer within " + properties.startTimeout().toSeconds()
				+ " s; see " + home.brokerLog() + ":\n" + tail(home.brokerLog()));
	}

	/**
	 * The launcher that started this process (bin/mycelium names itself in
	 * {@code mycelium.launcher}), for the broker's JVM flags and its start-up cache; else
	 * the same java and the same jar (or class path) as this process. Either way in a
	 * session of its own.
	 */
	private static List<String> brokerCommand() {
		List<String> command = new ArrayList<>();
		// Its own session: Claude Code ending a session (and its process group) leaves
		// the broker running.
		Path setsid = Path.of("/usr/bin/setsid");
		if (Files.isExecutable(setsid)) {
			command.add(setsid.toString());
		}
		String launcher = System.getProperty("mycelium.launcher", "");
		if (!launcher.isEmpty() && Files.isExecutable(Path.of(launcher))) {
			command.add(launcher);
		}
		else {
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			String classPath = System.getProperty("java.class.path");
			if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
				command.addAll(List.of("-jar", classPath));
			}
			else {
				command.addAll(List.of("-cp", classPath, MAIN_CLASS));
			}
		}
		command.add("broker");
		return command;
	}

	/** What answers on the broker's address: our broker, nothing, or something else. */
	private Probe probe() {
		try {
			return new Probe(client.info(), null);
		}
		catch (BrokerUnavailableException ex) {
			return new Probe(null, null);
		}
		catch (BrokerProblem ex) {
			String foreign = ex.status() == 401
					? "Port " + properties.port()
							+ " is held by a mycelium broker of another MYCELIUM_HOME (its token is not "
							+ properties.myceliumHome().token() + "); stop it or set MYCELIUM_PORT."
					: "Port " + properties.port() + " on " + properties.host()
							+ " is held by something that is not a mycelium broker (HTTP " + ex.status()
							+ "); free it or set MYCELIUM_PORT.";
			return new Probe(null, foreign);
		}
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new BrokerUnavailableException("Interrupted while waiting for the broker to start", ex);
		}
	}

	private record Probe(BrokerInfo info, String foreign) {
	}

}
