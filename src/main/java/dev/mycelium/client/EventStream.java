package dev.mycelium.client;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * An open Server-Sent Events stream from the broker: {@link #next()} blocks for the next
 * event; {@link #close()}, from any thread, ends it. Comment lines (heartbeats) are
 * skipped.
 */
public final class EventStream implements Closeable {

	private final InputStream body;

	private final BufferedReader lines;

	/**
	 * @param body the stream's body; closing it must end the connection, from any thread
	 */
	public EventStream(InputStream body) {
		this.body = body;
		this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
	}

	/**
	 * The next event, or {@code null} when the broker ended the stream.
	 * @throws IOException when the connection broke (or was closed)
	 */
	public ServerSentEvent next() throws IOException {
		String id = null;
		String event = null;
		StringBuilder data = null;
		String line;
		while ((line = lines.readLine()) != null) {
			if (line.isEmpty()) {
				if (data != null) {
					return new ServerSentEvent(id, event == null ? "message" : event, data.toString());
				}
				id = null;
				event = null;
				continue;
			}
			if (line.startsWith(":")) {
				continue;
			}
			int colon = line.indexOf(':');
			String field = colon < 0 ? line : line.substring(0, colon);
			String value = colon < 0 ? "" : line.substring(colon + 1);
			if (value.startsWith(" ")) {
				value = value.substring(1);
			}
			switch (field) {
				case "id" -> id = value;
				case "event" -> event = value;
				case "data" -> data = (data == null ? new StringBuilder() : data.append('\n')).append(value);
				default -> {
					// retry and unknown fields: nothing to do
				}
			}
		}
		return null;
	}

	@Override
	public void close() {
		try {
			body.close();
		}
		catch (IOException ex) {
			// closing a broken connection: it is closed either way
		}
	}

}
