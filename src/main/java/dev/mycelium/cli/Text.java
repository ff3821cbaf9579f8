package dev.mycelium.cli;

import java.time.Duration;

/** Fitting text from peers and the broker into one terminal line. */
final class Text {

	static final String NEWLINE = "⏎";

	private static final String ELLIPSIS = "…";

	private Text() {
	}

	/**
	 * One line of plain text: line breaks become {@value #NEWLINE}, tabs spaces, and
	 * other control characters (an escape sequence in a message could rewrite the
	 * terminal) become U+FFFD.
	 */
	static String oneLine(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder line = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\r') {
				line.append(NEWLINE);
				if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
					i++;
				}
			}
			else if (c == '\n') {
				line.append(NEWLINE);
			}
			else if (c == '\t') {
				line.append(' ');
			}
			else if (Character.isISOControl(c)) {
				line.append('\uFFFD');
			}
			else {
				line.append(c);
			}
		}
		return line.toString();
	}

	/** At most {@code width} characters, the end replaced by … when cut. */
	static String cut(String text, int width) {
		if (length(text) <= width) {
			return text;
		}
		if (width <= 0) {
			return "";
		}
		return text.substring(0, text.offsetByCodePoints(0, width - 1)) + ELLIPSIS;
	}

	/** At most {@code width} characters, the start replaced by … when cut. */
	static String cutStart(String text, int width) {
		int length = length(text);
		if (length <= width) {
			return text;
		}
		if (width <= 0) {
			return "";
		}
		return ELLIPSIS + text.substring(text.offsetByCodePoints(0, length - width + 1));
	}

	static String padRight(String text, int width) {
		return text + " ".repeat(Math.max(0, width - length(text)));
	}

	static String padLeft(String text, int width) {
		return " ".repeat(Math.max(0, width - length(text))) + text;
	}

	static int length(String text) {
		return text.codePointCount(0, text.length());
	}

	/** {@code 3s ago}, {@code 4m ago}, {@code 2h ago}, {@code 5d ago}. */
	static String ago(Duration elapsed) {
		long seconds = Math.max(0, elapsed.toSeconds());
		if (seconds < 60) {
			return seconds + "s ago";
		}
		if (seconds < 3600) {
			return seconds / 60 + "m ago";
		}
		if (seconds < 86400) {
			return seconds / 3600 + "h ago";
		}
		return seconds / 86400 + "d ago";
	}

	/**
	 * {@code 45s}, {@code 2m 13s}, {@code 3h 12m}, {@code 2d 4h}: the two largest units.
	 */
	static String uptime(Duration elapsed) {
		long seconds = Math.max(0, elapsed.toSeconds());
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return seconds / 60 + "m " + seconds % 60 + "s";
		}
		if (seconds < 86400) {
			return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
		}
		return seconds / 86400 + "d " + seconds % 86400 / 3600 + "h";
	}

}
