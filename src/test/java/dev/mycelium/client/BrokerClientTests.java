package dev.mycelium.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the client sends (token, peer secret, encoded path, JSON body) and what it makes
 * of each kind of answer, against a scripted JDK {@code HttpServer} on loopback.
 */
class BrokerClientTests {

	private static final Identity ALICE = new Identity("alice id", "alice-secret");

	private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

	private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();

	/**
	 * Held by a handler that should not answer (a broker that hangs) until the test ends.
	 */
	private final CountDownLatch released = new CountDownLatch(1);

	@TempDir
	Path home;

	private HttpServer server;

	private BrokerClient client;

	@BeforeEach
	void start() throws IOException {
		Files.writeString(home.resolve("token"), "first-token");
		server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/", this::handle);
		server.start();
		client = client(server.getAddress().getPort());
	}

	@AfterEach
	void stop() {
		released.countDown();
		server.stop(0);
	}

	@Test
	void aRequestCarriesTheTokenThePeerSecretAndItsBodyAsJsonAndItsAnswerIsRead() throws Exception {
		answer(201, "application/json", "{\"id\":\"m1\",\"body\":\"hi\",\"reply_to\":null}");
		answer(200, "application/json", "[{\"name\":\"news\",\"subscribers\":[\"alice\"]}]");

		assertThat(client.send("bob/2 & co", new DirectMessage("hi", null), ALICE).id()).isEqualTo("m1");
		assertThat(client.topics()).containsExactly(new Topic("news", List.of("alice")));

		Request sent = next();
		assertThat(sent.method()).isEqualTo("POST");
		assertThat(sent.path()).isEqualTo("/api/peers/bob%2F2%20%26%20co/messages");
		assertThat(sent.authorization()).isEqualTo("Bearer first-token");
		assertThat(sent.peerSecret()).isEqualTo("alice-secret");
		assertThat(sent.contentType()).isEqualTo("application/json");
		assertThat(sent.body()).isEqualTo("{\"body\":\"hi\",\"reply_to\":null}");
		Request operator = next();
		assertThat(operator.method()).isEqualTo("GET");
		assertThat(operator.peerSecret()).as("the operator sends no peer secret").isNull();
		assertThat(operator.contentType()).isNull();
	}

	@Test
	void aQueryValueIsEncodedAndAnEmptyAnswerIsNull() throws Exception {
		answer(200, "application/json", "");
		answer(204, null, "");

		assertThat(client.peers(Scope.REPO, ALICE)).isNull();
		client.leave(ALICE);

		assertThat(next().path()).isEqualTo("/api/peers?scope=repo");
		Request leave = next();
		assertThat(leave.method()).isEqualTo("DELETE");
		assertThat(leave.path()).isEqualTo("/api/peers/alice%20id");
		assertThat(leave.body()).isEmpty();
	}

	@Test
	void aProblemDetailIsABrokerProblemWithTheBrokersSentence() {
		answer(404, "application/problem+json", """
				{"type":"about:blank","title":"Not Found","status":404,\
				"detail":"No peer is named bob: discover lists them.","code":"unknown_recipient"}""");

		assertThatExceptionOfType(BrokerProblem.class)
			.isThrownBy(() -> client.send("bob", new DirectMessage("hi", null), ALICE))
			.withMessage("No peer is named bob: discover lists them.")
			.satisfies(problem -> {
				assertThat(problem.status()).isEqualTo(404);
				assertThat(problem.code()).isEqualTo("unknown_recipient");
			});
	}

	@Test
	void anErrorWithoutAProblemDetailSaysWhatAnswered() {
		answer(500, null, "");
		answer(502, "text/html", "<html>bad gateway</html>");

		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(BrokerProblem.class).isThrownBy(client::info)
				.withMessageContaining("answered HTTP 5")
				.withMessageContaining("without a problem detail")
				.satisfies(problem -> assertThat(problem.code()).isEqualTo("unexpected_answer"));
		}
	}

	@Test
	void aRefusedTokenIsReadAgainForTheNextRequestButAnUnknownPeerKeepsIt() throws Exception {
		answer(401, "application/problem+json",
				"{\"detail\":\"The token is not this broker's.\",\"code\":\"bad_token\"}");
		answer(200, "application/json", "[]");
		answer(401, "application/problem+json", "{\"detail\":\"Register again.\",\"code\":\"unknown_peer\"}");
		answer(200, "application/json", "[]");

		assertThatExceptionOfType(BrokerProblem.class).isThrownBy(client::topics)
			.satisfies(problem -> assertThat(problem.isUnknownPeer()).isFalse());
		Files.writeString(home.resolve("token"), "second-token");
		client.topics();
		assertThatExceptionOfType(BrokerProblem.class).isThrownBy(() -> client.heartbeat(ALICE))
			.satisfies(problem -> assertThat(problem.isUnknownPeer()).isTrue());
		Files.writeString(home.resolve("token"), "third-token");
		client.topics();

		assertThat(next().authorization()).isEqualTo("Bearer first-token");
		assertThat(next().authorization()).isEqualTo("Bearer second-token");
		assertThat(next().authorization()).isEqualTo("Bearer second-token");
		assertThat(next().authorization()).as("an unknown peer is not a wrong token").isEqualTo("Bearer second-token");
	}

	@Test
	void noBrokerIsBrokerUnavailable() throws IOException {
		int port;
		try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = unused.getLocalPort();
		}
		BrokerClient nobody = client(port);

		assertThatExceptionOfType(BrokerUnavailableException.class).isThrownBy(nobody::info)
			.withMessageStartingWith("No mycelium broker answers at http://127.0.0.1:" + port + ": ")
			.withRootCauseInstanceOf(ConnectException.class);
		assertThatExceptionOfType(BrokerUnavailableException.class).isThrownBy(() -> nobody.inboxEvents(ALICE, null))
			.withRootCauseInstanceOf(ConnectException.class);
	}

	@Test
	void aBrokerThatDoesNotAnswerInTimeIsBrokerUnavailable() {
		answers.add(Answer.NONE);

		assertThatExceptionOfType(BrokerUnavailableException.class).isThrownBy(client::info)
			.withMessageContaining("Read timed out")
			.withRootCauseInstanceOf(SocketTimeoutException.class);
	}

	// ---- the scripted server

	private BrokerClient client(int port) {
		return BrokerClient.create(new ClientProperties(home, "127.0.0.1", port, Duration.ofSeconds(90)),
				JsonMapper.builder().build(), Duration.ofMillis(500));
	}

	private void answer(int status, String contentType, String body) {
		answers.add(new Answer(status, contentType, body));
	}

	private Request next() throws InterruptedException {
		Request request = requests.poll(5, TimeUnit.SECONDS);
		assertThat(request).as("a request reached the server").isNotNull();
		return request;
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			requests.add(new Request(exchange.getRequestMethod(),
					exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
							: "?" + exchange.getRequestURI().getRawQuery()),
					exchange.getRequestHeaders().getFirst("Authorization"),
					exchange.getRequestHeaders().getFirst("Mycelium-Peer-Secret"),
					exchange.getRequestHeaders().getFirst("Content-Type"),
					new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
			Answer answer = answers.poll(5, TimeUnit.SECONDS);
			if (answer == null || answer == Answer.NONE) {
				released.await(30, TimeUnit.SECONDS);
				return;
			}
			byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
			if (answer.contentType() != null) {
				exchange.getResponseHeaders().set("Content-Type", answer.contentType());
			}
			exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private record Request(String method, String path, String authorization, String peerSecret, String contentType,
			String body) {
	}

	private record Answer(int status, String contentType, String body) {

		/** Not answered at all. */
		static final Answer NONE = new Answer(0, null, "");

	}

}
