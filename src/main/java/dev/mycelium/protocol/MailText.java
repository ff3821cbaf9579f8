package dev.mycelium.protocol;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message as a model reads it when it is put into its session (through Claude Code's
 * inbox socket, a hook, or a channel): a header line the broker and {@code serve} write,
 * then the body between {@code <mycelium-message>} tags, then how to answer. The body is
 * {@link #plainText plain text} that cannot close the tags or open others, so a sender
 * cannot forge the header, the sender or the instructions around it.
 */
public final class MailText {

	/** How the header names a message; a delivered prompt is searched for it. */
	/**
	 * A frame's first line and its opening tag with the same id, in plain text or inside
	 * a JSON string (a transcript line, where the quotes are escaped). The header between
	 * them has no {@code <}, and a body cannot hold a tag ({@link #plainText} escapes
	 * {@code <}): a body quoting another message's first line confirms nothing.
	 */
	private static final Pattern MARKER = Pattern
		.compile("\\[mycelium message ([a-z2-7]{4,64})\\][^<]*<mycelium-message id=\\\\?\"\\1\\\\?\">");

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'")
		.withZone(ZoneOffset.UTC);

	private MailText() {
	}

	/**
	 * The whole text of one message, ready for a model to read and act on, for a path
	 * that marks it read once the model has it (the inbox socket, a hook).
	 */
	public static String frame(Message message) {
		return frame(message, true);
	}

	/**
	 * @param markedRead whether the path delivering it marks it read (a channel
	 * notification does not: {@code sense} would list it again)
	 */
	public static String frame(Message message, boolean markedRead) {
		String from = plainText(message.from()) + (message.fromId() != null ? " (id " + message.fromId() + ")" : "");
		String header = switch (message.kind()) {
			case DIRECT -> "direct message from " + from
					+ (message.replyTo() != null ? ", replying to " + plainText(message.replyTo()) : "");
			case BROADCAST -> "broadcast from " + from
					+ (message.topic() != null ? " on topic #" + message.topic() : " to every session");
			case TASK -> "task " + message.taskId() + " delegated to you by " + from;
			case TASK_RESULT -> "result of task " + message.taskId() + " you delegated to " + from;
			case EXPIRED -> "notice from mycelium";
			case CLAIM -> "claim notice from mycelium";
			case LOOP -> "notice from mycelium";
		};
		return "[mycelium message " + message.id() + "] " + header + ", sent " + TIME.format(message.sentAt())
				+ ":\n<mycelium-message id=\"" + message.id() + "\">\n" + plainText(message.body())
				+ "\n</mycelium-message>\n" + howToAnswer(message)
				+ (markedRead ? " It is marked read: no need to call sense for it." : "");
	}

	private static String howToAnswer(Message message) {
		String sender = "\"" + plainText(message.from()) + "\"";
		String reply = "call mycelium's signal tool with to=" + sender + " and reply_to=\"" + message.id() + "\"";
		if (message.fromId() == null && message.kind() == MessageKind.DIRECT) {
			// The person at the terminal (mycelium send) has no inbox to answer to.
			return "It was sent from the command line by " + sender
					+ ", who reads this session: answer here, not with signal.";
		}
		return switch (message.kind()) {
			case DIRECT -> "To answer, " + reply + " (mycelium, not SendMessage, reaches " + sender + ").";
			case BROADCAST -> "To answer the sender alone, " + reply + (message.topic() != null
					? "; to answer everyone on the topic, call sporulate with topic=\"" + message.topic() + "\"" : "")
					+ ".";
			case TASK -> "When it is done (or cannot be done), call mycelium's fruit tool with task_id=\""
					+ message.taskId() + "\", status \"completed\" or \"failed\", and the result; " + sender
					+ " is told at once. To ask a question first, " + reply + ".";
			case TASK_RESULT -> "survey lists all your tasks.";
			case EXPIRED -> "Send again what still matters.";
			case CLAIM -> "claim and release manage your own claims; discover shows every session's.";
			case LOOP -> "Nothing to answer: answering would only go on with the exchange.";
		};
	}

	/** What a sender is told when the peer it wrote to has left. */
	public static String leftNote(String name) {
		return name + " has left (its session ended): the message waits for it if it comes back soon;"
				+ " else you are told it expired.";
	}

	/**
	 * The ids of the messages whose framed text appears in {@code text}: a prompt that
	 * Claude Code shows its model, which confirms they reached it.
	 */
	public static Set<String> messageIds(String text) {
		Set<String> ids = new LinkedHashSet<>();
		if (text != null) {
			Matcher matcher = MARKER.matcher(text);
			while (matcher.find()) {
				ids.add(matcher.group(1));
			}
		}
		return ids;
	}

	/** Text that reads the same to a person and to a model, and is never markup. */
	public static String plainText(String text) {
		if (text == null) {
			return "";
		}
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

}
