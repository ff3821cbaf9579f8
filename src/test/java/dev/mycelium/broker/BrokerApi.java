package dev.mycelium.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Registration;

/**
 * A plain HTTP client of the broker for tests: real requests over loopback, every header
 * under the test's control, answers kept raw so that status, headers and body can all be
 * checked.
 */
final class BrokerApi {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String base;

	private final String token;

	BrokerApi(int port, String token) {
		this.base = "http://localhost:" + port;
		this.token = token;
	}

	/** A peer as a test drives it. */
	record Agent(String id, String name, String secret) {
	}

	record Response(int status, java.net.http.HttpHeaders headers, String body) {

		JsonNode json() {
			return JSON.readTree(body);
		}

		<T> T as(Class<T> type) {
			return JSON.readValue(body, type);
		}

		<T> T as(TypeReference<T> type) {
			return JSON.readValue(body, type);
		}

		String detail() {
			return json().path("detail").asString();
		}

	}

	Agent register(String name) {
		return register(Map.of("name", name, "cwd", "/work/" + name, "session_key", "key-" + name));
	}

	Agent register(Map<String, Object> registration) {
		Response response = post("/api/peers", registration, null);
		if (response.status() != 201) {
			throw new AssertionError("registration failed: " + response);
		}
		Registration r = response.as(Registration.class);
		return new Agent(r.id(), r.name(), r.secret());
	}

	Response send(Agent from, Agent to, String body) {
		return post("/api/peers/" + to.name() + "/messages", Map.of("body", body), from.secret());
	}

	List<Message> unread(Agent peer) {
		Response response = get("/api/peers/" + peer.id() + "/messages", peer.secret());
		if (response.status() != 200) {
			throw new AssertionError("reading the inbox failed: " + response);
		}
		return response.as(new TypeReference<List<Message>>() {
		});
	}

	Response ack(Agent peer, List<String> ids) {
		return post("/api/peers/" + peer.id() + "/messages/ack", Map.of("ids", ids), peer.secret());
	}

	Response get(String path, String secret) {
		return exchange("GET", path, null, secret, Map.of());
	}

	Response post(String path, Object body, String secret) {
		return exchange("POST", path, body, secret, Map.of());
	}

	/**
	 * One request with the token, optionally a peer secret and extra headers; a body that
	 * is a String is sent as it is, anything else as JSON.
	 */
	Response exchange(String method, String path, Object body, String secret, Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		Optional.ofNullable(secret).ifPresent(s -> request.header("Mycelium-Peer-Secret", s));
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		headers.forEach(request::setHeader);
		String text = body == null ? null : body instanceof String string ? string : JSON.writeValueAsString(body);
		request.method(method,
				text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
		try {
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.headers(), response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	BrokerApi withToken(String otherToken) {
		return new BrokerApi(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherToken);
	}

}
