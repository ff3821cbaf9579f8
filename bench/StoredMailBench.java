import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The durable store with a full house: a private broker (SQLite store) gets {@code
 * --messages} unread messages spread over {@code --peers} inboxes through its REST API,
 * is stopped, and is started again {@code --runs} times; each start is timed from spawn
 * to health {@code UP} and to the first inbox read. Prints the database's size per
 * 100,000 messages. JDK classes only: {@code java bench/StoredMailBench.java <launcher or
 * jar>}.
 *
 * <pre>
 * java bench/StoredMailBench.java bin/mycelium [--messages 100000] [--peers 100] [--body 200] [--runs 3]
 * </pre>
 */
public class StoredMailBench {

	private static final Pattern ID = Pattern.compile("\"id\":\"([a-z2-7]+)\"");

	private static final Pattern SECRET = Pattern.compile("\"secret\":\"([^\"]+)\"");

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			System.err.println(
					"usage: java bench/StoredMailBench.java <bin/mycelium | mycelium.jar> [--messages N] [--peers N] [--body BYTES] [--runs N]");
			System.exit(2);
		}
		Path program = Path.of(args[0]).toAbsolutePath();
		int messages = 100_000, peers = 100, body = 200, runs = 3;
		for (int i = 1; i + 1 < args.length; i += 2) {
			switch (args[i]) {
				case "--messages" -> messages = Integer.parseInt(args[i + 1]);
				case "--peers" -> peers = Integer.parseInt(args[i + 1]);
				case "--body" -> body = Integer.parseInt(args[i + 1]);
				case "--runs" -> runs = Integer.parseInt(args[i + 1]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		Path home = Files.createTempDirectory("mycelium-stored-");
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		int perInbox = (messages + peers - 1) / peers;
		// Daemon threads: a failed send must not keep this JVM alive after main ends.
		ExecutorService pool = Executors.newFixedThreadPool(4, work -> {
			Thread thread = new Thread(work, "bench-filler");
			thread.setDaemon(true);
			return thread;
		});
		Process broker = null;
		try {
			broker = start(program, home, port, perInbox);
			awaitUp(http, port, broker, System.nanoTime());
			String token = Files.readString(home.resolve("token")).trim();
			List<String[]> inboxes = new ArrayList<>();
			for (int i = 0; i < peers; i++) {
				inboxes.add(register(http, port, token, "inbox" + i));
			}
			String[] sender = register(http, port, token, "sender");
			String text = "x".repeat(body);
			long fillStart = System.nanoTime();
			List<Future<?>> work = new ArrayList<>();
			int total = messages;
			for (int t = 0; t < 4; t++) {
				int thread = t;
				work.add(pool.submit(() -> {
					for (int n = thread; n < total; n += 4) {
						String[] to = inboxes.get(n % inboxes.size());
						send(http, port, token, sender[1], to[0], "{\"body\":\"" + n + " " + text + "\"}");
					}
					return null;
				}));
			}
			for (Future<?> f : work) {
				f.get();
			}
			double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
			stop(broker);
			long bytes = databaseBytes(home);
			System.out.printf(Locale.US,
					"mycelium stored mail  (%d unread messages of %d-byte bodies in %d inboxes, filled at %,.0f msg/s, load average %s)%n",
					messages, body, peers, messages / fillSeconds, load());
			System.out.printf(Locale.US, "database       %.1f MB after a clean stop: %.1f MB per 100,000 messages%n",
					bytes / 1048576.0, bytes / 1048576.0 * 100_000 / messages);
			double[] up = new double[runs];
			double[] read = new double[runs];
			for (int run = 0; run < runs; run++) {
				long spawned = System.nanoTime();
				broker = start(program, home, port, perInbox);
				up[run] = awaitUp(http, port, broker, spawned);
				String[] first = inboxes.get(run % inboxes.size());
				String inbox = request(http, port, token, first[1], "GET", "/api/peers/" + first[0] + "/messages", null);
				read[run] = (System.nanoTime() - spawned) / 1e9;
				if (!inbox.contains("\"id\"")) {
					throw new IllegalStateException("the inbox came back empty after a restart");
				}
				stop(broker);
			}
			System.out.printf(Locale.US, "start          health UP  median %.2f s  min %.2f  max %.2f   (%d starts)%n",
					median(up), Arrays.stream(up).min().orElse(0), Arrays.stream(up).max().orElse(0), runs);
			System.out.printf(Locale.US, "first read     an inbox   median %.2f s  min %.2f  max %.2f%n", median(read),
					Arrays.stream(read).min().orElse(0), Arrays.stream(read).max().orElse(0));
		}
		catch (Exception ex) {
			// The broker's log goes with its home: show its end first.
			Path log = home.resolve("broker.log");
			if (Files.exists(log)) {
				List<String> lines = Files.readAllLines(log);
				System.err.println("[bench] the run failed; the broker log ends:");
				lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
			}
			throw ex;
		}
		finally {
			pool.shutdownNow();
			if (broker != null && broker.isAlive()) {
				stop(broker);
			}
			try (Stream<Path> files = Files.walk(home)) {
				files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

	private static Process start(Path program, Path home, int port, int perInbox) throws IOException {
		List<String> command = new ArrayList<>();
		if (program.toString().endsWith(".jar")) {
			command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
					program.toString()));
		}
		else {
			command.add(program.toString());
		}
		command.addAll(List.of("broker", "--port", String.valueOf(port),
				"--mycelium.limits.max-inbox=" + Math.max(1000, perInbox)));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("broker.log").toFile()));
		builder.environment().keySet().removeIf(name -> name.startsWith("MYCELIUM_"));
		builder.environment().put("MYCELIUM_HOME", home.toString());
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		return builder.start();
	}

	private static double awaitUp(HttpClient http, int port, Process broker, long spawned) throws Exception {
		HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
			.timeout(Duration.ofSeconds(2))
			.build();
		long deadline = spawned + TimeUnit.SECONDS.toNanos(120);
		while (System.nanoTime() < deadline) {
			if (!broker.isAlive()) {
				throw new IllegalStateException("the broker exited with " + broker.exitValue());
			}
			try {
				HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
				if (answer.statusCode() == 200 && answer.body().contains("UP")) {
					return (System.nanoTime() - spawned) / 1e9;
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("the broker did not come up");
	}

	private static void stop(Process broker) throws InterruptedException {
		broker.destroy();
		if (!broker.waitFor(60, TimeUnit.SECONDS)) {
			broker.destroyForcibly().waitFor();
		}
	}

	private static long databaseBytes(Path home) throws IOException {
		long bytes = 0;
		for (String name : List.of("mycelium.db", "mycelium.db-wal", "mycelium.db-shm")) {
			Path file = home.resolve(name);
			if (Files.exists(file)) {
				bytes += Files.size(file);
			}
		}
		return bytes;
	}

	private static String[] register(HttpClient http, int port, String token, String name) throws Exception {
		String answer = request(http, port, token, null, "POST", "/api/peers",
				"{\"name\":\"" + name + "\",\"session_key\":\"bench-" + name + "\"}");
		Matcher id = ID.matcher(answer);
		Matcher secret = SECRET.matcher(answer);
		if (!id.find() || !secret.find()) {
			throw new IllegalStateException("registration failed: " + answer);
		}
		return new String[] { id.group(1), secret.group(1) };
	}

	private static void send(HttpClient http, int port, String token, String secret, String to, String json) {
		try {
			request(http, port, token, secret, "POST", "/api/peers/" + to + "/messages", json);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String request(HttpClient http, int port, String token, String secret, String method, String path,
			String json) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.timeout(Duration.ofSeconds(60));
		if (secret != null) {
			request.header("Mycelium-Peer-Secret", secret);
		}
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		request.method(method,
				json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		if (answer.statusCode() >= 300) {
			throw new IllegalStateException(method + " " + path + ": " + answer.statusCode() + " " + answer.body());
		}
		return answer.body();
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	private static String load() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (IOException ex) {
			return "?";
		}
	}

}
