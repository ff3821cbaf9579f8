import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * End-to-end benchmark of the mycelium broker over its real HTTP API: starts a private
 * broker (own MYCELIUM_HOME, own free port), registers peers, warms it up, measures the
 * throughput of many concurrent senders while receivers long-poll and acknowledge, then
 * the latency of one sequential sender, and checks that every message arrived exactly
 * once.
 *
 * <pre>
 * java bench/BrokerThroughputBench.java target/mycelium.jar [--peers 100] [--messages 100000] [--senders 8]
 * </pre>
 *
 * JDK classes only, so that it runs with the source launcher and needs no build. See
 * bench/README.md for the options and how to read the results.
 */
public class BrokerThroughputBench {

	/** The port a user's own broker listens on: never disturb it. */
	private static final int USER_BROKER_PORT = 7890;

	/** Long-poll length for receivers: short, so that stopping them takes at most this. */
	private static final double POLL_WAIT_SECONDS = 1;

	/** A long-poll answered later than this was not ended by the broker's own timer. */
	private static final long POLL_LATE_NANOS = (long) ((POLL_WAIT_SECONDS + 5) * 1e9);

	/**
	 * The latency phase reads a recipient's inbox once this many are unread, well below
	 * the broker's limit of 1,000, so that no timed send ever meets a full inbox.
	 */
	private static final int LATENCY_DRAIN_AT = 500;

	/** Messages per warm-up round. */
	private static final int WARMUP_ROUND = 25_000;

	private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

	private static final Pattern NAME = Pattern.compile("\"name\":\"([^\"]+)\"");

	private static final Pattern SECRET = Pattern.compile("\"secret\":\"([^\"]+)\"");

	private static final Pattern ACKNOWLEDGED = Pattern.compile("\"acknowledged\":(\\d+)");

	/** A Spring Boot log line at WARN or ERROR, e.g. {@code 2026-...Z  WARN 123 --- ...}. */
	private static final Pattern LOG_PROBLEM = Pattern.compile("^\\S+\\s+(WARN|ERROR)\\s");

	public static void main(String[] args) throws IOException {
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
		boolean ok = false;
		Broker broker = new Broker(options);
		// Ctrl-C must not leave a broker behind either; close() is idempotent, so the
		// hook and the normal path can both call it.
		Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "bench-cleanup"));
		try {
			ok = run(options, broker);
		}
		catch (Exception ex) {
			System.err.println("[bench] FAILED");
			ex.printStackTrace();
			// The broker's side of the failure, before close() deletes its home.
			try {
				List<String> problems = broker.logProblems();
				System.err.printf("[bench] broker log: %d WARN/ERROR lines%n", problems.size());
				problems.stream().limit(20).forEach(line -> System.err.println("[bench]   " + line));
			}
			catch (IOException | RuntimeException unreadable) {
				System.err.println("[bench] broker log unreadable: " + unreadable);
			}
		}
		finally {
			broker.close();
		}
		// HttpClient threads may linger; the verdict is the exit code.
		System.exit(ok ? 0 : 1);
	}

	private static boolean run(Options options, Broker broker) throws Exception {
		progress("starting broker on 127.0.0.1:%d (MYCELIUM_HOME %s)", broker.port, broker.home);
		broker.start();
		Api api = new Api(broker.port, broker.token());
		long registering = System.nanoTime();
		List<Peer> peers = register(api, options.peers);
		progress("registered %d peers in %.0f ms", peers.size(), millis(System.nanoTime() - registering));

		// A cold broker spends most of its CPU in the JIT compiler for its first ~100,000
		// requests on two cores (so does this client): without this the figures describe
		// the compiler, not a broker that has been up for a minute. It runs in rounds whose
		// rates are printed, so that the curve shows whether the timed phase starts from a
		// steady state.
		for (int done = 0, round = 1; done < options.warmupMessages; round++) {
			int size = Math.min(WARMUP_ROUND, options.warmupMessages - done);
			Throughput warmup = throughputPhase(api, peers, options, size, broker.process());
			if (!warmup.verified) {
				throw new IllegalStateException("the warm-up lost messages: " + warmup.verification);
			}
			done += size;
			progress("warm-up round %d: %,d messages, delivered %,.0f msg/s (untimed, %,d of %,d)", round, size,
					warmup.deliveredPerSecond(), done, options.warmupMessages);
		}
		// The timed throughput phase follows the warm-up, which has its load's shape, and
		// the latency phase comes after it with its own untimed sends. The other way round,
		// the one sequential sender changed what the JIT compiler had seen, and in the
		// throughput phase's first second it compiled again (one run: 667 compilations, 82
		// of them by C2, against 42 and 4 in this order).
		progress("throughput: %,d messages, %d senders, %s", options.messages, options.senders, options.readers());
		Throughput throughput = throughputPhase(api, peers, options, options.messages, broker.process());
		progress("latency: %,d + %,d sequential sends", options.warmup, options.latencySends);
		Latency latency = latencyPhase(api, peers, options);

		broker.stop();
		report(options, broker, latency, throughput);
		return latency.verified && throughput.verified;
	}

	private static void report(Options options, Broker broker, Latency latency, Throughput throughput)
			throws IOException {
		List<String> logProblems = broker.logProblems();
		CpuUse cpu = throughput.cpu;
		// Per message over the delivery window; meaningless (NaN) if delivery never finished.
		double deliveryMicros = throughput.deliveryNanos < 0 ? Double.NaN : throughput.deliveryNanos / 1e3;
		System.out.println();
		print("mycelium broker benchmark  (JDK %s%s, %d cores, %d peers, store %s%s, load average %s)",
				System.getProperty("java.version"), broker.javaDescription(), Runtime.getRuntime().availableProcessors(),
				options.peers, options.store(), options.store().equals("sqlite") ? " fsync " + options.fsync() : "",
				loadAverage());
		print("send latency   p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  (%d sequential sends)",
				latency.percentile(50), latency.percentile(90), latency.percentile(99), latency.percentile(100),
				latency.nanos.length);
		print("throughput     sent %,.0f msg/s  delivered %,.0f msg/s  (%d messages, %d %s senders, %s, %d retries 429)",
				throughput.sentPerSecond(), throughput.deliveredPerSecond(), options.messages, options.senders,
				options.rawSenders() ? "raw" : "jdk", options.readers(), throughput.retries);
		if (options.push()) {
			print("receiving      push streams, %,d events, %,d acks, %.1f messages per ack", throughput.polls,
					throughput.acks, (double) options.messages / Math.max(1, throughput.acks));
		}
		else {
			print("receiving      %,d polls (%,d empty), %,d acks, %.1f messages per ack", throughput.polls,
					throughput.emptyPolls, throughput.acks, (double) options.messages / Math.max(1, throughput.acks));
		}
		print("cpu            client %.2f cores  broker %.2f cores  other %.2f cores  (%.0f / %.0f us per message)",
				cpu.client, cpu.broker, cpu.other, cpu.client * deliveryMicros / options.messages,
				cpu.broker * deliveryMicros / options.messages);
		if (cpu.brokerSwitches != null) {
			double waits = (double) cpu.brokerSwitches.voluntary / options.messages;
			double others = (double) cpu.brokerSwitches.involuntary / options.messages;
			print("switches       broker %.2f context switches per message (%.2f waits, %.2f preempted or yielded)",
					waits + others, waits, others);
		}
		if (cpu.other > 0.1) {
			print("note           other processes kept %.2f cores busy meanwhile: these figures are too low", cpu.other);
		}
		print("warm-up        %,d messages before both phases (untimed)", options.warmupMessages);
		print("verify         %s  (%s; %s)", latency.verified && throughput.verified ? "OK" : "FAILED",
				latency.verification, throughput.verification);
		print("broker log     %d WARN/ERROR lines", logProblems.size());
		logProblems.stream()
			.limit(10)
			.map(line -> line.length() > 200 ? line.substring(0, 200) + "..." : line)
			.forEach(line -> System.out.println("               " + line));
	}

	// ---- peers

	private static List<Peer> register(Api api, int count) throws Exception {
		HttpClient client = newClient();
		List<Peer> peers = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String json = "{\"cwd\":\"/bench/peer-" + i + "\",\"session_key\":\"bench-" + i + "\",\"pid\":" + i + "}";
			String body = expect(client.send(api.post("/api/peers", json, null), BodyHandlers.ofString()), 201).body();
			peers.add(new Peer(first(ID, body), first(NAME, body), first(SECRET, body)));
		}
		return peers;
	}

	// ---- latency: one sender, one request at a time

	/**
	 * Timed sends go through the senders' client: with {@code raw}, the same lean
	 * connection, warm from the warm-up, so that the figure is the broker's and not a
	 * client's JIT compiler (an HttpClient used only here put 1 % of the sends above 4 ms).
	 */
	private static Latency latencyPhase(Api api, List<Peer> peers, Options options) throws Exception {
		HttpClient client = newClient();
		try (RawConnection raw = options.rawSenders() ? new RawConnection(api.port(), api.token()) : null) {
			return latencyPhase(api, peers, options, client, raw);
		}
	}

	private static Latency latencyPhase(Api api, List<Peer> peers, Options options, HttpClient client,
			RawConnection raw) throws Exception {
		Peer sender = peers.get(0);
		int[] unread = new int[peers.size()];
		int total = options.warmup + options.latencySends;
		long[] nanos = new long[options.latencySends];
		int drained = 0;
		for (int k = 0; k < total; k++) {
			int to = 1 + k % (peers.size() - 1);
			Peer recipient = peers.get(to);
			if (unread[to] >= LATENCY_DRAIN_AT) {
				drained += drain(api, client, recipient);
				unread[to] = 0;
			}
			long elapsed;
			if (raw != null) {
				String path = "/api/peers/" + recipient.id() + "/messages";
				String json = "{\"body\":\"latency " + k + "\"}";
				long started = System.nanoTime();
				raw.expect(201, "POST", path, sender.secret(), json);
				elapsed = System.nanoTime() - started;
			}
			else {
				HttpRequest request = api.send(sender, recipient, "latency " + k);
				long started = System.nanoTime();
				HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
				elapsed = System.nanoTime() - started;
				expect(response, 201);
			}
			unread[to]++;
			if (k >= options.warmup) {
				nanos[k - options.warmup] = elapsed;
			}
		}
		for (int to = 1; to < peers.size(); to++) {
			if (unread[to] > 0) {
				drained += drain(api, client, peers.get(to));
			}
		}
		Arrays.sort(nanos);
		return new Latency(nanos, drained == total, drained + "/" + total + " latency messages read");
	}

	/** Reads and acknowledges everything in one inbox; returns how many were acknowledged. */
	private static int drain(Api api, HttpClient client, Peer peer) throws Exception {
		int acknowledged = 0;
		while (true) {
			List<String> ids = all(ID, expect(client.send(api.unread(peer, 0), BodyHandlers.ofString()), 200).body());
			if (ids.isEmpty()) {
				return acknowledged;
			}
			HttpResponse<String> ack = expect(client.send(api.ack(peer, ids), BodyHandlers.ofString()), 200);
			acknowledged += Integer.parseInt(first(ACKNOWLEDGED, ack.body()));
		}
	}

	record Latency(long[] nanos, boolean verified, String verification) {

		/** Nearest-rank percentile in milliseconds; 100 is the maximum. */
		double percentile(double p) {
			int rank = (int) Math.ceil(p / 100 * nanos.length);
			return millis(nanos[Math.max(0, rank - 1)]);
		}

	}

	// ---- throughput: many senders, receivers long-polling at the same time

	private static Throughput throughputPhase(Api api, List<Peer> peers, Options options, int messages,
			ProcessHandle broker) throws Exception {
		Tally tally = new Tally(messages);
		if (options.push()) {
			return pushThroughput(api, peers, options, tally, broker);
		}
		Readers readers = new Readers(api, tally, Duration.ofMillis(options.readEveryMillis()));
		// Readers are listening before the clock starts, as a real consumer would be.
		readers.start(peers);

		ExecutorService senderThreads = Executors.newFixedThreadPool(options.senders, daemon("bench-sender"));
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> senders = new ArrayList<>();
		for (int s = 0; s < options.senders; s++) {
			int count = messages / options.senders + (s < messages % options.senders ? 1 : 0);
			int self = s;
			senders.add(senderThreads.submit(() -> {
				if (options.rawSenders()) {
					sendRaw(api, peers, self, count, go, tally);
				}
				else {
					send(api, peers, self, count, go, tally);
				}
				return null;
			}));
		}
		CpuSnapshot before = CpuSnapshot.take(broker);
		long started = System.nanoTime();
		go.countDown();
		for (Future<?> sender : senders) {
			sender.get();
		}
		senderThreads.shutdown();
		long sending = tally.lastSendAnswered.get() - started;

		boolean delivered = tally.awaitDelivery(Duration.ofMinutes(5));
		long delivery = tally.deliveredAt.get() - started;
		CpuUse cpu = CpuSnapshot.take(broker).since(before);

		// Stop re-polling; the outstanding long-polls end within POLL_WAIT_SECONDS, and any
		// message they bring back (there should be none) still counts against the check.
		readers.stop(Duration.ofSeconds((long) POLL_WAIT_SECONDS + 30));
		if (tally.failure.get() != null) {
			throw new IllegalStateException("a receiver failed", tally.failure.get());
		}
		return tally.result(delivered, sending, delivery, cpu);
	}

	/** The same measurement, with receivers following their inboxes' push streams. */
	private static Throughput pushThroughput(Api api, List<Peer> peers, Options options, Tally tally,
			ProcessHandle broker) throws Exception {
		List<PushReceiver> receivers = new ArrayList<>();
		for (int r = 0; r < options.receivers; r++) {
			receivers.add(new PushReceiver(api, tally, "bench-push-" + r));
		}
		for (int p = 0; p < peers.size(); p++) {
			receivers.get(p % receivers.size()).owned.add(peers.get(p));
		}
		CountDownLatch listening = new CountDownLatch(peers.size());
		for (PushReceiver receiver : receivers) {
			receiver.start(listening);
		}
		listening.await();
		ExecutorService senderThreads = Executors.newFixedThreadPool(options.senders, daemon("bench-sender"));
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> senders = new ArrayList<>();
		for (int s = 0; s < options.senders; s++) {
			int count = tally.expected / options.senders + (s < tally.expected % options.senders ? 1 : 0);
			int self = s;
			senders.add(senderThreads.submit(() -> {
				if (options.rawSenders()) {
					sendRaw(api, peers, self, count, go, tally);
				}
				else {
					send(api, peers, self, count, go, tally);
				}
				return null;
			}));
		}
		CpuSnapshot before = CpuSnapshot.take(broker);
		long started = System.nanoTime();
		go.countDown();
		for (Future<?> sender : senders) {
			sender.get();
		}
		senderThreads.shutdown();
		long sending = tally.lastSendAnswered.get() - started;
		boolean delivered = tally.awaitDelivery(Duration.ofMinutes(5));
		long delivery = tally.deliveredAt.get() - started;
		CpuUse cpu = CpuSnapshot.take(broker).since(before);
		receivers.forEach(PushReceiver::stop);
		for (PushReceiver receiver : receivers) {
			receiver.awaitStopped(Duration.ofSeconds(30));
		}
		if (tally.failure.get() != null) {
			throw new IllegalStateException("a receiver failed", tally.failure.get());
		}
		return tally.result(delivered, sending, delivery, cpu);
	}

	/**
	 * One sender: its own peer identity and HTTP client, recipients cycling over every
	 * other peer. A full inbox (429) is a normal condition, not an error: wait briefly
	 * and send the same message again so that nothing is lost.
	 */
	private static void send(Api api, List<Peer> peers, int self, int count, CountDownLatch go, Tally tally)
			throws Exception {
		HttpClient client = newClient();
		Peer sender = peers.get(self);
		go.await();
		for (int k = 0; k < count; k++) {
			Peer recipient = peers.get((self + 1 + k % (peers.size() - 1)) % peers.size());
			HttpRequest request = api.send(sender, recipient, "bench " + self + "-" + k);
			while (true) {
				HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
				if (response.statusCode() != 429) {
					tally.sent.add(first(ID, expect(response, 201).body()));
					break;
				}
				if (tally.failure.get() != null) {
					// Nobody is reading any more: the inbox will never have room.
					throw new IllegalStateException("a receiver failed", tally.failure.get());
				}
				tally.retries.increment();
				Thread.sleep(1);
			}
		}
		tally.lastSendAnswered.accumulateAndGet(System.nanoTime(), Math::max);
	}

	/**
	 * The same sender over a {@link RawConnection}: the same requests on the wire, at a
	 * fraction of the client's CPU, so that the two shared cores measure the broker.
	 */
	private static void sendRaw(Api api, List<Peer> peers, int self, int count, CountDownLatch go, Tally tally)
			throws Exception {
		Peer sender = peers.get(self);
		try (RawConnection connection = new RawConnection(api.port(), api.token())) {
			go.await();
			for (int k = 0; k < count; k++) {
				Peer recipient = peers.get((self + 1 + k % (peers.size() - 1)) % peers.size());
				String path = "/api/peers/" + recipient.id() + "/messages";
				String json = "{\"body\":\"bench " + self + "-" + k + "\"}";
				while (true) {
					RawConnection.Answer answer = connection.post(path, sender.secret(), json);
					if (answer.status() == 201) {
						tally.sent.add(first(ID, answer.body()));
						break;
					}
					if (answer.status() != 429) {
						throw new IllegalStateException("POST " + path + " answered " + answer.status() + ": " + answer.body());
					}
					if (tally.failure.get() != null) {
						throw new IllegalStateException("a receiver failed", tally.failure.get());
					}
					tally.retries.increment();
					Thread.sleep(1);
				}
			}
		}
		tally.lastSendAnswered.accumulateAndGet(System.nanoTime(), Math::max);
	}

	/**
	 * A lean HTTP/1.1 keep-alive connection: writes a request with Content-Length, reads the
	 * status, the headers and a body sent with Content-Length or chunked. Nothing more is
	 * needed to talk to the broker, and a load generator must cost less than what it measures.
	 */
	static final class RawConnection implements AutoCloseable {

		record Answer(int status, String body) {
		}

		private final java.net.Socket socket;

		private final java.io.BufferedInputStream in;

		private final java.io.BufferedOutputStream out;

		private final String fixedHeaders;

		RawConnection(int port, String token) throws IOException {
			socket = new java.net.Socket("127.0.0.1", port);
			socket.setTcpNoDelay(true);
			// Longer than a long-poll plus the broker's guard behind it (30 s): an answer
			// that only the guard gave is told from one that never came (Readers.read).
			socket.setSoTimeout(40_000);
			in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
			out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
			fixedHeaders = "Host: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
					+ "\r\nContent-Type: application/json\r\n";
		}

		Answer post(String path, String secret, String json) throws IOException {
			byte[] body = json.getBytes(StandardCharsets.UTF_8);
			String head = "POST " + path + " HTTP/1.1\r\n" + fixedHeaders + "Mycelium-Peer-Secret: " + secret
					+ "\r\nContent-Length: " + body.length + "\r\n\r\n";
			out.write(head.getBytes(StandardCharsets.US_ASCII));
			out.write(body);
			out.flush();
			return read();
		}

		Answer get(String path, String secret) throws IOException {
			out.write(("GET " + path + " HTTP/1.1\r\n" + fixedHeaders + "Mycelium-Peer-Secret: " + secret + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return read();
		}

		/**
		 * The body of the answer to a GET (no {@code json}) or a POST; another status, or no
		 * answer within the socket's 40 s, fails with the request named.
		 */
		String expect(int status, String method, String path, String secret, String json) throws IOException {
			long began = System.nanoTime();
			Answer answer;
			try {
				answer = json == null ? get(path, secret) : post(path, secret, json);
			}
			catch (java.net.SocketTimeoutException ex) {
				throw new IllegalStateException(String.format("%s %s unanswered after %.0f ms (connection from port %d)",
						method, path, millis(System.nanoTime() - began), socket.getLocalPort()), ex);
			}
			if (answer.status() != status) {
				throw new IllegalStateException(method + " " + path + " answered " + answer.status() + " (expected "
						+ status + "): " + answer.body());
			}
			return answer.body();
		}

		/** Opens a Server-Sent Events stream: sends the GET, reads the status and headers. */
		void openStream(String path, String secret) throws IOException {
			socket.setSoTimeout(0);
			out.write(("GET " + path + " HTTP/1.1\r\n" + fixedHeaders + "Mycelium-Peer-Secret: " + secret + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String statusLine = line();
			if (!statusLine.startsWith("HTTP/1.1 200")) {
				throw new IllegalStateException("GET " + path + " answered " + statusLine);
			}
			for (String header = line(); !header.isEmpty(); header = line()) {
				// chunked, text/event-stream
			}
		}

		/** The next chunk of an open stream, or null at its end. */
		String nextChunk() throws IOException {
			int size = chunkSize();
			if (size == 0) {
				return null;
			}
			String chunk = new String(in.readNBytes(size), StandardCharsets.UTF_8);
			line();
			return chunk;
		}

		private Answer read() throws IOException {
			String statusLine = line();
			int status = Integer.parseInt(statusLine.substring(9, 12));
			int length = 0;
			boolean chunked = false;
			for (String header = line(); !header.isEmpty(); header = line()) {
				String lower = header.toLowerCase(Locale.ROOT);
				if (lower.startsWith("content-length:")) {
					length = Integer.parseInt(lower.substring(15).trim());
				}
				else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
					chunked = true;
				}
			}
			java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
			if (chunked) {
				for (int size = chunkSize(); size > 0; size = chunkSize()) {
					body.write(in.readNBytes(size));
					line();
				}
				line();
			}
			else {
				body.write(in.readNBytes(length));
			}
			return new Answer(status, body.toString(StandardCharsets.UTF_8));
		}

		private int chunkSize() throws IOException {
			String line = line();
			int extension = line.indexOf(';');
			return Integer.parseInt((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
		}

		private String line() throws IOException {
			StringBuilder line = new StringBuilder();
			for (int b = in.read(); b != '\n'; b = in.read()) {
				if (b < 0) {
					throw new java.io.EOFException("the broker closed the connection");
				}
				if (b != '\r') {
					line.append((char) b);
				}
			}
			return line.toString();
		}

		@Override
		public void close() throws IOException {
			socket.close();
		}

	}

	/**
	 * A reader per inbox, each on a thread of its own over a {@link RawConnection}: it
	 * long-polls, acknowledges what came, and reads again no sooner than {@code every}
	 * after its last read began. Reading does not acknowledge, so per inbox the cycle is
	 * strictly read, acknowledge, read again.
	 * <p>
	 * The cadence is what makes reads carry several messages. A reader that reads again at
	 * once finds about one message each time under load, and every message then costs
	 * three requests (a send, a read, an acknowledgement): on two cores that halved the
	 * durable broker's throughput (4,041 msg/s, 386 µs of broker CPU per message). The
	 * asynchronous {@code java.net.http.HttpClient} readers this bench had before batched
	 * by accident: about 60 ms passed between a request and its answer inside the client on
	 * JDK 17 (measured: 65 ms per read, 55 per acknowledgement) and much less on JDK 25,
	 * so the figure depended on the client's JDK, and those readers cost more CPU per
	 * message than the broker's store. A stated cadence batches the same on any JDK and
	 * leaves the cores to the broker.
	 */
	static final class Readers {

		private final Api api;

		private final Tally tally;

		private final long everyNanos;

		private final List<Thread> threads = new ArrayList<>();

		private volatile boolean stopping;

		Readers(Api api, Tally tally, Duration every) {
			this.api = api;
			this.tally = tally;
			this.everyNanos = every.toNanos();
		}

		/** Returns once every reader is connected. */
		void start(List<Peer> peers) throws InterruptedException {
			CountDownLatch connected = new CountDownLatch(peers.size());
			for (Peer peer : peers) {
				Thread thread = daemon("bench-reader-" + peer.name()).newThread(() -> read(peer, connected));
				threads.add(thread);
				thread.start();
			}
			connected.await();
		}

		void stop(Duration timeout) throws InterruptedException {
			stopping = true;
			long deadline = System.nanoTime() + timeout.toNanos();
			for (Thread thread : threads) {
				thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
				if (thread.isAlive()) {
					throw new IllegalStateException("readers still busy " + timeout.toSeconds() + " s after delivery");
				}
			}
		}

		/** A failed request ends this reader and fails the run, loudly. */
		private void read(Peer peer, CountDownLatch connected) {
			String unread = "/api/peers/" + peer.id() + "/messages?wait=" + POLL_WAIT_SECONDS;
			String ack = "/api/peers/" + peer.id() + "/messages/ack";
			RawConnection connection;
			try {
				connection = new RawConnection(api.port(), api.token());
			}
			catch (IOException ex) {
				tally.failure.compareAndSet(null, new IllegalStateException("connecting for " + peer.name(), ex));
				connected.countDown();
				return;
			}
			connected.countDown();
			try (connection) {
				while (!stopping) {
					long began = System.nanoTime();
					List<String> ids = all(ID, connection.expect(200, "GET", unread, peer.secret(), null));
					long took = System.nanoTime() - began;
					if (took > POLL_LATE_NANOS) {
						throw new IllegalStateException(String.format(
								"GET %s answered only after %.0f ms, with %d messages (the broker's own timer ends it after %.0f s)",
								unread, millis(took), ids.size(), POLL_WAIT_SECONDS));
					}
					tally.polls.increment();
					if (ids.isEmpty()) {
						tally.emptyPolls.increment();
						continue;
					}
					String acknowledged = connection.expect(200, "POST", ack, peer.secret(), ackBody(ids));
					tally.received(ids, Integer.parseInt(first(ACKNOWLEDGED, acknowledged)));
					long rest = began + everyNanos - System.nanoTime();
					if (rest > 0 && !stopping) {
						LockSupport.parkNanos(rest);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				tally.failure.compareAndSet(null, new IllegalStateException("reading for " + peer.name(), ex));
			}
		}

	}

	/**
	 * Receives by push: one inbox stream (Server-Sent Events) per owned peer, each read by
	 * a thread of its own, and one thread that acknowledges whatever arrived, in batches,
	 * per peer, on a keep-alive connection. No polling: the broker writes each message
	 * once to an open socket.
	 */
	static final class PushReceiver {

		final List<Peer> owned = new ArrayList<>();

		private final Api api;

		private final Tally tally;

		private final String name;

		private final java.util.concurrent.BlockingQueue<String[]> arrived = new java.util.concurrent.LinkedBlockingQueue<>();

		private final List<RawConnection> streams = new java.util.concurrent.CopyOnWriteArrayList<>();

		private volatile boolean stopping;

		private Thread acker;

		PushReceiver(Api api, Tally tally, String name) {
			this.api = api;
			this.tally = tally;
			this.name = name;
		}

		void start(CountDownLatch listening) throws IOException {
			for (Peer peer : owned) {
				RawConnection stream = new RawConnection(api.port(), api.token());
				stream.openStream("/api/peers/" + peer.id() + "/events", peer.secret());
				streams.add(stream);
				Thread reader = daemon(name + "-" + peer.name()).newThread(() -> read(peer, stream));
				reader.start();
				listening.countDown();
			}
			acker = daemon(name + "-ack").newThread(this::acknowledge);
			acker.start();
		}

		private void read(Peer peer, RawConnection stream) {
			StringBuilder pending = new StringBuilder();
			try {
				for (String chunk = stream.nextChunk(); chunk != null; chunk = stream.nextChunk()) {
					pending.append(chunk);
					int end;
					while ((end = pending.indexOf("\n")) >= 0) {
						String line = pending.substring(0, end);
						pending.delete(0, end + 1);
						if (line.startsWith("data:")) {
							tally.polls.increment();
							arrived.add(new String[] { peer.id(), first(ID, line) });
						}
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				if (!stopping) {
					tally.failure.compareAndSet(null, new IllegalStateException("stream of " + peer.name(), ex));
				}
			}
		}

		private void acknowledge() {
			java.util.Map<String, Peer> byId = new java.util.HashMap<>();
			owned.forEach(peer -> byId.put(peer.id(), peer));
			try (RawConnection connection = new RawConnection(api.port(), api.token())) {
				List<String[]> batch = new ArrayList<>();
				while (!stopping) {
					String[] first = arrived.poll(100, TimeUnit.MILLISECONDS);
					if (first == null) {
						continue;
					}
					batch.clear();
					batch.add(first);
					arrived.drainTo(batch);
					java.util.Map<String, List<String>> idsByPeer = new java.util.LinkedHashMap<>();
					for (String[] message : batch) {
						idsByPeer.computeIfAbsent(message[0], id -> new ArrayList<>()).add(message[1]);
					}
					for (var entry : idsByPeer.entrySet()) {
						Peer peer = byId.get(entry.getKey());
						List<String> ids = entry.getValue();
						String acknowledged = connection.expect(200, "POST",
								"/api/peers/" + peer.id() + "/messages/ack", peer.secret(), ackBody(ids));
						tally.received(ids, Integer.parseInt(first(ACKNOWLEDGED, acknowledged)));
					}
				}
			}
			catch (Exception ex) {
				tally.failure.compareAndSet(null, new IllegalStateException("acknowledging for " + name, ex));
			}
		}

		void stop() {
			stopping = true;
			for (RawConnection stream : streams) {
				try {
					stream.close();
				}
				catch (IOException ex) {
					// closing anyway
				}
			}
		}

		void awaitStopped(Duration timeout) throws InterruptedException {
			acker.join(timeout.toMillis());
		}

	}

	/** What senders and receivers saw, shared between their threads. */
	static final class Tally {

		final int expected;

		final Set<String> sent;

		final Set<String> received;

		final LongAdder retries = new LongAdder();

		final LongAdder polls = new LongAdder();

		final LongAdder emptyPolls = new LongAdder();

		final LongAdder acks = new LongAdder();

		final AtomicInteger duplicates = new AtomicInteger();

		/** Acknowledgements the broker counted differently from the ids sent with them. */
		final AtomicInteger ackMismatches = new AtomicInteger();

		final AtomicLong lastSendAnswered = new AtomicLong();

		final AtomicLong deliveredAt = new AtomicLong();

		final AtomicReference<Throwable> failure = new AtomicReference<>();

		private final CountDownLatch allDelivered = new CountDownLatch(1);

		Tally(int expected) {
			this.expected = expected;
			this.sent = ConcurrentHashMap.newKeySet(expected * 2);
			this.received = ConcurrentHashMap.newKeySet(expected * 2);
		}

		void received(List<String> ids, int acknowledged) {
			acks.increment();
			if (acknowledged != ids.size()) {
				ackMismatches.incrementAndGet();
			}
			for (String id : ids) {
				if (!received.add(id)) {
					duplicates.incrementAndGet();
				}
			}
			if (received.size() >= expected && deliveredAt.compareAndSet(0, System.nanoTime())) {
				allDelivered.countDown();
			}
		}

		/** True once all are read and acknowledged; false on timeout or a receiver failure. */
		boolean awaitDelivery(Duration timeout) throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (System.nanoTime() < deadline && failure.get() == null) {
				if (allDelivered.await(100, TimeUnit.MILLISECONDS)) {
					return true;
				}
			}
			return false;
		}

		Throughput result(boolean delivered, long sendNanos, long deliveryNanos, CpuUse cpu) {
			boolean exact = delivered && sent.size() == expected && received.equals(sent) && duplicates.get() == 0
					&& ackMismatches.get() == 0;
			String verification = String.format("%d sent, %d distinct ids received and acknowledged, %d duplicates",
					sent.size(), received.size(), duplicates.get())
					+ (ackMismatches.get() > 0 ? ", " + ackMismatches.get() + " acknowledgement count mismatches" : "")
					+ (delivered ? "" : ", delivery incomplete");
			return new Throughput(expected, sendNanos, delivered ? deliveryNanos : -1, retries.sum(), polls.sum(),
					emptyPolls.sum(), acks.sum(), exact, verification, cpu);
		}

	}

	record Throughput(int messages, long sendNanos, long deliveryNanos, long retries, long polls, long emptyPolls,
			long acks, boolean verified, String verification, CpuUse cpu) {

		double sentPerSecond() {
			return messages / (sendNanos / 1e9);
		}

		double deliveredPerSecond() {
			return deliveryNanos < 0 ? 0 : messages / (deliveryNanos / 1e9);
		}

	}

	// ---- where the CPU goes

	/**
	 * CPU time consumed so far by this program, the broker and (from /proc/stat, where
	 * there is one) the whole machine. On a small machine the client and the broker
	 * compete for the same cores, so a throughput figure means little without knowing
	 * which of the two used them, and whether something else did.
	 */
	record CpuSnapshot(long wall, long client, long broker, long machine, Switches brokerSwitches) {

		/** /proc/stat counts USER_HZ ticks: 100 per second on every common Linux. */
		private static final long NANOS_PER_TICK = 10_000_000;

		static CpuSnapshot take(ProcessHandle broker) {
			return new CpuSnapshot(System.nanoTime(), cpuNanos(ProcessHandle.current()), cpuNanos(broker),
					machineBusyNanos(), contextSwitches(broker));
		}

		CpuUse since(CpuSnapshot start) {
			double wallNanos = wall - start.wall;
			double clientCores = (client - start.client) / wallNanos;
			double brokerCores = (broker - start.broker) / wallNanos;
			double otherCores = machine < 0 || start.machine < 0 ? Double.NaN
					: Math.max(0, (machine - start.machine) / wallNanos - clientCores - brokerCores);
			Switches switches = brokerSwitches == null || start.brokerSwitches == null ? null
					: brokerSwitches.since(start.brokerSwitches);
			return new CpuUse(clientCores, brokerCores, otherCores, switches);
		}

		private static long cpuNanos(ProcessHandle process) {
			return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
		}

		/**
		 * Context switches of the broker's threads so far, from /proc (null elsewhere): a
		 * figure that, unlike CPU time, does not drift with how fast the host is that day;
		 * and a thread that waited must be woken, which in a virtual machine can cost as
		 * much as a commit. Threads that ended meanwhile drop out; a steady broker ends
		 * none.
		 */
		private static Switches contextSwitches(ProcessHandle process) {
			try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
				long voluntary = 0;
				long involuntary = 0;
				for (Path task : (Iterable<Path>) tasks::iterator) {
					try {
						for (String line : Files.readAllLines(task.resolve("status"))) {
							if (line.startsWith("voluntary_ctxt_switches:")) {
								voluntary += statusValue(line);
							}
							else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
								involuntary += statusValue(line);
							}
						}
					}
					catch (IOException ended) {
						// The thread ended between the listing and the read.
					}
				}
				return new Switches(voluntary, involuntary);
			}
			catch (IOException | RuntimeException ex) {
				return null;
			}
		}

		/** The number in a /proc status line such as "voluntary_ctxt_switches:	42". */
		private static long statusValue(String line) {
			return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
		}

		/** Time all CPUs were neither idle nor waiting for I/O; -1 without /proc/stat. */
		private static long machineBusyNanos() {
			try {
				// cpu  user nice system idle iowait irq softirq steal ...
				String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
				long busy = 0;
				for (int i = 1; i <= 8 && i < fields.length; i++) {
					if (i != 4 && i != 5) {
						busy += Long.parseLong(fields[i]);
					}
				}
				return busy * NANOS_PER_TICK;
			}
			catch (IOException | RuntimeException ex) {
				return -1;
			}
		}

	}

	/**
	 * Context switches: voluntary when the thread waited (parked, blocked on a socket),
	 * involuntary when it was preempted or yielded to another thread.
	 */
	record Switches(long voluntary, long involuntary) {

		Switches since(Switches start) {
			return new Switches(voluntary - start.voluntary, involuntary - start.involuntary);
		}

	}

	/** Average number of cores each party kept busy over a phase. */
	record CpuUse(double client, double broker, double other, Switches brokerSwitches) {
	}

	// ---- HTTP

	/**
	 * A client per thread, so that no connection pool or selector thread is shared
	 * between the threads being measured. The executor runs response handling on the
	 * client's selector thread instead of handing it to a pool thread first: one thread
	 * switch less per request, which on two cores nearly doubled throughput (the bodies
	 * are small strings, so nothing slow runs on the selector thread).
	 */
	private static HttpClient newClient() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(10))
			.executor(Runnable::run)
			.build();
	}

	record Peer(String id, String name, String secret) {
	}

	/** Builds the broker's requests; addressed by peer id, the broker's cheapest look-up. */
	record Api(int port, String token) {

		private static final Duration TIMEOUT = Duration.ofSeconds(30);

		HttpRequest post(String path, String json, Peer as) {
			return request(path, as, TIMEOUT).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build();
		}

		HttpRequest send(Peer from, Peer to, String text) {
			return post("/api/peers/" + to.id + "/messages", "{\"body\":\"" + text + "\"}", from);
		}

		HttpRequest unread(Peer peer, double waitSeconds) {
			Duration timeout = TIMEOUT.plusMillis((long) (waitSeconds * 1000));
			return request("/api/peers/" + peer.id + "/messages?wait=" + waitSeconds, peer, timeout).GET().build();
		}

		HttpRequest ack(Peer peer, List<String> ids) {
			return post("/api/peers/" + peer.id + "/messages/ack", ackBody(ids), peer);
		}

		private HttpRequest.Builder request(String path, Peer as, Duration timeout) {
			HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(timeout)
				.header("Authorization", "Bearer " + token);
			return as == null ? builder : builder.header("Mycelium-Peer-Secret", as.secret);
		}

	}

	private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
		if (response.statusCode() != status) {
			throw new IllegalStateException(response.request().method() + " " + response.request().uri().getPath()
					+ " answered " + response.statusCode() + " (expected " + status + "): " + response.body());
		}
		return response;
	}

	/** The body of {@code POST …/messages/ack}; message ids need no escaping. */
	private static String ackBody(List<String> ids) {
		return "{\"ids\":[\"" + String.join("\",\"", ids) + "\"]}";
	}

	private static String first(Pattern pattern, String json) {
		Matcher matcher = pattern.matcher(json);
		if (!matcher.find()) {
			throw new IllegalStateException("no " + pattern + " in " + json);
		}
		return matcher.group(1);
	}

	/**
	 * Every match. Safe for the unread inbox: its messages' other id fields are
	 * {@code from_id}, {@code to_id}, {@code task_id}, which {@code "id"} does not match.
	 */
	private static List<String> all(Pattern pattern, String json) {
		List<String> values = new ArrayList<>();
		Matcher matcher = pattern.matcher(json);
		while (matcher.find()) {
			values.add(matcher.group(1));
		}
		return values;
	}

	// ---- the broker process

	/**
	 * A broker of our own: temporary MYCELIUM_HOME, free loopback port, output to a file
	 * in that home. Everything it creates goes when it is closed.
	 */
	static final class Broker implements AutoCloseable {

		final Path home;

		final int port;

		private final Options options;

		private final Path log;

		private final AtomicBoolean closed = new AtomicBoolean();

		private Process process;

		Broker(Options options) throws IOException {
			this.options = options;
			this.home = Files.createTempDirectory("mycelium-bench-");
			this.log = home.resolve("broker.log");
			this.port = freePort();
		}

		/** Taken from the kernel and released at once; a race is possible but unlikely. */
		private static int freePort() throws IOException {
			while (true) {
				try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
					if (socket.getLocalPort() != USER_BROKER_PORT) {
						return socket.getLocalPort();
					}
				}
			}
		}

		void start() throws Exception {
			List<String> command = new ArrayList<>();
			command.add(options.brokerJava);
			command.addAll(options.brokerJvmArgs);
			command.addAll(List.of("-jar", options.jar.toString(), "broker", "--port", Integer.toString(port)));
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile());
			// Only our home: the user's MYCELIUM_PORT, MYCELIUM_HOST... are for their broker.
			builder.environment().keySet().removeIf(name -> name.startsWith("MYCELIUM_"));
			builder.environment().put("MYCELIUM_HOME", home.toString());
			builder.environment().put("MYCELIUM_STORE", options.store);
			builder.environment().put("MYCELIUM_FSYNC", options.fsync);
			synchronized (this) {
				// The shutdown hook may already have run (Ctrl-C during start-up).
				if (closed.get()) {
					throw new IllegalStateException("interrupted before the broker started");
				}
				process = builder.start();
			}
			awaitHealthy(Duration.ofSeconds(60));
		}

		private void awaitHealthy(Duration timeout) throws Exception {
			HttpClient client = newClient();
			HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
				.timeout(Duration.ofSeconds(2))
				.build();
			long deadline = System.nanoTime() + timeout.toNanos();
			while (System.nanoTime() < deadline) {
				if (!process.isAlive()) {
					throw new IllegalStateException(
							"the broker exited with " + process.exitValue() + " while starting:\n" + logTail());
				}
				try {
					HttpResponse<String> response = client.send(health, BodyHandlers.ofString());
					if (response.statusCode() == 200 && response.body().contains("UP")) {
						return;
					}
				}
				catch (IOException notYet) {
					// Not listening yet.
				}
				Thread.sleep(200);
			}
			throw new IllegalStateException(
					"the broker was not healthy within " + timeout.toSeconds() + " s:\n" + logTail());
		}

		String token() throws IOException {
			return Files.readString(home.resolve("token"), StandardCharsets.US_ASCII).trim();
		}

		synchronized ProcessHandle process() {
			return process.toHandle();
		}

		/** ", broker JDK 25.0.1" when the broker runs on another JDK than this program. */
		String javaDescription() {
			Path javaHome = Path.of(options.brokerJava).toAbsolutePath().getParent().getParent();
			if (javaHome.equals(Path.of(System.getProperty("java.home")).toAbsolutePath())) {
				return "";
			}
			try (Stream<String> release = Files.lines(javaHome.resolve("release"))) {
				return release.filter(line -> line.startsWith("JAVA_VERSION="))
					.map(line -> ", broker JDK " + line.substring(line.indexOf('=') + 1).replace("\"", ""))
					.findFirst()
					.orElse(", broker " + options.brokerJava);
			}
			catch (IOException | UncheckedIOException ex) {
				return ", broker " + options.brokerJava;
			}
		}

		/** SIGTERM for a graceful shutdown, then SIGKILL if it takes too long. */
		synchronized void stop() {
			if (process == null || !process.isAlive()) {
				return;
			}
			process.destroy();
			try {
				if (!process.waitFor(10, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}

		List<String> logProblems() throws IOException {
			try (Stream<String> lines = Files.lines(log)) {
				return lines.filter(line -> LOG_PROBLEM.matcher(line).find()).toList();
			}
		}

		private String logTail() throws IOException {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}

		@Override
		public void close() {
			synchronized (this) {
				if (!closed.compareAndSet(false, true)) {
					return;
				}
				stop();
			}
			try (Stream<Path> files = Files.walk(home)) {
				files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
			}
			catch (IOException ex) {
				System.err.println("[bench] could not delete " + home + ": " + ex);
			}
		}

	}

	// ---- options

	record Options(Path jar, int peers, int messages, int senders, int receivers, int readEveryMillis, int warmup,
			int latencySends, int warmupMessages, String brokerJava, List<String> brokerJvmArgs, boolean rawSenders,
			boolean push, String store, String fsync) {

		static final String USAGE = """
				usage: java bench/BrokerThroughputBench.java <mycelium.jar> [options]
				  --peers N             peers to register (default 100)
				  --messages N          messages in the timed throughput phase (default 100000)
				  --senders N           concurrent sender threads, one peer each (default 8)
				  --read-every MS       a reader reads its inbox again no sooner than MS after its
				                        last read began (default 200; 0 reads again at once)
				  --receivers N         with --receive push: threads acknowledging (default 4)
				  --warmup N            untimed sequential sends before the latency phase (default 2000)
				  --latency-sends N     timed sequential sends (default 5000)
				  --warmup-messages N   untimed throughput rounds before both phases, each rate
				                        printed; 0 measures a cold broker (default 200000)
				  --broker-java PATH    java executable for the broker (default: the one running this)
				  --broker-jvm-arg ARG  extra JVM argument for the broker, repeatable
				  --client raw|jdk      senders' HTTP client: a lean keep-alive socket (default) or
				                        java.net.http.HttpClient, which costs more CPU than the broker
				  --receive poll|push   a reader per inbox long-polls and acknowledges (default), or
				                        receivers follow each inbox's push stream and acknowledge in
				                        batches
				  --store sqlite|memory the broker's store (default sqlite, the broker's default)
				  --fsync normal|full   the SQLite store's commit policy (default normal)""";

		/** Who reads, for the output: "100 readers every 200 ms" or "4 push receivers". */
		String readers() {
			return push ? receivers + " push receivers" : peers + " readers every " + readEveryMillis + " ms";
		}

		static Options parse(String[] args) {
			if (args.length == 0 || args[0].startsWith("--")) {
				throw new IllegalArgumentException("the broker jar comes first");
			}
			Path jar = Path.of(args[0]);
			if (!Files.isRegularFile(jar)) {
				throw new IllegalArgumentException("no such jar: " + jar);
			}
			int peers = 100, messages = 100_000, senders = 8, receivers = 4, readEveryMillis = 200;
			int warmup = 2000, latencySends = 5000, warmupMessages = 200_000;
			String brokerJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			List<String> brokerJvmArgs = new ArrayList<>();
			boolean rawSenders = true;
			boolean push = false;
			String store = "sqlite";
			String fsync = "normal";
			for (int i = 1; i < args.length; i += 2) {
				if (i + 1 >= args.length) {
					throw new IllegalArgumentException(args[i] + " needs a value");
				}
				String value = args[i + 1];
				switch (args[i]) {
					case "--peers" -> peers = number(args[i], value, 2);
					case "--messages" -> messages = number(args[i], value, 1);
					case "--senders" -> senders = number(args[i], value, 1);
					case "--receivers" -> receivers = number(args[i], value, 1);
					case "--read-every" -> readEveryMillis = number(args[i], value, 0);
					case "--warmup" -> warmup = number(args[i], value, 0);
					case "--latency-sends" -> latencySends = number(args[i], value, 1);
					case "--warmup-messages" -> warmupMessages = number(args[i], value, 0);
					case "--broker-java" -> brokerJava = value;
					case "--broker-jvm-arg" -> brokerJvmArgs.add(value);
					case "--client" -> {
						if (!value.equals("raw") && !value.equals("jdk")) {
							throw new IllegalArgumentException("--client is raw or jdk");
						}
						rawSenders = value.equals("raw");
					}
					case "--receive" -> {
						if (!value.equals("poll") && !value.equals("push")) {
							throw new IllegalArgumentException("--receive is poll or push");
						}
						push = value.equals("push");
					}
					case "--store" -> {
						if (!value.equals("sqlite") && !value.equals("memory")) {
							throw new IllegalArgumentException("--store is sqlite or memory");
						}
						store = value;
					}
					case "--fsync" -> {
						if (!value.equals("normal") && !value.equals("full")) {
							throw new IllegalArgumentException("--fsync is normal or full");
						}
						fsync = value;
					}
					default -> throw new IllegalArgumentException("unknown option " + args[i]);
				}
			}
			if (senders > peers) {
				throw new IllegalArgumentException("--senders must not exceed --peers: each sender is its own peer");
			}
			return new Options(jar, peers, messages, senders, Math.min(receivers, peers), readEveryMillis, warmup,
					latencySends, warmupMessages, brokerJava, List.copyOf(brokerJvmArgs), rawSenders, push, store, fsync);
		}

		private static int number(String option, String value, int min) {
			int number;
			try {
				number = Integer.parseInt(value);
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException(option + " needs a number, not '" + value + "'");
			}
			if (number < min) {
				throw new IllegalArgumentException(option + " must be at least " + min);
			}
			return number;
		}

	}

	private static ThreadFactory daemon(String name) {
		AtomicInteger count = new AtomicInteger();
		return runnable -> {
			Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	private static double millis(long nanos) {
		return nanos / 1e6;
	}

	/** The load average over the last minute, as the kernel reports it ("?" elsewhere). */
	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (IOException | RuntimeException ex) {
			return "?";
		}
	}

	private static void print(String format, Object... args) {
		System.out.println(String.format(Locale.US, format, args));
	}

	/** Progress goes to stderr so that stdout holds only the results. */
	private static void progress(String format, Object... args) {
		System.err.println("[bench] " + String.format(Locale.US, format, args));
	}

}
