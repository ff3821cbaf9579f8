package dev.mycelium.serve;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.mycelium.protocol.Message;

/**
 * What this session sent that its recipients may not have read yet. The broker keeps
 * messages in memory: if it dies, unread mail dies with it. The heartbeat asks the broker
 * which of these are still unread and forgets the rest; what remains when a new broker
 * shows up is what may have been lost, and the session is told so, message by message, so
 * that it can send again what matters.
 */
final class Outbox {

	private static final int LIMIT = 1000;

	/** One message to one recipient. */
	record Sent(String id, String to, String body, Instant sentAt) {

		String describe() {
			String preview = body.length() > 80 ? body.substring(0, 79) + "…" : body;
			return "[" + id + "] to " + to + ": " + preview.replaceAll("\\s+", " ");
		}

	}

	private final Map<String, Sent> unconfirmed = new LinkedHashMap<>();

	synchronized void sent(String id, List<String> recipients, String body, Instant sentAt) {
		for (String to : recipients) {
			unconfirmed.put(id + "→" + to, new Sent(id, to, body, sentAt));
		}
		Iterator<String> oldest = unconfirmed.keySet().iterator();
		while (unconfirmed.size() > LIMIT) {
			oldest.next();
			oldest.remove();
		}
	}

	synchronized boolean isEmpty() {
		return unconfirmed.isEmpty();
	}

	/**
	 * Forgets what was read: everything sent before {@code asOf} that is not in
	 * {@code stillUnread}, the broker's answer to a question asked at {@code asOf}.
	 */
	synchronized void keepOnly(List<Message> stillUnread, Instant asOf) {
		Set<String> unread = stillUnread.stream()
			.map(message -> message.id() + "→" + message.to())
			.collect(Collectors.toSet());
		unconfirmed.entrySet()
			.removeIf(entry -> entry.getValue().sentAt().isBefore(asOf) && !unread.contains(entry.getKey()));
	}

	/** Everything not known to be read, and forgets it. */
	synchronized List<Sent> takeAll() {
		List<Sent> all = List.copyOf(unconfirmed.values());
		unconfirmed.clear();
		return all;
	}

	/** What to tell the session when the broker that held these is gone. */
	static String lostNotice(List<Sent> lost) {
		StringBuilder notice = new StringBuilder("The mycelium broker restarted and lost the mail it held: ")
			.append(lost.size())
			.append(lost.size() == 1 ? " message" : " messages")
			.append(" you sent may never have been read; send again what still matters:");
		lost.forEach(sent -> notice.append("\n- ").append(sent.describe()));
		return notice.toString();
	}

}
