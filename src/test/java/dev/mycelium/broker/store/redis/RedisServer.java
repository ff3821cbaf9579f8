package dev.mycelium.broker.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} for a test: on 127.0.0.1 and a free port (never 6379), its
 * files in the test's directory, with the append-only file on ({@code appendfsync
 * everysec}, what the README recommends) and no snapshots. The test stops it; it can be
 * killed and started again on the same port and files, as a machine's Redis restarts.
 */
public final class RedisServer implements AutoCloseable {

	private final Path directory;

	private final int port;

	private final List<String> options;

	private final String address;

	private Process process;

	private RedisServer(Path directory, int port, String address, List<String> options) {
		this.directory = directory;
		this.port = port;
		this.address = address;
		this.options = options;
	}

	/** Starts one on 127.0.0.1; {@code options} are more {@code redis-server} options. */
	public static RedisServer start(Path directory, String... options) {
		return start(directory, "127.0.0.1", freePort(), options);
	}

	public static RedisServer start(Path directory, String address, int port, String... options) {
		RedisServer server = new RedisServer(directory, port, address, List.of(options));
		server.start();
		return server;
	}

	public static String executable() {
		for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IllegalStateException(
				"redis-server is not installed: apt-get install redis-server (.ci/run does it when missing)");
	}

	public void start() {
		try {
			Files.createDirectories(directory);
			List<String> command = new ArrayList<>(List.of(executable(), "--port", String.valueOf(port), "--bind",
					address, "--dir", directory.toString(), "--save", "", "--appendonly", "yes", "--appendfsync",
					"everysec", "--daemonize", "no", "--logfile", directory.resolve("redis.log").toString()));
			command.addAll(options);
			process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.out").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (options.contains("--port") && options.get(options.indexOf("--port") + 1).equals("0")) {
			// TLS only: nothing answers in plain text.
			await().atMost(Duration.ofSeconds(20)).until(() -> log().contains("Ready to accept connections"));
			return;
		}
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
			if (!process.isAlive()) {
				throw new IllegalStateException("redis-server exited: " + log());
			}
			return ping();
		});
	}

	/** Whether it answers {@code PING} (or asks for a password: it is up). */
	private boolean ping() throws IOException {
		try (Socket socket = new Socket(address, port)) {
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] answer = new byte[64];
			int read = in.read(answer);
			String text = read > 0 ? new String(answer, 0, read, StandardCharsets.US_ASCII) : "";
			return text.startsWith("+PONG") || text.startsWith("-NOAUTH");
		}
	}

	public String log() {
		try {
			Path log = directory.resolve("redis.log");
			return Files.exists(log) ? Files.readString(log) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public int port() {
		return port;
	}

	public String url() {
		return "redis://" + address + ":" + port;
	}

	public Path directory() {
		return directory;
	}

	/** Deletes every key, as for a new empty store. */
	public void flushAll() {
		command("FLUSHALL");
	}

	/** Sends one command (no password) and returns the first line of the answer. */
	public String command(String... words) {
		StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
		for (String word : words) {
			request.append('$')
				.append(word.getBytes(StandardCharsets.UTF_8).length)
				.append("\r\n")
				.append(word)
				.append("\r\n");
		}
		try (Socket socket = new Socket(address, port)) {
			socket.setSoTimeout(5000);
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			byte[] answer = new byte[4096];
			int read = socket.getInputStream().read(answer);
			return read > 0 ? new String(answer, 0, read, StandardCharsets.UTF_8).lines().findFirst().orElse("") : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code SIGKILL}: what the append-only file had is all a restart finds. */
	public void kill() {
		process.destroyForcibly();
		waitForExit();
	}

	/** {@code SIGTERM}: Redis writes its files and exits. */
	public void stop() {
		process.destroy();
		waitForExit();
	}

	private void waitForExit() {
		try {
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	public boolean isAlive() {
		return process != null && process.isAlive();
	}

	@Override
	public void close() {
		if (isAlive()) {
			kill();
		}
	}

	/**
	 * A free port of this machine, never Redis's own 6379 (a real Redis may be there).
	 */
	public static int freePort() {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0)) {
				if (socket.getLocalPort() != 6379) {
					return socket.getLocalPort();
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

}
