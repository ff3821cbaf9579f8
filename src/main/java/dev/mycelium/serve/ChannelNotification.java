package dev.mycelium.serve;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.mycelium.protocol.Message;

/**
 * A message as Claude Code shows it in the session:
 * {@code <channel source="mycelium" from="backend" …>[backend] API schema updated</channel>}.
 * The content is plain text that cannot be mistaken for markup: angle brackets and
 * ampersands are escaped (no {@code </channel>}, no {@code <system-reminder>}), and
 * invisible characters (zero-width, bidirectional overrides, tag characters, control
 * characters) are shown as {@code [U+202E]} rather than hidden in the text. Meta values
 * keep only characters that are safe inside an attribute.
 */
record ChannelNotification(String content, Map<String, String> meta) {

	static final String METHOD = "notifications/claude/channel";

	static ChannelNotification of(Message message) {
		String from = message.from();
		String body = message.body();
		String content = switch (message.kind()) {
			case DIRECT ->
				"[" + from + (message.replyTo() != null ? ", replying to " + message.replyTo() : "") + "] " + body;
			case BROADCAST ->
				"[" + from + (message.topic() != null ? " → #" + message.topic() : " → everyone") + "] " + body;
			case TASK -> "[" + from + "] delegated task " + message.taskId() + " to you: " + body
					+ "\n(When done, report with fruit task_id=" + message.taskId() + ".)";
			case TASK_RESULT -> "[" + from + "] task " + message.taskId() + " " + body;
			case EXPIRED -> "[mycelium] " + body;
		};
		Map<String, String> meta = new LinkedHashMap<>();
		put(meta, "from", from);
		put(meta, "from_id", message.fromId());
		put(meta, "message_id", message.id());
		put(meta, "kind", message.kind().wireName());
		put(meta, "topic", message.topic());
		put(meta, "task_id", message.taskId());
		put(meta, "reply_to", message.replyTo());
		return new ChannelNotification(plainText(content), meta);
	}

	Map<String, Object> params() {
		return Map.of("content", content, "meta", meta);
	}

	/** Text that reads the same to a person and to a model, and is never markup. */
	static String plainText(String text) {
		StringBuilder clean = new StringBuilder(text.length() + 16);
		for (int i = 0; i < text.length();) {
			int c = text.codePointAt(i);
			i += Character.charCount(c);
			switch (c) {
				case '&' -> clean.append("&amp;");
				case '<' -> clean.append("&lt;");
				case '>' -> clean.append("&gt;");
				case '\n', '\t' -> clean.appendCodePoint(c);
				case '\r' -> {
					if (i >= text.length() || text.charAt(i) != '\n') {
						clean.append('\n');
					}
				}
				case 0x2028, 0x2029 -> clean.append('\n');
				default -> {
					if (hidden(c)) {
						clean.append(String.format("[U+%04X]", c));
					}
					else {
						clean.appendCodePoint(c);
					}
				}
			}
		}
		return clean.toString();
	}

	/**
	 * Control and format characters (zero-width spaces and joiners, bidi embeddings and
	 * overrides, the byte-order mark, tag characters) and unassigned or private code
	 * points: what a reader cannot see.
	 */
	private static boolean hidden(int c) {
		int type = Character.getType(c);
		return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
				|| type == Character.PRIVATE_USE || type == Character.SURROGATE;
	}

	private static void put(Map<String, String> meta, String key, String value) {
		if (value != null && !value.isEmpty()) {
			meta.put(key, value.replaceAll("[^A-Za-z0-9._:@#-]", "_"));
		}
	}

}
