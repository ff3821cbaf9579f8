package dev.mycelium.broker.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.protocol.DashboardLogin;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Registration;

/**
 * The broker over plain HTTP, as the dashboard's tests need it: peers registered and
 * talking the way {@code serve} does (token and peer secret), the operator's login code
 * (as {@code mycelium dashboard} asks), and raw requests with exactly the headers a test
 * gives (a browser's cookie and {@code Origin}), redirects not followed.
 */
final class BrokerHttp {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	final String base;

	private final String token;

	BrokerHttp(int port, String token) {
		this.base = "http://localhost:" + port;
		this.token = token;
	}

	String token() {
		return token;
	}

	record Answer(int status, HttpHeaders headers, String body) {

		JsonNode json() {
			return JSON.readTree(body);
		}

		String header(String name) {
			return headers.firstValue(name).orElse(null);
		}

	}

	/** A peer registered as {@code serve} registers it. */
	record Peer(String id, String name, String secret) {
	}

	Peer register(String name, String repo, String branch, String summary) {
		Map<String, Object> registration = new LinkedHashMap<>();
		registration.put("name", name);
		registration.put("pid", ProcessHandle.current().pid());
		registration.put("cwd", "/src/" + name);
		registration.put("repo", repo);
		registration.put("branch", branch);
		registration.put("summary", summary);
		registration.put("session_key", "session-" + name);
		Answer answer = api("POST", "/api/peers", registration, null);
		if (answer.status() != 201) {
			throw new AssertionError("registration failed: " + answer);
		}
		Registration r = JSON.readValue(answer.body(), Registration.class);
		return new Peer(r.id(), r.name(), r.secret());
	}

	Message send(Peer from, Peer to, String body) {
		Answer answer = api("POST", "/api/peers/" + to.id() + "/messages", Map.of("body", body), from.secret());
		if (answer.status() != 201) {
			throw new AssertionError("sending failed: " + answer);
		}
		return JSON.readValue(answer.body(), Message.class);
	}

	String delegate(Peer from, Peer to, String description) {
		Answer answer = api("POST", "/api/tasks", Map.of("to", to.id(), "description", description), from.secret());
		if (answer.status() != 201) {
			throw new AssertionError("delegating failed: " + answer);
		}
		return answer.json().path("id").asString();
	}

	void report(Peer assignee, String taskId, String status, String result) {
		Answer answer = api("POST", "/api/tasks/" + taskId + "/result", Map.of("status", status, "result", result),
				assignee.secret());
		if (answer.status() != 200) {
			throw new AssertionError("reporting failed: " + answer);
		}
	}

	void broadcast(Peer from, String topic, String body) {
		Map<String, Object> broadcast = new LinkedHashMap<>();
		broadcast.put("body", body);
		if (topic != null) {
			broadcast.put("topic", topic);
		}
		api("POST", "/api/broadcasts", broadcast, from.secret());
	}

	void claim(Peer peer, String... paths) {
		Answer answer = api("POST", "/api/claims", Map.of("paths", List.of(paths)), peer.secret());
		if (answer.status() != 201) {
			throw new AssertionError("claiming failed: " + answer);
		}
	}

	/**
	 * The plugin's hook as Claude Code runs it before the peer's session edits a file.
	 */
	Answer preToolUse(Peer peer, String file) {
		return api("POST", "/api/hooks", Map.of("session_id", "session-" + peer.name(), "hook_event_name", "PreToolUse",
				"tool_name", "Edit", "tool_input", Map.of("file_path", file)), null);
	}

	void subscribe(Peer peer, String topic) {
		api("PUT", "/api/topics/" + topic + "/subscribers/" + peer.id(), null, peer.secret());
	}

	List<Message> unread(Peer peer) {
		Answer answer = api("GET", "/api/peers/" + peer.id() + "/messages", null, peer.secret());
		return List.of(JSON.readValue(answer.body(), Message[].class));
	}

	/** What {@code mycelium dashboard} asks for: the operator's one-time login code. */
	DashboardLogin loginCode() {
		Answer answer = api("POST", "/api/dashboard/login-codes", null, null);
		if (answer.status() != 201) {
			throw new AssertionError("no login code: " + answer);
		}
		return JSON.readValue(answer.body(), DashboardLogin.class);
	}

	/** Signs in as a browser does; the {@code Cookie} header its session sends. */
	String signIn() {
		Answer login = request("GET", loginCode().path(), Map.of(), null);
		if (login.status() != 303) {
			throw new AssertionError("the login failed: " + login);
		}
		return login.header("Set-Cookie").split(";", 2)[0];
	}

	/** With the token and, when given, a peer secret: a client of the API. */
	Answer api(String method, String path, Object body, String secret) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + token);
		if (secret != null) {
			headers.put("Mycelium-Peer-Secret", secret);
		}
		return request(method, path, headers, body);
	}

	/** Exactly these headers, no token: what a browser would send. */
	Answer request(String method, String path, Map<String, String> headers, Object body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
		String text = body == null ? null : body instanceof String string ? string : JSON.writeValueAsString(body);
		if (text != null && !headers.containsKey("Content-Type")) {
			request.header("Content-Type", "application/json");
		}
		headers.forEach(request::setHeader);
		request.method(method,
				text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
		try {
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Answer(response.statusCode(), response.headers(), response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
