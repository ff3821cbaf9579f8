package dev.mycelium.broker;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.mycelium.client.EventStream;
import dev.mycelium.client.ServerSentEvent;

/**
 * Reads one SSE stream of the broker on a thread of its own, as a client would, and hands
 * over its events; {@link #ended()} tells whether the broker closed it.
 */
final class SseReader implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	final int status;

	private final BlockingQueue<ServerSentEvent> events = new LinkedBlockingQueue<>();

	private final CountDownLatch ended = new CountDownLatch(1);

	private final InputStream body;

	private SseReader(HttpResponse<InputStream> response) {
		this.status = response.statusCode();
		this.body = response.body();
		if (status != 200) {
			ended.countDown();
			return;
		}
		EventStream stream = new EventStream(body);
		Thread reader = new Thread(() -> {
			try {
				ServerSentEvent event;
				while ((event = stream.next()) != null) {
					events.add(event);
				}
			}
			catch (IOException ex) {
				// closed by the test
			}
			finally {
				ended.countDown();
			}
		}, "sse-reader");
		reader.setDaemon(true);
		reader.start();
	}

	static SseReader open(int port, String path, String token, Map<String, String> headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		headers.forEach(request::header);
		return new SseReader(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
	}

	/** The next event, waiting up to 10 s. */
	ServerSentEvent next() throws InterruptedException {
		ServerSentEvent event = events.poll(10, TimeUnit.SECONDS);
		if (event == null) {
			throw new AssertionError("no event within 10 s");
		}
		return event;
	}

	/** An event if one comes within {@code wait}. */
	ServerSentEvent poll(Duration wait) throws InterruptedException {
		return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
	}

	boolean ended(Duration wait) throws InterruptedException {
		return ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() throws IOException {
		body.close();
	}

}
