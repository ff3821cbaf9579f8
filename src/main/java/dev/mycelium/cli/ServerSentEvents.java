package dev.mycelium.cli;

import java.util.Optional;

/**
 * Reads a Server-Sent Events stream line by line, as the HTML standard describes it:
 * {@code event:}, {@code id:} and {@code data:} fields, a blank line ends an event, a
 * line starting with {@code :} is a comment (the broker's heartbeat).
 */
final class ServerSentEvents {

	/** One event: its type ({@code message} when unnamed), its id, its data. */
	record Event(String type, String id, String data) {
	}

	private String type = "";

	private final StringBuilder data = new StringBuilder();

	private boolean hasData;

	private String lastId;

	/** Takes one line; returns the event it completes, if any. */
	Optional<Event> accept(String line) {
		if (line.isEmpty()) {
			return dispatch();
		}
		if (line.startsWith(":")) {
			return Optional.empty();
		}
		int colon = line.indexOf(':');
		String field = colon < 0 ? line : line.substring(0, colon);
		String value = colon < 0 ? "" : line.substring(colon + 1);
		if (value.startsWith(" ")) {
			value = value.substring(1);
		}
		switch (field) {
			case "event" -> type = value;
			case "data" -> {
				if (hasData) {
					data.append('\n');
				}
				data.append(value);
				hasData = true;
			}
			case "id" -> {
				if (value.indexOf('\0') < 0) {
					lastId = value;
				}
			}
			default -> {
				// retry and unknown fields: nothing to do for a command-line reader
			}
		}
		return Optional.empty();
	}

	/** The id of the last event seen, to resume from with {@code Last-Event-ID}. */
	String lastId() {
		return lastId;
	}

	private Optional<Event> dispatch() {
		Optional<Event> event = hasData
				? Optional.of(new Event(type.isEmpty() ? "message" : type, lastId, data.toString())) : Optional.empty();
		type = "";
		data.setLength(0);
		hasData = false;
		return event;
	}

}
