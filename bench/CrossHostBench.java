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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Messages across two hosts sharing one Redis: a private {@code redis-server} (free port,
 * temporary directory, append-only file), broker A ({@code laptop}) and broker B
 * ({@code server}) from the jar, each with its own home and port. Senders are peers on A,
 * receivers peers on B with their SSE inbox streams open on B, acknowledging what they
 * get. Measures send (answered 201 on A) → pushed (the SSE event on B): one sender at a
 * time for the latency, then many senders at once for the throughput, and checks that
 * every message arrived once.
 *
 * <pre>
 * java bench/CrossHostBench.java target/mycelium.jar [--senders 8] [--receivers 8] [--messages 20000]
 *     [--latency 2000] [--appendfsync everysec|always]
 * </pre>
 *
 * JDK classes only; never port 7890, 6379 or ~/.mycelium. Stops what it started.
 */
public class CrossHostBench {

	private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

	private static final Pattern SECRET = Pattern.compile("\"secret\":\"([^\"]+)\"");

	private static final Pattern BODY = Pattern.compile("\"body\":\"bench-(\\d+)\"");

	private static final List<Process> processes = new ArrayList<>();

	private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	/** Send times (System.nanoTime, one clock: this process) by message number. */
	private static final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();

	private static final Map<Integer, Long> pushedAt = new ConcurrentHashMap<>();

	public static void main(String[] args) throws Exception {
		Path jar = null;
		int senders = 8;
		int receivers = 8;
		int messages = 20_000;
		int latencyRounds = 2_000;
		String appendfsync = "everysec";
		boolean baseline = false;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--senders" -> senders = Integer.parseInt(args[++i]);
				case "--receivers" -> receivers = Integer.parseInt(args[++i]);
				case "--messages" -> messages = Integer.parseInt(args[++i]);
				case "--latency" -> latencyRounds = Integer.parseInt(args[++i]);
				case "--appendfsync" -> appendfsync = args[++i];
				case "--one-broker" -> baseline = true;
				default -> jar = Path.of(args[i]).toAbsolutePath();
			}
		}
		if (jar == null || !Files.isRegularFile(jar)) {
			System.err.println("usage: java bench/CrossHostBench.java target/mycelium.jar [--senders 8] [--receivers 8]"
					+ " [--messages 20000] [--latency 2000] [--appendfsync everysec|always]");
			System.exit(2);
		}
		Runtime.getRuntime().addShutdownHook(new Thread(CrossHostBench::stopAll));
		Path dir = Files.createTempDirectory("mycelium-cross-host-bench");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		System.out.printf(Locale.ROOT, "mycelium across two hosts: %s on %s, %d cores, Redis appendfsync %s%n",
				jar.getFileName(), Runtime.version(), Runtime.getRuntime().availableProcessors(), appendfsync);

		int redisPort = freePort();
		Files.createDirectories(dir.resolve("redis"));
		start(List.of("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1", "--dir",
				dir.resolve("redis").toString(), "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync,
				"--daemonize", "no"), Map.of(), dir.resolve("redis.out"));
		String redisUrl = "redis://127.0.0.1:" + redisPort;
		// --one-broker: the same load on one broker with its default store (SQLite), for
		// comparison: what crossing hosts through Redis costs.
		Broker laptop = Broker.start(java, jar, dir, "laptop", baseline ? null : redisUrl);
		Broker server = baseline ? laptop : Broker.start(java, jar, dir, "server", redisUrl);
		if (baseline) {
			System.out.println("baseline: one broker, SQLite store, senders and receivers on it");
		}

		List<String[]> from = new ArrayList<>();
		for (int i = 0; i < senders; i++) {
			from.add(laptop.register("sender" + i));
		}
		List<String[]> to = new ArrayList<>();
		for (int i = 0; i < receivers; i++) {
			to.add(server.register("receiver" + i));
		}
		List<Thread> readers = new ArrayList<>();
		AtomicInteger pushed = new AtomicInteger();
		CountDownLatch open = new CountDownLatch(receivers);
		for (String[] receiver : to) {
			readers.add(server.follow(receiver, pushed, open));
		}
		if (!open.await(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("inbox streams did not open");
		}

		// Latency: one message at a time, the next sent once the last was pushed.
		int number = 0;
		for (int warm = 0; warm < 300; warm++, number++) {
			sendAndWait(laptop, from.get(0), to.get(number % receivers), number);
		}
		long[] latencies = new long[latencyRounds];
		for (int i = 0; i < latencyRounds; i++, number++) {
			latencies[i] = sendAndWait(laptop, from.get(0), to.get(number % receivers), number);
		}
		Arrays.sort(latencies);
		System.out.printf(Locale.ROOT,
				"one sender: send on laptop -> pushed on server: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms (%d messages)%n",
				ms(latencies[latencyRounds / 2]), ms(latencies[(int) (latencyRounds * 0.9)]),
				ms(latencies[(int) (latencyRounds * 0.99)]), ms(latencies[latencyRounds - 1]), latencyRounds);

		// Throughput: every sender at once, round robin over the receivers.
		int first = number;
		int perSender = messages / senders;
		int total = perSender * senders;
		pushed.set(0);
		CountDownLatch done = new CountDownLatch(senders);
		long start = System.nanoTime();
		for (int s = 0; s < senders; s++) {
			int self = s;
			Thread thread = new Thread(() -> {
				try {
					for (int n = 0; n < perSender; n++) {
						int id = first + self * perSender + n;
						sentAt.put(id, System.nanoTime());
						laptop.send(from.get(self), to.get((self + n) % to.size()), id);
					}
				}
				catch (Exception ex) {
					ex.printStackTrace();
				}
				finally {
					done.countDown();
				}
			});
			thread.start();
		}
		done.await();
		long sentAll = System.nanoTime();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (pushed.get() < total && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		long end = System.nanoTime();
		long[] loaded = new long[total];
		int got = 0;
		for (int id = first; id < first + total; id++) {
			Long at = pushedAt.get(id);
			if (at != null) {
				loaded[got++] = at - sentAt.get(id);
			}
		}
		long[] arrived = Arrays.copyOf(loaded, got);
		Arrays.sort(arrived);
		System.out.printf(Locale.ROOT,
				"%d senders on laptop -> %d receivers on server: %d of %d pushed in %.2f s: %.0f msg/s"
						+ " (sends took %.2f s: %.0f msg/s); send -> pushed p50 %.2f ms  p99 %.2f ms%n",
				senders, receivers, got, total, (end - start) / 1e9, got / ((end - start) / 1e9),
				(sentAll - start) / 1e9, total / ((sentAll - start) / 1e9), ms(arrived[got / 2]),
				ms(arrived[(int) (got * 0.99)]));
		if (got != total) {
			System.out.println("MISSING: " + (total - got) + " messages were not pushed");
		}
		if (!baseline) {
			System.out.println("Redis commands per message (both brokers, every phase): "
					+ commandsPerMessage(redisPort, number + total));
		}
		readers.forEach(Thread::interrupt);
		laptop.stop();
		if (server != laptop) {
			server.stop();
		}
		stopAll();
	}

	private static long sendAndWait(Broker broker, String[] sender, String[] receiver, int id) throws Exception {
		long start = System.nanoTime();
		sentAt.put(id, start);
		broker.send(sender, receiver, id);
		long deadline = start + TimeUnit.SECONDS.toNanos(10);
		Long at;
		while ((at = pushedAt.get(id)) == null) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("message " + id + " was not pushed within 10 s");
			}
			Thread.onSpinWait();
		}
		return at - start;
	}

	private record Broker(String host, int port, String token, Process process) {

		static Broker start(String java, Path jar, Path dir, String host, String redisUrl) throws Exception {
			int port = freePort();
			Path home = dir.resolve(host);
			Map<String, String> environment = new java.util.HashMap<>(
					Map.of("MYCELIUM_HOME", home.toString(), "MYCELIUM_HOSTNAME", host));
			if (redisUrl != null) {
				environment.put("MYCELIUM_REDIS_URL", redisUrl);
			}
			Process process = CrossHostBench.start(
					List.of(java, "-jar", jar.toString(), "broker", "--port", String.valueOf(port)), environment,
					dir.resolve(host + ".log"));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
			while (true) {
				try {
					HttpResponse<String> health = http.send(
							HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build(),
							HttpResponse.BodyHandlers.ofString());
					if (health.body().contains("UP")) {
						break;
					}
				}
				catch (IOException ex) {
					// not yet listening
				}
				if (System.nanoTime() > deadline || !process.isAlive()) {
					throw new IllegalStateException("the broker of " + host + " did not start: see " + dir);
				}
				Thread.sleep(100);
			}
			return new Broker(host, port, Files.readString(home.resolve("token")).trim(), process);
		}

		String[] register(String name) throws Exception {
			String body = post("/api/peers",
					"{\"name\":\"" + name + "\",\"cwd\":\"/bench/" + name + "\",\"session_key\":\"bench-" + name + "\"}",
					null);
			return new String[] { first(ID, body), name, first(SECRET, body) };
		}

		void send(String[] sender, String[] receiver, int id) throws Exception {
			post("/api/peers/" + receiver[0] + "/messages", "{\"body\":\"bench-" + id + "\"}", sender[2]);
		}

		String post(String path, String json, String secret) throws Exception {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json));
			if (secret != null) {
				request.header("Mycelium-Peer-Secret", secret);
			}
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() / 100 != 2) {
				throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
			}
			return response.body();
		}

		/**
		 * Follows the receiver's SSE inbox stream; a second thread acknowledges what came,
		 * in batches, so that inboxes never fill.
		 */
		Thread follow(String[] receiver, AtomicInteger pushed, CountDownLatch open) {
			java.util.Queue<String> unacknowledged = new java.util.concurrent.ConcurrentLinkedQueue<>();
			Thread acker = new Thread(() -> {
				try {
					while (true) {
						List<String> batch = new ArrayList<>();
						for (String id; batch.size() < 200 && (id = unacknowledged.poll()) != null;) {
							batch.add(id);
						}
						if (batch.isEmpty()) {
							Thread.sleep(5);
						}
						else {
							post("/api/peers/" + receiver[0] + "/messages/ack",
									"{\"ids\":[\"" + String.join("\",\"", batch) + "\"]}", receiver[2]);
						}
					}
				}
				catch (Exception ex) {
					// the bench is over
				}
			}, "ack-" + receiver[1]);
			acker.setDaemon(true);
			acker.start();
			Thread thread = new Thread(() -> {
				try {
					HttpRequest request = HttpRequest
						.newBuilder(URI.create("http://localhost:" + port + "/api/peers/" + receiver[0] + "/events"))
						.header("Authorization", "Bearer " + token)
						.header("Mycelium-Peer-Secret", receiver[2])
						.header("Accept", "text/event-stream")
						.build();
					HttpResponse<java.util.stream.Stream<String>> response = http.send(request,
							HttpResponse.BodyHandlers.ofLines());
					open.countDown();
					response.body().forEach(line -> {
						if (!line.startsWith("data:")) {
							return;
						}
						Matcher body = BODY.matcher(line);
						if (body.find()) {
							int id = Integer.parseInt(body.group(1));
							if (pushedAt.putIfAbsent(id, System.nanoTime()) == null) {
								pushed.incrementAndGet();
							}
						}
						unacknowledged.add(first(ID, line));
					});
				}
				catch (Exception ex) {
					// the bench is over
				}
			}, "inbox-" + receiver[1]);
			thread.setDaemon(true);
			thread.start();
			return thread;
		}

		void stop() throws Exception {
			post("/api/broker/shutdown", "{}", null);
			process.waitFor(30, TimeUnit.SECONDS);
		}

	}

	private static Process start(List<String> command, Map<String, String> environment, Path log) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().remove("MYCELIUM_STORE");
		builder.environment().remove("MYCELIUM_REDIS_URL");
		builder.environment().putAll(environment);
		Process process = builder.start();
		processes.add(process);
		return process;
	}

	private static void stopAll() {
		for (Process process : processes) {
			process.destroy();
			try {
				if (!process.waitFor(20, TimeUnit.SECONDS)) {
					process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				process.destroyForcibly();
			}
		}
	}

	/** What the brokers asked of Redis, from INFO commandstats, per message sent. */
	private static String commandsPerMessage(int redisPort, int messages) throws IOException {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redisPort)) {
			socket.getOutputStream().write("INFO commandstats\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			java.io.BufferedReader in = new java.io.BufferedReader(
					new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
			int length = Integer.parseInt(in.readLine().substring(1));
			char[] text = new char[length];
			int read = 0;
			while (read < length) {
				read += in.read(text, read, length - read);
			}
			StringBuilder out = new StringBuilder();
			Matcher stat = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(new String(text));
			while (stat.find()) {
				double per = Long.parseLong(stat.group(2)) / (double) messages;
				if (per >= 0.01) {
					out.append(String.format(Locale.ROOT, "%s %.2f  ", stat.group(1), per));
				}
			}
			return out.toString().trim();
		}
	}

	private static String first(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		if (!matcher.find()) {
			throw new IllegalStateException("no " + pattern + " in " + text);
		}
		return matcher.group(1);
	}

	private static double ms(long nanos) {
		return nanos / 1e6;
	}

	private static int freePort() throws IOException {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0)) {
				int port = socket.getLocalPort();
				if (port != 7890 && port != 6379) {
					return port;
				}
			}
		}
	}

}
