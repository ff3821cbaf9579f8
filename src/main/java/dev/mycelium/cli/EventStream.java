package dev.mycelium.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.ClientProperties;

/**
 * The broker-wide event stream, {@code GET /api/events} (Server-Sent Events), over the
 * JDK's HTTP client: a stream that never ends is not what {@code RestClient} is for.
 */
final class EventStream {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

	private final Console console;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(CONNECT_TIMEOUT)
		.build();

	EventStream(Console console) {
		this.console = console;
	}

	/**
	 * Connects, calls {@code connected}, then hands over each event until the broker ends
	 * the stream (it is shutting down).
	 * @param lastEventId where to resume, or {@code null} for new events only
	 * @throws IOException when the connection fails or breaks
	 * @throws BrokerProblem when the broker refuses the stream
	 */
	void follow(String lastEventId, Runnable connected, Consumer<ServerSentEvents.Event> events)
			throws IOException, InterruptedException {
		ClientProperties properties = console.properties();
		HttpRequest.Builder request = HttpRequest.newBuilder(properties.baseUri().resolve("/api/events"))
			.header("Accept", "text/event-stream")
			.header("Authorization", "Bearer " + properties.myceliumHome().readToken().orElse(""));
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
		try (Stream<String> lines = response.body()) {
			if (response.statusCode() != 200) {
				throw problem(response.statusCode(), lines.collect(Collectors.joining("\n")));
			}
			connected.run();
			ServerSentEvents parser = new ServerSentEvents();
			Iterator<String> iterator = lines.iterator();
			while (iterator.hasNext()) {
				parser.accept(iterator.next()).ifPresent(events);
			}
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
	}

	private BrokerProblem problem(int status, String body) {
		try {
			JsonNode problem = console.json().readTree(body);
			if (problem.has("detail")) {
				return new BrokerProblem(status, problem.path("code").asString("error"),
						problem.path("detail").asString());
			}
		}
		catch (RuntimeException ex) {
			// not a problem detail: described below
		}
		return new BrokerProblem(status, "unexpected_answer", "The broker at " + console.address() + " answered HTTP "
				+ status + " to GET /api/events without a problem detail.");
	}

}
