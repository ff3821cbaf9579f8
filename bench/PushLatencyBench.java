import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * End-to-end push latency: from writing a {@code tools/call signal} to session A's
 * {@code serve} to reading the {@code notifications/claude/channel} line on session B's
 * standard output. A and B are real {@code serve --channel} processes spoken to over
 * stdio, as Claude Code does; the other live peers are registered over REST with their
 * inbox streams open (so the broker has that many peers with push on).
 *
 * <pre>
 * java bench/PushLatencyBench.java target/mycelium.jar [--peers 1,10,50] [--messages 300]
 * </pre>
 *
 * JDK classes only. Never touches port 7890 or ~/.mycelium: a temporary home, a free port.
 */
public class PushLatencyBench {

	private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

	private static final Pattern SECRET = Pattern.compile("\"secret\":\"([^\"]+)\"");

	private static final Pattern MARK = Pattern.compile("bench-(\\d+)");

	private static final List<Process> processes = new ArrayList<>();

	public static void main(String[] args) throws Exception {
		Path jar = null;
		int[] peerCounts = { 1, 10, 50 };
		int messages = 300;
		int warmup = 100;
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--peers" -> peerCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
				case "--messages" -> messages = Integer.parseInt(args[++i]);
				case "--warmup" -> warmup = Integer.parseInt(args[++i]);
				case "--java" -> java = args[++i];
				default -> jar = Path.of(args[i]).toAbsolutePath();
			}
		}
		if (jar == null || !Files.isRegularFile(jar)) {
			System.err.println("usage: java bench/PushLatencyBench.java target/mycelium.jar [--peers 1,10,50] "
					+ "[--messages 300] [--warmup 100] [--java path/to/java]");
			System.exit(2);
		}
		Path home = Files.createTempDirectory("mycelium-push-bench");
		Runtime.getRuntime().addShutdownHook(new Thread(PushLatencyBench::stopAll));
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		System.out.printf(Locale.ROOT, "mycelium push latency: %s on %s, %d cores%n", jar.getFileName(),
				Runtime.version(), Runtime.getRuntime().availableProcessors());

		Process broker = start(List.of(java, "-jar", jar.toString(), "broker", "--port", String.valueOf(port)), home,
				port, home.resolve("broker.out"));
		HttpClient http = HttpClient.newHttpClient();
		waitForHealth(http, port);
		String token = Files.readString(home.resolve("token")).trim();

		Serve a = Serve.start(java, jar, home, port, Files.createDirectories(home.resolve("dirs/sender")));
		Serve b = Serve.start(java, jar, home, port, Files.createDirectories(home.resolve("dirs/receiver")));
		a.handshake();
		b.handshake();
		a.call("identify", "{}");
		b.call("identify", "{}");
		// Wait until B's stream is open: a first message arrives.
		int sequence = 0;
		a.call("signal", "{\"to\":\"receiver\",\"body\":\"bench-" + sequence + "\"}");
		b.awaitPush(sequence++, Duration.ofSeconds(120));

		List<Stream<String>> openStreams = new ArrayList<>();
		int live = 2;
		for (int peers : peerCounts) {
			while (live < Math.max(peers, 2)) {
				openStreams.add(extraPeer(http, port, token, "extra-" + live));
				live++;
			}
			for (int i = 0; i < warmup; i++) {
				a.call("signal", "{\"to\":\"receiver\",\"body\":\"bench-" + sequence + "\"}");
				b.awaitPush(sequence++, Duration.ofSeconds(30));
			}
			long[] latencies = new long[messages];
			for (int i = 0; i < messages; i++) {
				long start = System.nanoTime();
				a.send("signal", "{\"to\":\"receiver\",\"body\":\"bench-" + sequence + "\"}");
				long arrived = b.awaitPush(sequence++, Duration.ofSeconds(30));
				latencies[i] = arrived - start;
				a.awaitResult(Duration.ofSeconds(30));
			}
			Arrays.sort(latencies);
			System.out.printf(Locale.ROOT, "%3d live peers: p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d pushes)%n",
					Math.max(peers, 2), ms(latencies[messages / 2]), ms(latencies[(int) (messages * 0.99) - 1]),
					ms(latencies[messages - 1]), messages);
		}
		a.close();
		b.close();
		broker.destroy();
		broker.waitFor(10, TimeUnit.SECONDS);
		stopAll();
		try (Stream<Path> files = Files.walk(home)) {
			files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
	}

	private static double ms(long nanos) {
		return nanos / 1e6;
	}

	/** A registered peer with its inbox stream open, read by nobody in particular. */
	private static Stream<String> extraPeer(HttpClient http, int port, String token, String name) throws Exception {
		HttpResponse<String> registered = http.send(HttpRequest.newBuilder(URI.create(base(port) + "/api/peers"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"cwd\":\"/" + name + "\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		String id = group(ID, registered.body());
		String secret = group(SECRET, registered.body());
		HttpResponse<Stream<String>> stream = http.send(
				HttpRequest.newBuilder(URI.create(base(port) + "/api/peers/" + id + "/events"))
					.header("Authorization", "Bearer " + token)
					.header("Mycelium-Peer-Secret", secret)
					.build(),
				HttpResponse.BodyHandlers.ofLines());
		Thread reader = new Thread(() -> stream.body().forEach(line -> {
		}));
		reader.setDaemon(true);
		reader.start();
		return stream.body();
	}

	private static String group(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		if (!matcher.find()) {
			throw new IllegalStateException("unexpected answer: " + text);
		}
		return matcher.group(1);
	}

	private static String base(int port) {
		return "http://127.0.0.1:" + port;
	}

	private static void waitForHealth(HttpClient http, int port) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			try {
				HttpResponse<String> health = http.send(
						HttpRequest.newBuilder(URI.create(base(port) + "/actuator/health")).build(),
						HttpResponse.BodyHandlers.ofString());
				if (health.body().contains("UP")) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("the broker did not come up; see its output in the temporary home");
	}

	private static Process start(List<String> command, Path home, int port, Path output) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile());
		builder.environment().keySet().removeIf(key -> key.startsWith("MYCELIUM_"));
		builder.environment().put("MYCELIUM_HOME", home.toString());
		builder.environment().put("MYCELIUM_PORT", String.valueOf(port));
		Process process = builder.start();
		processes.add(process);
		return process;
	}

	private static void stopAll() {
		for (Process process : processes) {
			process.destroy();
		}
		for (Process process : processes) {
			try {
				if (!process.waitFor(10, TimeUnit.SECONDS)) {
					process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				process.destroyForcibly();
			}
		}
	}

	/** One {@code serve --channel} process, spoken to in JSON-RPC lines. */
	private static final class Serve {

		private final Process process;

		private final OutputStream stdin;

		/** Channel notifications: the bench number in the body, and when the line was read. */
		private final BlockingQueue<long[]> pushes = new LinkedBlockingQueue<>();

		private final BlockingQueue<String> results = new LinkedBlockingQueue<>();

		private int nextId = 1;

		private Serve(Process process) {
			this.process = process;
			this.stdin = process.getOutputStream();
			Thread reader = new Thread(() -> read(process.getInputStream()));
			reader.setDaemon(true);
			reader.start();
		}

		static Serve start(String java, Path jar, Path home, int port, Path directory) throws IOException {
			ProcessBuilder builder = new ProcessBuilder(java, "-Xlog:disable", "-Xlog:all=warning:stderr",
					"-XX:+DisplayVMOutputToStderr", "-Duser.dir=" + directory, "-jar", jar.toString(), "serve",
					"--channel")
				.directory(directory.toFile())
				.redirectError(directory.resolve("serve.err").toFile());
			builder.environment().keySet().removeIf(key -> key.startsWith("MYCELIUM_"));
			builder.environment().put("MYCELIUM_HOME", home.toString());
			builder.environment().put("MYCELIUM_PORT", String.valueOf(port));
			Process process = builder.start();
			processes.add(process);
			return new Serve(process);
		}

		private void read(InputStream stdout) {
			try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
				String line;
				while ((line = lines.readLine()) != null) {
					long now = System.nanoTime();
					if (line.contains("\"notifications/claude/channel\"")) {
						Matcher mark = MARK.matcher(line);
						if (mark.find()) {
							pushes.add(new long[] { Long.parseLong(mark.group(1)), now });
						}
					}
					else if (line.contains("\"result\"") || line.contains("\"error\"")) {
						results.add(line);
					}
				}
			}
			catch (IOException ex) {
				// the process ended
			}
		}

		void handshake() throws Exception {
			write("{\"jsonrpc\":\"2.0\",\"id\":" + nextId++ + ",\"method\":\"initialize\",\"params\":{"
					+ "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
					+ "\"clientInfo\":{\"name\":\"push-bench\",\"version\":\"1\"}}}");
			awaitResult(Duration.ofSeconds(120));
			write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
		}

		void send(String tool, String arguments) throws IOException {
			write("{\"jsonrpc\":\"2.0\",\"id\":" + nextId++ + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
					+ tool + "\",\"arguments\":" + arguments + "}}");
		}

		String call(String tool, String arguments) throws Exception {
			send(tool, arguments);
			return awaitResult(Duration.ofSeconds(120));
		}

		String awaitResult(Duration wait) throws InterruptedException {
			String result = results.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
			if (result == null) {
				throw new IllegalStateException("no answer from serve within " + wait);
			}
			if (result.contains("\"isError\":true") || result.contains("\"error\"")) {
				throw new IllegalStateException("serve answered an error: " + result);
			}
			return result;
		}

		/** The time the push numbered {@code expected} was read; fails on loss or disorder. */
		long awaitPush(int expected, Duration wait) throws InterruptedException {
			long[] push = pushes.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
			if (push == null) {
				throw new IllegalStateException("push " + expected + " did not arrive within " + wait);
			}
			if (push[0] != expected) {
				throw new IllegalStateException("expected push " + expected + " but got " + push[0]);
			}
			return push[1];
		}

		private void write(String line) throws IOException {
			stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			stdin.flush();
		}

		void close() throws Exception {
			stdin.close();
			process.waitFor(10, TimeUnit.SECONDS);
		}

	}

}
