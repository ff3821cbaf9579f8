package dev.mycelium.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.broker.BrokerApi.Response;
import dev.mycelium.protocol.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules that keep other users, web pages and other peers out: the token, the peer
 * secret, loopback Host names only, no Origin, no CORS, JSON only.
 */
class BrokerSecurityIntegrationTests extends BrokerIntegrationTest {

	@Test
	void tokenFileIsPrivateToTheUser() throws IOException {
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("token"))))
			.isEqualTo("rw-------");
	}

	@Test
	void everyApiRouteNeedsTheToken() {
		BrokerApi noToken = api.withToken(null);
		BrokerApi wrongToken = api.withToken("not-the-token");

		for (BrokerApi intruder : List.of(noToken, wrongToken)) {
			Response peers = intruder.get("/api/peers", null);
			assertThat(peers.status()).isEqualTo(401);
			assertThat(peers.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
			assertThat(peers.detail()).contains("MYCELIUM_HOME/token");
			assertThat(intruder.post("/api/peers", Map.of("name", unique("sneaky")), null).status()).isEqualTo(401);
			assertThat(intruder.get("/api/broker", null).status()).isEqualTo(401);
			assertThat(intruder.get("/actuator/env", null).status()).isEqualTo(401);
		}
		Response basic = api.exchange("GET", "/api/peers", null, null, Map.of("Authorization", "Basic Zm9vOmJhcg=="));
		assertThat(basic.status()).isEqualTo(401);
		assertThat(api.get("/api/peers", null).body()).doesNotContain("sneaky");
	}

	@Test
	void healthNeedsNoTokenAndTellsNothingElse() {
		Response health = api.withToken(null).get("/actuator/health", null);

		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().path("status").asString()).isEqualTo("UP");
		assertThat(health.body()).doesNotContain("diskSpace").doesNotContain("components").doesNotContain("details");
		assertThat(api.get("/actuator", null).status()).isEqualTo(404);
	}

	@ParameterizedTest
	@ValueSource(strings = { "evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "192.168.1.10" })
	void requestsForAnotherHostNameAreRefused(String host) throws IOException {
		String answer = RawHttp.exchange(port, "GET /api/peers HTTP/1.1\r\nHost: " + host + ":" + port
				+ "\r\nAuthorization: Bearer " + tokenText() + "\r\nConnection: close\r\n\r\n");

		assertThat(answer).startsWith("HTTP/1.1 403");
		assertThat(answer).contains("forbidden_host");
	}

	@ParameterizedTest
	@ValueSource(strings = { "localhost", "127.0.0.1", "[::1]" })
	void loopbackHostNamesAreAccepted(String host) throws IOException {
		String answer = RawHttp.exchange(port, "GET /api/peers HTTP/1.1\r\nHost: " + host + ":" + port
				+ "\r\nAuthorization: Bearer " + tokenText() + "\r\nConnection: close\r\n\r\n");

		assertThat(answer).startsWith("HTTP/1.1 200");
	}

	@Test
	void requestsFromWebPagesAreRefusedWithoutCorsHeaders() {
		Agent bob = api.register(unique("bob"));
		Map<String, String> page = Map.of("Origin", "http://localhost:3000");

		Response read = api.exchange("GET", "/api/peers", null, null, page);
		Response inject = api.exchange("POST", "/api/peers/" + bob.id() + "/messages", Map.of("body", "ignore all"),
				null, page);
		Response preflight = api.exchange("OPTIONS", "/api/peers/" + bob.id() + "/messages", null, null,
				Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST"));
		Response health = api.exchange("GET", "/actuator/health", null, null, page);

		for (Response response : List.of(read, inject, preflight, health)) {
			assertThat(response.status()).isEqualTo(403);
			assertThat(response.headers().map().keySet())
				.noneMatch(header -> header.toLowerCase().startsWith("access-control-"));
		}
		assertThat(api.unread(bob)).isEmpty();
	}

	@Test
	void noCorsHeadersOnOrdinaryAnswersEither() {
		Response response = api.get("/api/peers", null);

		assertThat(response.headers().map().keySet())
			.noneMatch(header -> header.toLowerCase().startsWith("access-control-"));
	}

	@Test
	void theSenderIsStampedByTheBrokerNeverTakenFromTheBody() {
		Agent victim = api.register(unique("victim"));
		Agent mallory = api.register(unique("mallory"));
		Agent target = api.register(unique("target"));

		api.post("/api/peers/" + target.id() + "/messages",
				Map.of("body", "trust me", "from", victim.name(), "from_id", victim.id()), mallory.secret());
		api.post("/api/broadcasts", Map.of("body", "all: trust me", "from", victim.name()), mallory.secret());

		assertThat(api.unread(target)).extracting(Message::from).containsExactly(mallory.name(), mallory.name());
		assertThat(api.unread(target)).extracting(Message::fromId).containsOnly(mallory.id());
	}

	@Test
	void aPeerCannotActAsAnother() {
		Agent bob = api.register(unique("bob"));
		Agent mallory = api.register(unique("mallory"));
		api.send(mallory, bob, "private");
		String inbox = "/api/peers/" + bob.id() + "/messages";
		String messageId = api.unread(bob).get(0).id();

		List<Response> attempts = List.of(api.get(inbox, mallory.secret()), api.get(inbox, null),
				api.get(inbox + "?wait=1", mallory.secret()),
				api.post(inbox + "/ack", Map.of("ids", List.of(messageId)), mallory.secret()),
				api.post("/api/peers/" + bob.id() + "/heartbeat", null, mallory.secret()),
				api.exchange("PATCH", "/api/peers/" + bob.id(), Map.of("summary", "pwned"), mallory.secret(), Map.of()),
				api.exchange("DELETE", "/api/peers/" + bob.id(), null, mallory.secret(), Map.of()),
				api.exchange("PUT", "/api/topics/spam/subscribers/" + bob.id(), null, mallory.secret(), Map.of()));

		assertThat(attempts).allSatisfy(response -> {
			assertThat(response.status()).as(response.body()).isEqualTo(403);
			assertThat(response.body()).doesNotContain("private");
		});
		assertThat(api.unread(bob)).extracting(Message::body).containsExactly("private");
		assertThat(api.get("/api/peers/" + bob.id(), null).json().path("summary").isNull()).isTrue();
		assertThat(api.get("/api/peers/" + bob.id(), null).json().path("state").asString()).isEqualTo("active");
	}

	@Test
	void anUnknownPeerSecretIs401SoTheClientKnowsToRegisterAgain() {
		Response response = api.get("/api/peers", "made-up-secret");

		assertThat(response.status()).isEqualTo(401);
		assertThat(response.json().path("code").asString()).isEqualTo("unknown_peer");
	}

	@Test
	void secretsNeverAppearInListings() {
		Agent bob = api.register(unique("bob"));

		assertThat(api.get("/api/peers", null).body()).doesNotContain(bob.secret());
		assertThat(api.get("/api/peers/" + bob.id(), null).body()).doesNotContain(bob.secret())
			.doesNotContain("secret");
	}

	private String tokenText() throws IOException {
		return Files.readString(home.resolve("token")).trim();
	}

}
