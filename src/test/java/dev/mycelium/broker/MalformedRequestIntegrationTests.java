package dev.mycelium.broker;

import java.io.IOException;
import java.util.Locale;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests Tomcat refuses before the broker's filter or controllers see them, sent over a
 * raw socket (an HTTP client would refuse to send most of them): each is answered with an
 * RFC 9457 problem detail with a {@code code}, never Tomcat's HTML page. And a body whose
 * JSON spells half a surrogate pair is refused, not stored and passed on.
 */
class MalformedRequestIntegrationTests extends BrokerIntegrationTest {

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "/api/peers/a%2Fb", "/api/peers/a\\b", "/api/peers/a%00b", "/api/peers/a%5Cb%2F..%2F",
			"/api/peers/\u0001" })
	void aMalformedUrlIsAProblemDetail(String path) throws IOException {
		RawAnswer answer = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token()
				+ "\r\nConnection: close\r\n\r\n");

		assertProblem(answer, 400);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "GET /api/peers/a%zzb HTTP/1.1", "GET /api/peers/a%e2%82 HTTP/1.1",
			"GET /api/peers HTTP/1.1 and more" })
	void aMalformedRequestLineOrPercentEncodingIsTomcatsBadRequestAsAProblemDetail(String requestLine)
			throws IOException {
		RawAnswer answer = raw(requestLine + "\r\nHost: localhost\r\nAuthorization: Bearer " + token()
				+ "\r\nConnection: close\r\n\r\n");

		assertProblem(answer, 400);
		assertThat(BrokerApi.JSON.readTree(answer.body()).path("code").asString()).isEqualTo("bad_request");
	}

	@Test
	void aUrlOverEightKilobytesIsAProblemDetail() throws IOException {
		RawAnswer answer = raw("GET /api/peers/" + "x".repeat(9000) + " HTTP/1.1\r\nHost: localhost\r\n"
				+ "Connection: close\r\n\r\n");

		assertProblem(answer, 400);
	}

	@Test
	void twoHostHeadersAreAProblemDetail() throws IOException {
		RawAnswer answer = raw(
				"GET /api/peers HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nAuthorization: Bearer " + token()
						+ "\r\nConnection: close\r\n\r\n");

		assertProblem(answer, 400);
	}

	@Test
	void aBodyWithALoneSurrogateIsRefused() throws IOException {
		BrokerApi.Agent alice = api.register(unique("alice"));
		BrokerApi.Agent bob = api.register(unique("bob"));

		BrokerApi.Response answer = api.post("/api/peers/" + bob.name() + "/messages",
				"{\"body\":\"half \\ud800 a pair\"}", alice.secret());

		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.headers().firstValue("Content-Type"))
			.hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(answer.json().path("code").asString()).isEqualTo("invalid_text");
		assertThat(answer.detail()).contains("lone UTF-16 surrogate");
		assertThat(api.unread(bob)).as("nothing stored").isEmpty();
		assertThat(api
			.post("/api/peers/" + bob.name() + "/messages", "{\"body\":\"a whole pair \\ud83d\\ude00\"}",
					alice.secret())
			.status()).as("a real pair is fine").isEqualTo(201);
	}

	private static void assertProblem(RawAnswer answer, int status) {
		assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
		assertThat(answer.header("content-type")).as(answer.toString()).startsWith("application/problem+json");
		JsonNode problem = BrokerApi.JSON.readTree(answer.body());
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		assertThat(problem.path("code").asString()).isNotBlank();
		assertThat(problem.path("detail").asString()).isNotBlank();
	}

	private String token() {
		return new dev.mycelium.protocol.MyceliumHome(home).readToken().orElseThrow();
	}

	record RawAnswer(int status, String head, String body) {

		String header(String name) {
			return head.lines()
				.filter(line -> line.toLowerCase(Locale.ROOT).startsWith(name + ":"))
				.map(line -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse("");
		}

	}

	/** Writes the bytes as they are and reads the answer until the broker closes. */
	private RawAnswer raw(String request) throws IOException {
		String text = RawHttp.exchange(port, request);
		int split = text.indexOf("\r\n\r\n");
		String head = split < 0 ? text : text.substring(0, split);
		String body = split < 0 ? "" : text.substring(split + 4);
		int status = Integer.parseInt(head.split(" ", 3)[1]);
		RawAnswer answer = new RawAnswer(status, head, body);
		if (answer.header("transfer-encoding").equalsIgnoreCase("chunked")) {
			answer = new RawAnswer(status, head, unchunk(body));
		}
		return answer;
	}

	private static String unchunk(String body) {
		StringBuilder out = new StringBuilder();
		int at = 0;
		while (true) {
			int lineEnd = body.indexOf("\r\n", at);
			int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
			if (size == 0) {
				return out.toString();
			}
			out.append(body, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
	}

}
