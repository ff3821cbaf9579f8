package dev.mycelium.claude;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The broker the Claude Code sessions of a test started, through its REST API as the
 * operator (the token in {@code MYCELIUM_HOME}). Answers are JSON text: the tests look
 * for what they expect in them. Only the JDK, for the delivery benchmark.
 */
public final class BrokerOf {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Path myceliumHome;

	private final int port;

	public BrokerOf(Path myceliumHome, int port) {
		this.myceliumHome = myceliumHome;
		this.port = port;
	}

	/** An answer: its status and body. */
	public record Answer(int status, String body) {
	}

	public Answer get(String path) throws IOException, InterruptedException {
		return exchange("GET", path, null, "application/json");
	}

	public Answer post(String path, String json) throws IOException, InterruptedException {
		return exchange("POST", path, json.getBytes(StandardCharsets.UTF_8), "application/json");
	}

	/** As the peer holding {@code secret}. */
	public Answer post(String path, String json, String secret) throws IOException, InterruptedException {
		return exchange("POST", path, json.getBytes(StandardCharsets.UTF_8), "application/json", secret);
	}

	/** Sends bytes as they are, whatever they hold. */
	public Answer post(String path, byte[] body) throws IOException, InterruptedException {
		return exchange("POST", path, body, "application/json");
	}

	/** A direct message from the operator, as {@code mycelium send} sends it. */
	public Answer send(String to, String body) throws IOException, InterruptedException {
		return post("/api/peers/" + to + "/messages", "{\"body\":" + ScriptedModel.quote(body) + "}");
	}

	/** The peer's JSON, or {@code null} while the broker does not know it. */
	public String peer(String name) throws IOException, InterruptedException {
		if (!Files.exists(myceliumHome.resolve("token"))) {
			return null;
		}
		Answer answer;
		try {
			answer = get("/api/peers/" + name);
		}
		catch (IOException ex) {
			return null;
		}
		return answer.status() == 200 ? answer.body() : null;
	}

	/** The peer's unread count, or -1 while the broker does not know it. */
	public int unread(String name) throws IOException, InterruptedException {
		String peer = peer(name);
		return peer == null ? -1 : Integer.parseInt(peer.replaceAll("(?s).*\"unread\":(\\d+).*", "$1"));
	}

	private Answer exchange(String method, String path, byte[] body, String type)
			throws IOException, InterruptedException {
		return exchange(method, path, body, type, null);
	}

	private Answer exchange(String method, String path, byte[] body, String type, String secret)
			throws IOException, InterruptedException {
		String token = Files.readString(myceliumHome.resolve("token"), StandardCharsets.US_ASCII).trim();
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(20))
			.header("Authorization", "Bearer " + token);
		if (secret != null) {
			request.header("Mycelium-Peer-Secret", secret);
		}
		if (body != null) {
			request.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		return new Answer(response.statusCode(), response.body());
	}

}
