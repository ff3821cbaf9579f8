package dev.mycelium.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The broker client's HTTP against a scripted server socket: every way an answer can be
 * framed, keep-alive, a kept connection the server has closed, and header injection.
 */
class LoopbackHttpTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final List<Socket> accepted = new ArrayList<>();

	private ServerSocket server;

	/** Each request as the server read it: request line, headers, body. */
	private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

	@AfterEach
	void close() throws IOException {
		if (server != null) {
			server.close();
		}
		for (Socket socket : accepted) {
			socket.close();
		}
	}

	@Test
	void bodiesWithALengthChunkedOrUpToTheEndAreReadWhole() throws Exception {
		List<String> answers = List.of(
				"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"id\":\"a\"}\n",
				"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n3;x=y\r\n,3]\r\n0\r\n\r\n",
				"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
		serve((connection, count) -> answerEach(connection, answers));
		LoopbackHttp http = new LoopbackHttp(base(), TIMEOUT);

		LoopbackHttp.Answer created = http.exchange("POST", "/api/x", json(), bytes("{\"body\":\"hi\"}"), TIMEOUT);
		LoopbackHttp.Answer chunked = http.exchange("GET", "/api/y?wait=1", Map.of(), new byte[0], TIMEOUT);
		LoopbackHttp.Answer closing = http.exchange("PATCH", "/api/z", json(), bytes("{}"), TIMEOUT);

		assertThat(created.status()).isEqualTo(201);
		assertThat(text(created.body())).isEqualTo("{\"id\":\"a\"}\n");
		assertThat(created.header("Content-Type")).isEqualTo("application/json");
		assertThat(text(chunked.body())).isEqualTo("[1,2,3]");
		assertThat(text(closing.body())).isEqualTo("until the end");
		assertThat(accepted).as("one kept-alive connection for all three").hasSize(1);
		assertThat(requests.poll(5, TimeUnit.SECONDS)).startsWith("POST /api/x HTTP/1.1\n")
			.contains("\nHost: 127.0.0.1:" + server.getLocalPort() + "\n")
			.contains("\nContent-Length: 13\n")
			.endsWith("\n\n{\"body\":\"hi\"}");
		assertThat(requests.poll(5, TimeUnit.SECONDS)).startsWith("GET /api/y?wait=1 HTTP/1.1\n")
			.doesNotContain("Content-Length");
		assertThat(requests.poll(5, TimeUnit.SECONDS)).startsWith("PATCH /api/z HTTP/1.1\n")
			.contains("\nContent-Length: 2\n");
	}

	@Test
	void aBodilessDeleteSaysItHasNoBody() throws Exception {
		serve((connection, count) -> answerEach(connection, List.of("HTTP/1.1 204 No Content\r\n\r\n")));
		LoopbackHttp http = new LoopbackHttp(base(), TIMEOUT);

		assertThat(http.exchange("DELETE", "/api/peers/p", Map.of(), new byte[0], TIMEOUT).status()).isEqualTo(204);
		assertThat(requests.poll(5, TimeUnit.SECONDS)).contains("\nContent-Length: 0\n")
			.doesNotContain("Transfer-Encoding");
	}

	@Test
	void aKeptConnectionTheServerClosedIsReplacedAndTheRequestSentOnce() throws Exception {
		// The first connection answers once and is then closed by the server, as a
		// stopped broker's would be; the second answers everything.
		serve((connection, count) -> {
			if (count == 1) {
				answerOnceThenClose(connection, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
			}
			else {
				answerEach(connection, List.of("HTTP/1.1 201 Created\r\nContent-Length: 6\r\n\r\nsecond"));
			}
		});
		LoopbackHttp http = new LoopbackHttp(base(), TIMEOUT);
		assertThat(text(http.exchange("GET", "/1", Map.of(), new byte[0], TIMEOUT).body())).isEqualTo("first");
		// Until the server has closed the first connection: the next request meets it
		// closed.
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			synchronized (accepted) {
				return !accepted.isEmpty() && accepted.get(0).isClosed();
			}
		});

		LoopbackHttp.Answer answer = http.exchange("POST", "/2", json(), bytes("{}"), TIMEOUT);

		assertThat(answer.status()).isEqualTo(201);
		assertThat(requests.poll(5, TimeUnit.SECONDS)).startsWith("GET /1 ");
		assertThat(requests.poll(5, TimeUnit.SECONDS)).startsWith("POST /2 ");
		assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).as("the POST reached the server once").isNull();
	}

	@Test
	void noServerIsAnErrorAndAHeaderCannotCarryALineBreak() throws Exception {
		ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		URI nobody = URI.create("http://127.0.0.1:" + unused.getLocalPort());
		unused.close();
		assertThatThrownBy(() -> new LoopbackHttp(nobody, TIMEOUT).exchange("GET", "/", Map.of(), new byte[0], TIMEOUT))
			.isInstanceOf(IOException.class);

		serve((connection, count) -> answerEach(connection, List.of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
		Map<String, String> injected = Map.of("Last-Event-ID", "x\r\nMycelium-Peer-Secret: forged");
		assertThatThrownBy(() -> new LoopbackHttp(base(), TIMEOUT).openStream("/api/events", injected))
			.isInstanceOf(IllegalArgumentException.class);
		assertThat(requests.poll(300, TimeUnit.MILLISECONDS)).as("nothing was sent").isNull();
	}

	@Test
	void aStreamDeliversChunksAsTheyComeAndClosingItEndsTheConnection() throws Exception {
		BlockingQueue<OutputStream> streams = new LinkedBlockingQueue<>();
		serve((connection, count) -> {
			try {
				readRequest(
						new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8)));
				OutputStream out = connection.getOutputStream();
				out.write(
						bytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
								+ "a\r\ndata: one\n\r\n"));
				out.flush();
				streams.add(out);
			}
			catch (IOException ex) {
				// the test failed elsewhere
			}
		});
		LoopbackHttp.Answer answer = new LoopbackHttp(base(), TIMEOUT).openStream("/api/events", Map.of());
		BufferedReader events = new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8));
		assertThat(events.readLine()).isEqualTo("data: one");

		OutputStream out = streams.poll(5, TimeUnit.SECONDS);
		out.write(bytes("a\r\ndata: two\n\r\n"));
		out.flush();
		assertThat(events.readLine()).isEqualTo("data: two");

		Thread reader = new Thread(() -> {
			try {
				events.readLine();
			}
			catch (IOException ex) {
				// what closing from another thread does to a blocked reader
			}
		});
		reader.start();
		// Until the reader is inside readLine, blocked on the socket.
		await().atMost(Duration.ofSeconds(5))
			.until(() -> Arrays.stream(reader.getStackTrace())
				.anyMatch(frame -> frame.getMethodName().equals("readLine")));
		answer.body().close();
		reader.join(5_000);
		assertThat(reader.isAlive()).as("closing ended the blocked read").isFalse();
	}

	@Test
	void aStreamThatFallsSilentLongerThanItsHeartbeatsFailsInsteadOfWaitingForEver() throws Exception {
		serve((connection, count) -> {
			try {
				connection.getOutputStream()
					.write(bytes(
							"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
									+ "a\r\ndata: one\n\r\n"));
				connection.getOutputStream().flush();
				// then nothing, not even a heartbeat: a broker that hangs
			}
			catch (IOException ex) {
				// the test failed elsewhere
			}
		});
		LoopbackHttp.Answer answer = new LoopbackHttp(base(), TIMEOUT).openStream("/api/events", Map.of(),
				Duration.ofMillis(500));
		BufferedReader events = new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8));
		assertThat(events.readLine()).isEqualTo("data: one");

		long started = System.nanoTime();
		assertThatThrownBy(events::readLine).isInstanceOf(java.net.SocketTimeoutException.class);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
		answer.body().close();
	}

	@Test
	void aRefusedStreamIsReadWholeEvenOnAConnectionTheServerKeepsOpen() throws Exception {
		serve((connection, count) -> answerEach(connection, List
			.of("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\nContent-Length: 14\r\n\r\n{\"detail\":\"x\"}")));

		LoopbackHttp.Answer answer = new LoopbackHttp(base(), TIMEOUT).openStream("/api/events", Map.of());

		assertThat(answer.status()).isEqualTo(401);
		assertThat(text(answer.body())).isEqualTo("{\"detail\":\"x\"}");
	}

	// ---- a scripted server

	private void serve(BiConsumer<Socket, Integer> perConnection) throws IOException {
		server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(() -> {
			int count = 0;
			while (!server.isClosed()) {
				try {
					Socket connection = server.accept();
					synchronized (accepted) {
						accepted.add(connection);
					}
					int number = ++count;
					Thread handler = new Thread(() -> perConnection.accept(connection, number));
					handler.setDaemon(true);
					handler.start();
				}
				catch (IOException ex) {
					return;
				}
			}
		});
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Reads requests and answers them with {@code answers} in turn, the last one
	 * repeated.
	 */
	private void answerEach(Socket connection, List<String> answers) {
		try {
			BufferedReader in = new BufferedReader(
					new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
			OutputStream out = connection.getOutputStream();
			for (int i = 0; readRequest(in); i++) {
				String answer = answers.get(Math.min(i, answers.size() - 1));
				out.write(bytes(answer));
				out.flush();
				if (answer.contains("Connection: close")) {
					connection.close();
					return;
				}
			}
		}
		catch (IOException ex) {
			// the client went away
		}
	}

	private void answerOnceThenClose(Socket connection, String answer) {
		try (connection) {
			readRequest(new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8)));
			connection.getOutputStream().write(bytes(answer));
		}
		catch (IOException ex) {
			// the client went away
		}
	}

	private boolean readRequest(BufferedReader in) throws IOException {
		StringBuilder request = new StringBuilder();
		int length = 0;
		for (String line = in.readLine(); line != null; line = in.readLine()) {
			request.append(line).append('\n');
			if (line.toLowerCase().startsWith("content-length:")) {
				length = Integer.parseInt(line.substring(15).trim());
			}
			if (line.isEmpty()) {
				char[] body = new char[length];
				int read = 0;
				while (read < length) {
					read += in.read(body, read, length - read);
				}
				requests.add(request.append(body).toString());
				return true;
			}
		}
		return false;
	}

	private URI base() {
		return URI.create("http://127.0.0.1:" + server.getLocalPort());
	}

	private static Map<String, String> json() {
		return Map.of("Content-Type", "application/json");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String text(InputStream body) throws IOException {
		return new String(body.readAllBytes(), StandardCharsets.UTF_8);
	}

}
