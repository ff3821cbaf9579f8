package dev.mycelium.serve;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.Message;

/**
 * A message as Claude Code shows it in a session that loaded mycelium as a channel:
 * {@code <channel source="mycelium" from="backend" …>[mycelium message …] …</channel>}.
 * The content is {@link MailText#frame the same text} the inbox socket and the hooks
 * deliver, which cannot be mistaken for markup; meta values keep only characters that are
 * safe inside an attribute.
 */
record ChannelNotification(String content, Map<String, String> meta) {

	static final String METHOD = "notifications/claude/channel";

	static ChannelNotification of(Message message) {
		Map<String, String> meta = new LinkedHashMap<>();
		put(meta, "from", message.from());
		put(meta, "from_id", message.fromId());
		put(meta, "message_id", message.id());
		put(meta, "kind", message.kind().wireName());
		put(meta, "topic", message.topic());
		put(meta, "task_id", message.taskId());
		put(meta, "reply_to", message.replyTo());
		return new ChannelNotification(MailText.frame(message, false), meta);
	}

	Map<String, Object> params() {
		return Map.of("content", content, "meta", meta);
	}

	private static void put(Map<String, String> meta, String key, String value) {
		if (value != null && !value.isEmpty()) {
			meta.put(key, value.replaceAll("[^A-Za-z0-9._:@#-]", "_"));
		}
	}

}
