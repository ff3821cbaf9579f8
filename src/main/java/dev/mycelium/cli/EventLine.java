package dev.mycelium.cli;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Task;

/**
 * One broker event as one readable line, cut to the terminal width:
 * {@code 14:02:11  shop → docs  cart API returns cents now}.
 */
final class EventLine {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

	/** Names listed for a broadcast before "+N more". */
	private static final int MAX_RECIPIENTS = 3;

	private EventLine() {
	}

	/**
	 * The line for an event, or empty for a {@code message} event that carries a task or
	 * its result (the contract allows them; the broker sends none today):
	 * {@code task_created} and {@code task_reported} already say the same.
	 */
	static Optional<String> of(BrokerEvent event, ZoneId zone, int width) {
		String time = event.at() == null ? "--:--:--" : TIME.format(event.at().atZone(zone));
		String text = switch (event.type() == null ? "" : event.type()) {
			case BrokerEvent.PEER_JOINED -> "+ " + peer(event.peer()) + " joined" + where(event.peer());
			case BrokerEvent.PEER_LEFT -> "- " + peer(event.peer()) + " left";
			case BrokerEvent.PEER_REMOVED -> "- " + peer(event.peer()) + " removed (silent too long)";
			case BrokerEvent.MESSAGE -> message(event.message());
			case BrokerEvent.BROADCAST -> broadcast(event.message(), event.recipients());
			case BrokerEvent.TASK_CREATED -> taskCreated(event.task());
			case BrokerEvent.TASK_REPORTED -> taskReported(event.task());
			case BrokerEvent.CLAIMED -> event.claim() == null ? "claimed" : "⚑ " + event.claim().describe();
			case BrokerEvent.CLAIM_ENDED -> event.claim() == null ? "claim ended" : "⚐ claim ended: "
					+ String.join(", ", event.claim().paths()) + " (by " + event.claim().holder() + ")";
			case BrokerEvent.WAKES_HELD -> event.message() == null ? "wakes held" : "⏸ " + event.message().from()
					+ " and " + event.message().to() + " kept waking each other: their messages wait unread now";
			case BrokerEvent.EDIT_DENIED -> "✋ edit denied: " + peer(event.peer()) + " → " + event.path()
					+ (event.claim() == null ? "" : " (claimed by " + event.claim().holder() + ")");
			default -> event.type();
		};
		return Optional.ofNullable(text).map(line -> Text.cut(Text.oneLine(time + "  " + line), width));
	}

	private static String peer(Peer peer) {
		return peer == null ? "?" : peer.name();
	}

	private static String where(Peer peer) {
		if (peer == null || (peer.repo() == null && peer.branch() == null)) {
			return "";
		}
		if (peer.branch() == null) {
			return " (repo " + peer.repo() + ")";
		}
		return peer.repo() == null ? " (branch " + peer.branch() + ")"
				: " (repo " + peer.repo() + ", branch " + peer.branch() + ")";
	}

	private static String message(Message message) {
		if (message == null) {
			return "message";
		}
		if (message.kind() == MessageKind.TASK || message.kind() == MessageKind.TASK_RESULT) {
			return null;
		}
		String tag = message.kind() == null || message.kind() == MessageKind.DIRECT ? ""
				: "[" + message.kind().wireName() + "] ";
		return message.from() + " → " + message.to() + "  " + tag + message.body();
	}

	private static String broadcast(Message message, List<String> recipients) {
		if (message == null) {
			return "broadcast";
		}
		String to = message.topic() == null ? "all" : "#" + message.topic();
		List<String> names = recipients == null ? List.of() : recipients;
		String reached = names.size() <= MAX_RECIPIENTS ? String.join(", ", names)
				: String.join(", ", names.subList(0, MAX_RECIPIENTS)) + " +" + (names.size() - MAX_RECIPIENTS)
						+ " more";
		return message.from() + " → " + to + " (" + (names.isEmpty() ? "nobody" : reached) + ")  " + message.body();
	}

	private static String taskCreated(Task task) {
		if (task == null) {
			return "task created";
		}
		return task.from() + " ⇒ " + task.to() + "  task " + task.id() + ": " + task.description();
	}

	private static String taskReported(Task task) {
		if (task == null) {
			return "task reported";
		}
		return task.to() + " ⇒ " + task.from() + "  task " + task.id() + " "
				+ (task.status() == null ? "reported" : task.status().wireName()) + ": " + task.result();
	}

}
