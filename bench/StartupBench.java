import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How fast mycelium starts, over cold starts (a new JVM each time, the files in the OS
 * cache): the time from spawning {@code serve} to its answer to {@code initialize}, and its
 * resident set after a {@code tools/call}; the time from spawning {@code broker} to health
 * {@code UP}, and its resident set then. For each JDK given, through {@code bin/mycelium}
 * (the fast path: extracted jar, class archive, Spring AOT), and optionally plain
 * {@code java -jar} and a first start with an empty start-up cache.
 *
 * <pre>
 * java bench/StartupBench.java [--runs 5] [--jdk JAVA_HOME]... [--baseline] [--first-start]
 * </pre>
 *
 * JDK classes only, so that it runs with the source launcher and needs no build. See
 * bench/README.md for the options and how to read the results.
 */
public class StartupBench {

	/** The port a user's own broker listens on: never disturb it. */
	private static final int USER_BROKER_PORT = 7890;

	private static final String INITIALIZE = """
			{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
			"capabilities":{},"clientInfo":{"name":"startup-bench","version":"1"}}}""";

	private static final String INITIALIZED = """
			{"jsonrpc":"2.0","method":"notifications/initialized"}""";

	private static final String IDENTIFY = """
			{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"identify","arguments":{}}}""";

	/** What serve may write on standard output: JSON-RPC, one message a line. */
	private static final String JSON_RPC_LINE = "{\"jsonrpc\":\"2.0\"";

	/** The same flags bin/mycelium gives every command, for the plain java -jar runs. */
	private static final List<String> QUIET = List.of("-Xlog:disable", "-Xlog:all=warning:stderr",
			"-XX:+DisplayVMOutputToStderr");

	public static void main(String[] args) throws Exception {
		Options options;
		try {
			options = Options.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println(Options.USAGE);
			System.exit(2);
			return;
		}
		Path work = Files.createTempDirectory("mycelium-startup-bench");
		Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(work), "bench-cleanup"));
		Map<String, Samples> results = new LinkedHashMap<>();
		for (Jdk jdk : options.jdks()) {
			if (options.prepare()) {
				long started = System.nanoTime();
				Launch prepare = Launch.of(options, jdk, work, "prepare");
				Process process = prepare.builder().redirectErrorStream(true).redirectOutput(work.resolve("prepare.log").toFile()).start();
				if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
					throw new IllegalStateException("bin/mycelium prepare failed:\n" + Files.readString(work.resolve("prepare.log")));
				}
				progress("%s: start-up cache ready (%.1f s; unchanged if it was already)", jdk.name(), seconds(System.nanoTime() - started));
			}
		}
		// The sessions need a broker to call: one, in a home of its own.
		Path serveHome = Files.createDirectories(work.resolve("serve-home"));
		int brokerPort = freePort();
		Process broker = Launch.of(options, options.jdks().get(0), work, "broker", "--port", String.valueOf(brokerPort))
			.home(serveHome)
			.builder()
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("broker.log").toFile())
			.start();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(broker.toHandle()), "bench-broker"));
		awaitUp(broker, brokerPort, Duration.ofMinutes(2));

		// Round-robin over the JDKs and the ways to start, so that a busy moment of the
		// machine spreads over all of them rather than spoiling one.
		for (int run = 1; run <= options.runs(); run++) {
			for (Jdk jdk : options.jdks()) {
				for (Way way : options.ways()) {
					progress("run %d/%d  %s  %s", run, options.runs(), jdk.name(), way.label);
					Samples serve = results.computeIfAbsent(key(jdk, way, "serve"), k -> new Samples());
					serve.add(serve(options, jdk, way, work, serveHome, brokerPort));
					if (way != Way.FIRST_START) {
						Samples brokerStart = results.computeIfAbsent(key(jdk, way, "broker"), k -> new Samples());
						brokerStart.add(broker(options, jdk, way, work));
					}
				}
			}
		}
		stop(broker.toHandle());
		report(options, results);
	}

	/** One cold start of serve: spawn, initialize, one tool call, end of input. */
	private static Sample serve(Options options, Jdk jdk, Way way, Path work, Path home, int brokerPort) throws Exception {
		Path cache = way == Way.FIRST_START ? Files.createTempDirectory(work, "empty-cache") : null;
		Launch launch = Launch.of(options, jdk, work, way, "serve").home(home).port(brokerPort).cache(cache);
		Path stderr = work.resolve("serve.stderr");
		long spawned = System.nanoTime();
		Process serve = launch.builder().redirectError(stderr.toFile()).start();
		List<ProcessHandle> background = new ArrayList<>();
		try {
			OutputStream in = serve.getOutputStream();
			BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
			List<String> lines = new ArrayList<>();
			send(in, INITIALIZE);
			awaitResponse(out, lines, 1, serve, stderr);
			long initialized = System.nanoTime();
			double cpu = serve.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L) / 1e9;
			send(in, INITIALIZED);
			send(in, IDENTIFY);
			awaitResponse(out, lines, 2, serve, stderr);
			long rss = residentKilobytes(serve.pid());
			// A first start trains its archive in the background: this run's to stop.
			background.addAll(serve.descendants().toList());
			in.close();
			for (String line; (line = out.readLine()) != null;) {
				lines.add(line);
			}
			if (!serve.waitFor(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("serve did not exit after its input closed");
			}
			long notJsonRpc = lines.stream().filter(line -> !line.startsWith(JSON_RPC_LINE)).count();
			if (notJsonRpc > 0) {
				throw new IllegalStateException(notJsonRpc + " lines on serve's standard output are not JSON-RPC: " + lines);
			}
			return new Sample(seconds(initialized - spawned), cpu, rss);
		}
		finally {
			stop(serve.toHandle());
			background.forEach(StartupBench::stop);
			if (cache != null) {
				delete(cache);
			}
		}
	}

	/** One cold start of the broker, in a home of its own: spawn, health UP, SIGTERM. */
	private static Sample broker(Options options, Jdk jdk, Way way, Path work) throws Exception {
		Path home = Files.createTempDirectory(work, "broker-home");
		int port = freePort();
		Launch launch = Launch.of(options, jdk, work, way, "broker", "--port", String.valueOf(port)).home(home);
		long spawned = System.nanoTime();
		Process broker = launch.builder().redirectErrorStream(true).redirectOutput(home.resolve("broker.log").toFile()).start();
		try {
			awaitUp(broker, port, Duration.ofMinutes(2));
			long up = System.nanoTime();
			double cpu = broker.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L) / 1e9;
			return new Sample(seconds(up - spawned), cpu, residentKilobytes(broker.pid()));
		}
		finally {
			stop(broker.toHandle());
			delete(home);
		}
	}

	private static void send(OutputStream in, String message) throws IOException {
		in.write((message + "\n").getBytes(StandardCharsets.UTF_8));
		in.flush();
	}

	private static void awaitResponse(BufferedReader out, List<String> lines, int id, Process serve, Path stderr)
			throws IOException {
		String idField = "\"id\":" + id + ",";
		for (String line; (line = out.readLine()) != null;) {
			lines.add(line);
			if (line.startsWith(JSON_RPC_LINE) && line.contains(idField)) {
				return;
			}
		}
		throw new IllegalStateException("serve ended before answering request " + id + ":\n" + Files.readString(stderr));
	}

	/**
	 * Polls health often: a plain HTTP/1.0 request on a fresh socket is the lightest probe.
	 */
	private static void awaitUp(Process broker, int port, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!broker.isAlive()) {
				throw new IllegalStateException("the broker exited with " + broker.exitValue() + " while starting");
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
				socket.setSoTimeout(2000);
				socket.getOutputStream()
					.write("GET /actuator/health HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				if (response.startsWith("HTTP/1.1 200") && response.contains("\"UP\"")) {
					return;
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(10);
		}
		throw new IllegalStateException("the broker was not UP within " + timeout.toSeconds() + " s");
	}

	/** VmRSS from /proc on Linux, else what ps says. */
	private static long residentKilobytes(long pid) throws IOException, InterruptedException {
		Path status = Path.of("/proc", String.valueOf(pid), "status");
		if (Files.exists(status)) {
			try (Stream<String> lines = Files.lines(status)) {
				return lines.filter(line -> line.startsWith("VmRSS:"))
					.map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
					.findFirst()
					.orElse(-1L);
			}
		}
		Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", String.valueOf(pid)).start();
		String rss = new String(ps.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
		ps.waitFor();
		return rss.isEmpty() ? -1 : Long.parseLong(rss);
	}

	private static void report(Options options, Map<String, Samples> results) throws IOException {
		System.out.println();
		print("mycelium start-up benchmark  (%d cores, %d cold starts each, load average %s)",
				Runtime.getRuntime().availableProcessors(), options.runs(), loadAverage());
		for (Jdk jdk : options.jdks()) {
			for (Way way : options.ways()) {
				Samples serve = results.get(key(jdk, way, "serve"));
				print("JDK %-8s %-14s serve   initialize %s   cpu %.2f s   RSS after tools/call %s", jdk.version(),
						way.label, serve.seconds(), serve.cpuMedian(), serve.megabytes());
				Samples broker = results.get(key(jdk, way, "broker"));
				if (broker != null) {
					print("JDK %-8s %-14s broker  health UP  %s   cpu %.2f s   RSS when UP          %s", jdk.version(),
							way.label, broker.seconds(), broker.cpuMedian(), broker.megabytes());
				}
			}
		}
	}

	private static String key(Jdk jdk, Way way, String command) {
		return jdk.home() + "|" + way + "|" + command;
	}

	/** The machine is shared: the load says how much the figures can be trusted. */
	private static String loadAverage() {
		try {
			String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return load[0] + " " + load[1] + " " + load[2];
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	private static int freePort() throws IOException {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
				if (socket.getLocalPort() != USER_BROKER_PORT) {
					return socket.getLocalPort();
				}
			}
		}
	}

	/** SIGTERM, then SIGKILL after 10 s; its own children too. */
	private static void stop(ProcessHandle process) {
		List<ProcessHandle> children = process.descendants().toList();
		process.destroy();
		try {
			process.onExit().get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			process.destroyForcibly();
		}
		children.forEach(child -> child.destroyForcibly());
	}

	private static void delete(Path directory) {
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException ex) {
			// already gone
		}
	}

	private static double seconds(long nanos) {
		return nanos / 1e9;
	}

	private static void print(String format, Object... args) {
		System.out.println(String.format(Locale.US, format, args));
	}

	/** Progress goes to stderr so that stdout holds only the results. */
	private static void progress(String format, Object... args) {
		System.err.println("[bench] " + String.format(Locale.US, format, args));
	}

	/** How a command is started. */
	enum Way {

		LAUNCHER("bin/mycelium"), FIRST_START("empty cache"), PLAIN("java -jar");

		final String label;

		Way(String label) {
			this.label = label;
		}

	}

	record Jdk(Path home, String version) {

		static Jdk of(Path home) {
			Path java = home.resolve("bin/java");
			if (!Files.isExecutable(java)) {
				throw new IllegalArgumentException("no JDK at " + home + " (no bin/java)");
			}
			try (Stream<String> release = Files.lines(home.resolve("release"))) {
				String version = release.filter(line -> line.startsWith("JAVA_VERSION="))
					.map(line -> line.substring(line.indexOf('=') + 1).replace("\"", ""))
					.findFirst()
					.orElse(home.getFileName().toString());
				return new Jdk(home, version);
			}
			catch (IOException ex) {
				return new Jdk(home, home.getFileName().toString());
			}
		}

		String name() {
			return "JDK " + version;
		}

	}

	/** One command line and its environment: only our home, port and cache. */
	record Launch(Options options, Jdk jdk, Path work, Way way, List<String> args, Path home, Integer port,
			Path cache) {

		static Launch of(Options options, Jdk jdk, Path work, String... args) {
			return of(options, jdk, work, Way.LAUNCHER, args);
		}

		static Launch of(Options options, Jdk jdk, Path work, Way way, String... args) {
			return new Launch(options, jdk, work, way, List.of(args), null, null, null);
		}

		Launch home(Path home) {
			return new Launch(options, jdk, work, way, args, home, port, cache);
		}

		Launch port(int port) {
			return new Launch(options, jdk, work, way, args, home, port, cache);
		}

		Launch cache(Path cache) {
			return new Launch(options, jdk, work, way, args, home, port, cache);
		}

		ProcessBuilder builder() {
			List<String> command = new ArrayList<>();
			if (way == Way.PLAIN) {
				command.add(jdk.home().resolve("bin/java").toString());
				command.addAll(QUIET);
				command.addAll(List.of("-jar", options.baselineJar().toString()));
			}
			else {
				command.add(options.launcher().toString());
			}
			command.addAll(args);
			ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
			Map<String, String> environment = builder.environment();
			// The user's MYCELIUM_* settings are for their own broker and cache.
			environment.keySet().removeIf(name -> name.startsWith("MYCELIUM_"));
			environment.put("JAVA_HOME", jdk.home().toString());
			environment.put("MYCELIUM_HOME", (home != null ? home : work.resolve("home")).toString());
			if (port != null) {
				environment.put("MYCELIUM_PORT", port.toString());
			}
			if (cache != null) {
				environment.put("MYCELIUM_CACHE", cache.toString());
			}
			return builder;
		}

	}

	/** One start: seconds to ready, CPU seconds until then, resident set in kB. */
	record Sample(double seconds, double cpu, long residentKb) {
	}

	static final class Samples {

		private final List<Sample> samples = new ArrayList<>();

		void add(Sample sample) {
			samples.add(sample);
		}

		String seconds() {
			List<Double> values = samples.stream().map(Sample::seconds).sorted().toList();
			return String.format(Locale.US, "median %.2f s  min %.2f  max %.2f", median(values), values.get(0),
					values.get(values.size() - 1));
		}

		double cpuMedian() {
			return median(samples.stream().map(Sample::cpu).sorted().toList());
		}

		String megabytes() {
			List<Double> values = samples.stream().map(sample -> sample.residentKb() / 1024.0).sorted().toList();
			return String.format(Locale.US, "median %.1f MB  min %.1f  max %.1f", median(values), values.get(0),
					values.get(values.size() - 1));
		}

		private static double median(List<Double> sorted) {
			int middle = sorted.size() / 2;
			return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
		}

	}

	record Options(int runs, List<Jdk> jdks, Path launcher, Path baselineJar, List<Way> ways, boolean prepare) {

		static final String USAGE = """
				usage: java bench/StartupBench.java [options]   (from the repository, after ./mvnw package)
				  --runs N          cold starts of each command, per JDK and way (default 5)
				  --jdk JAVA_HOME   a JDK to measure, repeatable (default: the one running this)
				  --launcher PATH   bin/mycelium (default: bin/mycelium under the current directory)
				  --baseline        also plain java -jar target/mycelium.jar, as before the fast path
				  --baseline-jar J  the jar for --baseline (default target/mycelium.jar), e.g. an older build
				  --first-start     also serve's first start with an empty start-up cache
				  --no-prepare      don't make the start-up cache first (bin/mycelium prepare)""";

		static Options parse(String[] args) {
			int runs = 5;
			List<Jdk> jdks = new ArrayList<>();
			Path launcher = Path.of("bin/mycelium");
			Path baselineJar = null;
			List<Way> ways = new ArrayList<>(List.of(Way.LAUNCHER));
			boolean prepare = true;
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--runs" -> runs = Integer.parseInt(value(args, ++i));
					case "--jdk" -> jdks.add(Jdk.of(Path.of(value(args, ++i))));
					case "--launcher" -> launcher = Path.of(value(args, ++i));
					case "--baseline" -> ways.add(Way.PLAIN);
					case "--baseline-jar" -> baselineJar = Path.of(value(args, ++i));
					case "--first-start" -> ways.add(Way.FIRST_START);
					case "--no-prepare" -> prepare = false;
					default -> throw new IllegalArgumentException("unknown option " + args[i]);
				}
			}
			if (runs < 1) {
				throw new IllegalArgumentException("--runs must be at least 1");
			}
			if (jdks.isEmpty()) {
				jdks.add(Jdk.of(Path.of(System.getProperty("java.home"))));
			}
			launcher = launcher.toAbsolutePath();
			if (!Files.isExecutable(launcher)) {
				throw new IllegalArgumentException("no launcher at " + launcher);
			}
			Path jar = launcher.getParent().resolveSibling("target/mycelium.jar");
			if (!Files.isRegularFile(jar)) {
				throw new IllegalArgumentException("no " + jar + ": build it with ./mvnw -B package -DskipTests");
			}
			if (baselineJar != null && !ways.contains(Way.PLAIN)) {
				ways.add(Way.PLAIN);
			}
			baselineJar = baselineJar != null ? baselineJar.toAbsolutePath() : jar;
			if (!Files.isRegularFile(baselineJar)) {
				throw new IllegalArgumentException("no such jar: " + baselineJar);
			}
			return new Options(runs, List.copyOf(jdks), launcher, baselineJar, List.copyOf(ways), prepare);
		}

		private static String value(String[] args, int i) {
			if (i >= args.length) {
				throw new IllegalArgumentException(args[i - 1] + " needs a value");
			}
			return args[i];
		}

	}

}
