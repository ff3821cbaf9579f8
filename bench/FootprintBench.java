import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What mycelium costs to keep running: N idle sessions ({@code serve} through
 * {@code bin/mycelium}, each having called {@code identify}) and their broker. Prints, for each
 * session and for the broker, the resident set (RSS), the proportional set size (PSS: pages
 * several processes share count once among them, the fair figure for many JVMs mapping one
 * class archive) and the CPU used while idle; then the broker's figures again after 1,000 peers
 * registered and 100,000 messages stored. With {@code --claude-peers DIR --bun BUN}, the same
 * figures for claude-peers in the same run.
 *
 * <pre>
 * java bench/FootprintBench.java [--sessions 5] [--jdk JAVA_HOME] [--settle 10] [--idle 60]
 *     [--peers 1000] [--messages 100000] [--store sqlite|memory] [--claude-peers DIR --bun BUN]
 * </pre>
 *
 * JDK classes only, so that it runs with the source launcher. Linux only (/proc). See
 * bench/README.md for how to read the results.
 */
public class FootprintBench {

	/** The port a user's own broker listens on: never disturb it. */
	private static final int USER_BROKER_PORT = 7890;

	private static final String INITIALIZE = """
			{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
			"capabilities":{},"clientInfo":{"name":"footprint-bench","version":"1"}}}""";

	private static final String INITIALIZED = """
			{"jsonrpc":"2.0","method":"notifications/initialized"}""";

	private static final String IDENTIFY = """
			{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"identify","arguments":{}}}""";

	private static final String JSON_RPC_LINE = "{\"jsonrpc\":\"2.0\"";

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
		Path work = Files.createTempDirectory("mycelium-footprint-bench");
		List<ProcessHandle> started = new ArrayList<>();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			// Sessions first: a session that saw its broker go would start another one.
			for (int i = started.size() - 1; i >= 0; i--) {
				stop(started.get(i));
			}
			delete(work);
		}, "bench-cleanup"));
		if (options.prepare()) {
			progress("bin/mycelium prepare (the start-up cache for this JDK and jar)");
			Process prepare = launcher(options, work, work.resolve("prepare-home"), "prepare").redirectErrorStream(true)
				.redirectOutput(work.resolve("prepare.log").toFile())
				.start();
			if (!prepare.waitFor(10, TimeUnit.MINUTES) || prepare.exitValue() != 0) {
				throw new IllegalStateException("bin/mycelium prepare failed:\n" + Files.readString(work.resolve("prepare.log")));
			}
		}
		Path home = Files.createDirectories(work.resolve("home"));
		int port = freePort();
		ProcessBuilder brokerBuilder = launcher(options, work, home, "broker", "--port", String.valueOf(port));
		if (options.store() != null) {
			brokerBuilder.environment().put("MYCELIUM_STORE", options.store());
		}
		long spawned = System.nanoTime();
		Process broker = brokerBuilder.redirectErrorStream(true).redirectOutput(work.resolve("broker.log").toFile()).start();
		started.add(broker.toHandle());
		awaitUp(broker, port, Duration.ofMinutes(2));
		double brokerStart = seconds(System.nanoTime() - spawned);
		progress("broker UP in %.2f s", brokerStart);

		List<Process> sessions = new ArrayList<>();
		List<Double> initializeSeconds = new ArrayList<>();
		for (int i = 0; i < options.sessions(); i++) {
			Path stderr = work.resolve("serve-" + i + ".stderr");
			Path cwd = gitRepository(Files.createDirectories(work.resolve("session-" + i)));
			ProcessBuilder builder = launcher(options, cwd, home, "serve");
			builder.environment().put("MYCELIUM_PORT", String.valueOf(port));
			if (options.inboxSocket()) {
				// As Claude Code does: the session then follows its inbox stream.
				builder.environment().put("CLAUDE_CODE_MESSAGING_SOCKET", inboxSocket(work.resolve("inbox-" + i + ".sock")).toString());
				builder.environment().put("CLAUDE_CODE_MESSAGING_TOKEN", "footprint-bench");
			}
			long spawn = System.nanoTime();
			Process serve = builder.redirectError(stderr.toFile()).start();
			started.add(serve.toHandle());
			BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
			send(serve.getOutputStream(), INITIALIZE);
			awaitResponse(out, 1, serve, stderr);
			initializeSeconds.add(seconds(System.nanoTime() - spawn));
			send(serve.getOutputStream(), INITIALIZED);
			send(serve.getOutputStream(), IDENTIFY);
			awaitResponse(out, 2, serve, stderr);
			// Keep reading its output, so that nothing it writes blocks it.
			daemon(() -> drain(out));
			sessions.add(serve);
			progress("session %d: initialize answered in %.2f s", i + 1, initializeSeconds.get(i));
		}

		Map<String, Figures> idle = idleFigures(options, sessions, broker);
		List<Process> none = List.of();
		Map<String, Figures> loaded = Map.of();
		if (options.peers() > 0 || options.messages() > 0) {
			load(options, home, port);
			loaded = idleFigures(options, none, broker);
		}
		Map<String, Figures> peers = options.claudePeers() != null ? claudePeers(options, work) : Map.of();

		System.out.println();
		print("mycelium footprint benchmark  (%d cores, JDK %s, %d sessions %s, %s store, settle %d s, idle %d s, load average %s)",
				Runtime.getRuntime().availableProcessors(), jdkVersion(options), options.sessions(),
				options.inboxSocket() ? "with inbox sockets" : "without inbox sockets",
				options.store() != null ? options.store() : "default", options.settle(), options.idle(), loadAverage());
		print("%-34s %9s %9s %9s %9s %12s", "process", "RSS MiB", "PSS MiB", "anon", "file", "CPU ms/min");
		idle.forEach((name, figures) -> print("%-34s %s", name, figures));
		List<Figures> sessionFigures = idle.entrySet()
			.stream()
			.filter(entry -> entry.getKey().startsWith("serve"))
			.map(Map.Entry::getValue)
			.toList();
		print("%-34s %s", "serve, median", Figures.median(sessionFigures));
		Figures brokerIdle = idle.get("broker");
		print("%-34s %9s %9.1f", "all " + (sessions.size() + 1) + " processes, PSS", "",
				(sessionFigures.stream().mapToLong(Figures::pssKb).sum() + brokerIdle.pssKb()) / 1024.0);
		print("%-34s %s", "serve spawn -> initialize answered", secondsLine(initializeSeconds));
		print("%-34s %.2f s", "broker spawn -> health UP", brokerStart);
		if (!loaded.isEmpty()) {
			print("%-34s %s", "broker, %d peers + %d messages".formatted(options.peers(), options.messages()),
					loaded.get("broker"));
		}
		peers.forEach((name, figures) -> print("%-34s %s", name, figures));
		if (options.hold() > 0) {
			progress("holding %d s: broker pid %d, sessions %s", options.hold(), broker.pid(),
					sessions.stream().map(Process::pid).toList());
			Thread.sleep(options.hold() * 1000L);
		}
	}

	/** Lets everything settle, then measures CPU over the idle period and memory at its end. */
	private static Map<String, Figures> idleFigures(Options options, List<Process> sessions, Process broker)
			throws Exception {
		Map<String, ProcessHandle> processes = new LinkedHashMap<>();
		for (int i = 0; i < sessions.size(); i++) {
			processes.put("serve " + (i + 1), sessions.get(i).toHandle());
		}
		processes.put("broker", broker.toHandle());
		return idleFigures(options, processes);
	}

	private static Map<String, Figures> idleFigures(Options options, Map<String, ProcessHandle> processes)
			throws Exception {
		progress("settling %d s, then %d s idle", options.settle(), options.idle());
		Thread.sleep(options.settle() * 1000L);
		Map<String, Long> cpuBefore = new LinkedHashMap<>();
		processes.forEach((name, process) -> cpuBefore.put(name, cpuNanos(process)));
		long idleStart = System.nanoTime();
		Thread.sleep(options.idle() * 1000L);
		double minutes = (System.nanoTime() - idleStart) / 60e9;
		Map<String, Figures> figures = new LinkedHashMap<>();
		for (Map.Entry<String, ProcessHandle> entry : processes.entrySet()) {
			ProcessHandle process = entry.getValue();
			if (!process.isAlive()) {
				throw new IllegalStateException(entry.getKey() + " ended while idle");
			}
			double cpuMsPerMinute = (cpuNanos(process) - cpuBefore.get(entry.getKey())) / 1e6 / minutes;
			figures.put(entry.getKey(), Figures.of(process.pid(), cpuMsPerMinute));
		}
		return figures;
	}

	/** Registers the peers and stores the messages, through the REST API as a user's scripts would. */
	private static void load(Options options, Path home, int port) throws Exception {
		String token = Files.readString(home.resolve("token")).trim();
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		progress("registering %d peers", options.peers());
		List<String[]> peers = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<String[]>> registrations = new ArrayList<>();
			for (int i = 0; i < Math.max(options.peers(), 1); i++) {
				int n = i;
				registrations.add(pool.submit(() -> register(http, port, token, "load-" + n)));
			}
			for (Future<String[]> registration : registrations) {
				peers.add(registration.get());
			}
			progress("storing %d messages", options.messages());
			AtomicInteger next = new AtomicInteger();
			String body = "x".repeat(200);
			List<Future<?>> senders = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				senders.add(pool.submit(() -> {
					for (int n; (n = next.getAndIncrement()) < options.messages();) {
						String[] from = peers.get(n % peers.size());
						String[] to = peers.get((n * 7 + 1) % peers.size());
						request(http, port, token, from[1], "POST", "/api/peers/" + to[0] + "/messages",
								"{\"body\":\"" + n + " " + body + "\"}", 201);
					}
					return null;
				}));
			}
			for (Future<?> sender : senders) {
				sender.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

	private static final Pattern SECRET = Pattern.compile("\"secret\":\"([^\"]+)\"");

	private static String[] register(HttpClient http, int port, String token, String name) throws Exception {
		String answer = request(http, port, token, null, "POST", "/api/peers",
				"{\"name\":\"" + name + "\",\"summary\":\"footprint bench\"}", 201);
		Matcher id = ID.matcher(answer);
		Matcher secret = SECRET.matcher(answer);
		if (!id.find() || !secret.find()) {
			throw new IllegalStateException("registration answered " + answer);
		}
		return new String[] { id.group(1), secret.group(1) };
	}

	private static String request(HttpClient http, int port, String token, String secret, String method, String path,
			String json, int expected) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.method(method, HttpRequest.BodyPublishers.ofString(json));
		if (secret != null) {
			request.header("Mycelium-Peer-Secret", secret);
		}
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != expected) {
			throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
		}
		return response.body();
	}

	/**
	 * claude-peers in the same harness: its MCP server per session under Bun, each starting
	 * or finding its broker, initialized and idle like ours.
	 */
	private static Map<String, Figures> claudePeers(Options options, Path work) throws Exception {
		Path server = options.claudePeers().resolve("server.ts");
		if (!Files.isRegularFile(server)) {
			throw new IllegalArgumentException("no server.ts in " + options.claudePeers());
		}
		int port = freePort();
		Map<String, ProcessHandle> processes = new LinkedHashMap<>();
		List<Process> servers = new ArrayList<>();
		List<Double> initializeSeconds = new ArrayList<>();
		try {
			for (int i = 0; i < options.sessions(); i++) {
				Path cwd = Files.createDirectories(work.resolve("claude-peers-" + i));
				ProcessBuilder builder = new ProcessBuilder(options.bun().toString(), server.toString()).directory(cwd.toFile());
				builder.environment().put("CLAUDE_PEERS_PORT", String.valueOf(port));
				builder.environment().put("CLAUDE_PEERS_DB", work.resolve("claude-peers.db").toString());
				Path stderr = work.resolve("claude-peers-" + i + ".stderr");
				long spawn = System.nanoTime();
				Process process = builder.redirectError(stderr.toFile()).start();
				servers.add(process);
				BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
				send(process.getOutputStream(), INITIALIZE);
				awaitResponse(out, 1, process, stderr);
				initializeSeconds.add(seconds(System.nanoTime() - spawn));
				send(process.getOutputStream(), INITIALIZED);
				daemon(() -> drain(out));
				processes.put("claude-peers server " + (i + 1), process.toHandle());
			}
			// Its broker is a child of the first server that needed one (or detached: look it up).
			ProcessHandle.allProcesses()
				.filter(p -> p.info().commandLine().orElse("").contains("broker.ts"))
				.findFirst()
				.ifPresent(b -> processes.put("claude-peers broker", b));
			Map<String, Figures> figures = idleFigures(options, processes);
			progress("claude-peers: initialize answered in %s", secondsLine(initializeSeconds));
			return figures;
		}
		finally {
			processes.values().forEach(FootprintBench::stop);
			servers.forEach(process -> stop(process.toHandle()));
		}
	}

	private static void daemon(Runnable task) {
		Thread thread = new Thread(task, "bench-drain");
		thread.setDaemon(true);
		thread.start();
	}

	private static void drain(BufferedReader out) {
		try {
			for (String line; (line = out.readLine()) != null;) {
				if (!line.startsWith(JSON_RPC_LINE)) {
					System.err.println("[bench] not JSON-RPC on a server's standard output: " + line);
				}
			}
		}
		catch (IOException ended) {
			// the process ended
		}
	}

	/** A session works in a git repository: serve follows its branch and HEAD. */
	private static Path gitRepository(Path directory) throws IOException, InterruptedException {
		for (List<String> command : List.of(List.of("git", "init", "-q", "-b", "main"),
				List.of("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q",
						"--allow-empty", "-m", "start"))) {
			Process git = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
			String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (git.waitFor() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
			}
		}
		return directory;
	}

	/**
	 * A stand-in for Claude Code's inbox socket: it accepts every connection and reads what
	 * comes (nothing does while the sessions idle).
	 */
	private static Path inboxSocket(Path path) throws IOException {
		ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		server.bind(UnixDomainSocketAddress.of(path));
		daemon(() -> {
			try {
				while (true) {
					SocketChannel client = server.accept();
					daemon(() -> {
						try (client) {
							ByteBuffer buffer = ByteBuffer.allocate(8192);
							while (client.read(buffer.clear()) >= 0) {
								// discarded
							}
						}
						catch (IOException ex) {
							// the session closed it
						}
					});
				}
			}
			catch (IOException ex) {
				// the bench is ending
			}
		});
		return path;
	}

	private static ProcessBuilder launcher(Options options, Path directory, Path home, String... args) {
		List<String> command = new ArrayList<>();
		command.add(options.launcher().toString());
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
		Map<String, String> environment = builder.environment();
		// The user's MYCELIUM_* settings are for their own broker and cache.
		environment.keySet().removeIf(name -> name.startsWith("MYCELIUM_") || name.startsWith("CLAUDE"));
		environment.put("JAVA_HOME", options.jdk().toString());
		environment.put("MYCELIUM_HOME", home.toString());
		return builder;
	}

	private static void send(OutputStream in, String message) throws IOException {
		in.write((message + "\n").getBytes(StandardCharsets.UTF_8));
		in.flush();
	}

	private static void awaitResponse(BufferedReader out, int id, Process process, Path stderr) throws IOException {
		String idField = "\"id\":" + id + ",";
		for (String line; (line = out.readLine()) != null;) {
			if (!line.startsWith(JSON_RPC_LINE)) {
				throw new IllegalStateException("not JSON-RPC on standard output: " + line);
			}
			if (line.contains(idField)) {
				if (line.contains("\"isError\":true") || line.contains("\"error\":")) {
					throw new IllegalStateException("request " + id + " failed: " + line);
				}
				return;
			}
		}
		throw new IllegalStateException("the server ended before answering request " + id + ":\n" + Files.readString(stderr));
	}

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

	/**
	 * The process's CPU and that of the children it waited for (serve runs git): utime,
	 * stime, cutime and cstime from /proc/PID/stat, in clock ticks of 10 ms.
	 */
	private static long cpuNanos(ProcessHandle process) {
		try {
			String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
			// The fields after the command name, which may hold spaces, in parentheses.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			long ticks = 0;
			for (int field = 11; field <= 14; field++) {
				ticks += Long.parseLong(fields[field]);
			}
			return ticks * 10_000_000L;
		}
		catch (IOException ex) {
			return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
		}
	}

	private static String secondsLine(List<Double> seconds) {
		List<Double> sorted = seconds.stream().sorted().toList();
		return String.format(Locale.US, "median %.3f s  min %.3f  max %.3f", median(sorted), sorted.get(0),
				sorted.get(sorted.size() - 1));
	}

	private static double median(List<Double> sorted) {
		int middle = sorted.size() / 2;
		return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	private static String jdkVersion(Options options) {
		try (Stream<String> release = Files.lines(options.jdk().resolve("release"))) {
			return release.filter(line -> line.startsWith("JAVA_VERSION="))
				.map(line -> line.substring(line.indexOf('=') + 1).replace("\"", ""))
				.findFirst()
				.orElse("?");
		}
		catch (IOException ex) {
			return "?";
		}
	}

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
		children.forEach(ProcessHandle::destroyForcibly);
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

	private static void progress(String format, Object... args) {
		System.err.println("[bench] " + String.format(Locale.US, format, args));
	}

	/** One process's memory (kB, from /proc/PID/smaps_rollup) and idle CPU. */
	record Figures(long rssKb, long pssKb, long pssAnonKb, long pssFileKb, double cpuMsPerMinute) {

		static Figures of(long pid, double cpuMsPerMinute) throws IOException {
			Map<String, Long> rollup = new LinkedHashMap<>();
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "smaps_rollup"))) {
				String[] parts = line.trim().split("\\s+");
				if (parts.length >= 2 && parts[0].endsWith(":") && parts[1].matches("[0-9]+")) {
					rollup.put(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]));
				}
			}
			return new Figures(rollup.getOrDefault("Rss", -1L), rollup.getOrDefault("Pss", -1L),
					rollup.getOrDefault("Pss_Anon", -1L), rollup.getOrDefault("Pss_File", -1L), cpuMsPerMinute);
		}

		static Figures median(List<Figures> all) {
			return new Figures((long) medianOf(all, Figures::rssKb), (long) medianOf(all, Figures::pssKb),
					(long) medianOf(all, Figures::pssAnonKb), (long) medianOf(all, Figures::pssFileKb),
					medianOf(all, Figures::cpuMsPerMinute));
		}

		private static double medianOf(List<Figures> all, java.util.function.ToDoubleFunction<Figures> field) {
			return FootprintBench.median(all.stream().mapToDouble(field).sorted().boxed().toList());
		}

		@Override
		public String toString() {
			return String.format(Locale.US, "%9.1f %9.1f %9.1f %9.1f %12.0f", rssKb / 1024.0, pssKb / 1024.0,
					pssAnonKb / 1024.0, pssFileKb / 1024.0, cpuMsPerMinute);
		}

	}

	record Options(int sessions, Path jdk, Path launcher, int settle, int idle, int peers, int messages, String store,
			Path claudePeers, Path bun, boolean prepare, int hold, boolean inboxSocket) {

		static final String USAGE = """
				usage: java bench/FootprintBench.java [options]   (from the repository, after ./mvnw package)
				  --sessions N        idle sessions (serve) to run (default 5)
				  --jdk JAVA_HOME     the JDK to run mycelium on (default: the one running this)
				  --launcher PATH     bin/mycelium (default: bin/mycelium under the current directory)
				  --settle S          seconds to wait before measuring (default 10)
				  --idle S            seconds of idle CPU to measure (default 60)
				  --peers N           peers to register for the loaded broker figures (default 1000; 0 and
				                      --messages 0 skip that phase)
				  --messages N        messages to store for them (default 100000)
				  --store S           the broker's store: sqlite (default) or memory
				  --claude-peers DIR  a claude-peers checkout, to measure it the same way (needs --bun)
				  --bun PATH          the bun executable for --claude-peers
				  --no-prepare        don't make the start-up cache first (bin/mycelium prepare)
				  --no-inbox-socket   don't give the sessions an inbox socket as Claude Code does (they then
				                      poll for mail with heartbeats instead of following their inbox stream)
				  --hold S            keep every process running S seconds after the figures, to look at them""";

		static Options parse(String[] args) {
			int sessions = 5;
			Path jdk = Path.of(System.getProperty("java.home"));
			Path launcher = Path.of("bin/mycelium");
			int settle = 10;
			int idle = 60;
			int peers = 1000;
			int messages = 100_000;
			String store = null;
			Path claudePeers = null;
			Path bun = null;
			boolean prepare = true;
			int hold = 0;
			boolean inboxSocket = true;
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--sessions" -> sessions = Integer.parseInt(value(args, ++i));
					case "--jdk" -> jdk = Path.of(value(args, ++i));
					case "--launcher" -> launcher = Path.of(value(args, ++i));
					case "--settle" -> settle = Integer.parseInt(value(args, ++i));
					case "--idle" -> idle = Integer.parseInt(value(args, ++i));
					case "--peers" -> peers = Integer.parseInt(value(args, ++i));
					case "--messages" -> messages = Integer.parseInt(value(args, ++i));
					case "--store" -> store = value(args, ++i);
					case "--claude-peers" -> claudePeers = Path.of(value(args, ++i)).toAbsolutePath();
					case "--bun" -> bun = Path.of(value(args, ++i)).toAbsolutePath();
					case "--no-prepare" -> prepare = false;
					case "--hold" -> hold = Integer.parseInt(value(args, ++i));
					case "--no-inbox-socket" -> inboxSocket = false;
					default -> throw new IllegalArgumentException("unknown option " + args[i]);
				}
			}
			if (sessions < 1 || idle < 1 || settle < 0 || peers < 0 || messages < 0) {
				throw new IllegalArgumentException("--sessions and --idle must be at least 1, the others at least 0");
			}
			if (!Files.isExecutable(jdk.resolve("bin/java"))) {
				throw new IllegalArgumentException("no JDK at " + jdk + " (no bin/java)");
			}
			if ((claudePeers == null) != (bun == null)) {
				throw new IllegalArgumentException("--claude-peers and --bun go together");
			}
			launcher = launcher.toAbsolutePath();
			if (!Files.isExecutable(launcher)) {
				throw new IllegalArgumentException("no launcher at " + launcher);
			}
			return new Options(sessions, jdk, launcher, settle, idle, peers, messages, store, claudePeers, bun, prepare, hold,
					inboxSocket);
		}

		private static String value(String[] args, int i) {
			if (i >= args.length) {
				throw new IllegalArgumentException(args[i - 1] + " needs a value");
			}
			return args[i];
		}

	}

}
