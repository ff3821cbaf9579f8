package dev.mycelium.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.mycelium.protocol.Peer;

/**
 * The peers as a table that fits the terminal: every column but the summary is as wide as
 * its widest cell (repository and branch within a cap), and the summary gets what is
 * left.
 */
final class PeerTable {

	private static final int MAX_NAME = 32;

	private static final int MAX_REPO = 24;

	private static final int MAX_BRANCH = 20;

	private static final int MIN_SUMMARY = 8;

	private static final String GAP = "  ";

	private static final int MAX_HOST = 24;

	private static final int SUMMARY = 4;

	private static final int UNREAD = 6;

	private PeerTable() {
	}

	static List<String> render(List<Peer> peers, Instant now, int width) {
		// A HOST column only when the brokers of several machines share a store and the
		// peers are on more than one of them: otherwise it would repeat one name.
		boolean hosts = peers.stream().map(Peer::host).filter(host -> host != null).distinct().count() > 1;
		int shift = hosts ? 1 : 0;
		int summaryColumn = SUMMARY + shift;
		int unreadColumn = UNREAD + shift;
		List<String[]> rows = new ArrayList<>();
		rows.add(withHost(hosts, "HOST",
				new String[] { "NAME", "ID", "REPO", "BRANCH", "SUMMARY", "SEEN", "UNREAD", "MAIL" }));
		for (Peer peer : peers) {
			rows.add(withHost(hosts, orDash(Text.cut(Text.oneLine(peer.host()), MAX_HOST)),
					new String[] { Text.cut(Text.oneLine(peer.name()), MAX_NAME), shortId(peer.id()),
							orDash(Text.cutStart(Text.oneLine(peer.repo()), MAX_REPO)),
							orDash(Text.cut(Text.oneLine(peer.branch()), MAX_BRANCH)), orDash(summary(peer)),
							seen(peer, now), String.valueOf(peer.unread()), mail(peer) }));
		}
		int[] widths = new int[rows.get(0).length];
		for (String[] row : rows) {
			for (int column = 0; column < row.length; column++) {
				widths[column] = Math.max(widths[column], Text.length(row[column]));
			}
		}
		int others = 0;
		for (int column = 0; column < widths.length; column++) {
			others += column == summaryColumn ? 0 : widths[column];
		}
		widths[summaryColumn] = Math.min(widths[summaryColumn],
				Math.max(MIN_SUMMARY, width - others - GAP.length() * (widths.length - 1)));
		List<String> lines = new ArrayList<>();
		for (String[] row : rows) {
			StringBuilder line = new StringBuilder();
			for (int column = 0; column < row.length; column++) {
				String cell = column == summaryColumn ? Text.cut(row[column], widths[column]) : row[column];
				// numbers align right; the last column needs no padding
				line.append(column == unreadColumn ? Text.padLeft(cell, widths[column])
						: column == row.length - 1 ? cell : Text.padRight(cell, widths[column]));
				if (column < row.length - 1) {
					line.append(GAP);
				}
			}
			lines.add(line.toString().stripTrailing());
		}
		// A note rather than a column: stale peers are the exception, and width is
		// scarce.
		List<String> stale = peers.stream().filter(peer -> Peer.STALE.equals(peer.state())).map(Peer::name).toList();
		if (!stale.isEmpty()) {
			lines.add("");
			lines.add(Text.cut("Stale (no heartbeat for a while; the session may be gone): " + String.join(", ", stale),
					width));
		}
		return lines;
	}

	/** The row with the host after the id, when the table has that column. */
	private static String[] withHost(boolean hosts, String host, String[] row) {
		if (!hosts) {
			return row;
		}
		String[] wider = new String[row.length + 1];
		System.arraycopy(row, 0, wider, 0, 2);
		wider[2] = host;
		System.arraycopy(row, 2, wider, 3, row.length - 2);
		return wider;
	}

	/**
	 * The summary without the {@code <directory> on <branch>: } that {@code serve}'s
	 * automatic one starts with: the row shows both already, and the summary column is
	 * the narrow one.
	 */
	static String summary(Peer peer) {
		String summary = Text.oneLine(peer.summary());
		if (peer.cwd() == null || peer.branch() == null) {
			return summary;
		}
		String directory = peer.cwd().substring(peer.cwd().lastIndexOf('/') + 1);
		String prefix = directory + " on " + peer.branch() + ": ";
		return summary.startsWith(prefix) && summary.length() > prefix.length() ? summary.substring(prefix.length())
				: summary;
	}

	/** Ids are short already; a longer one (from a newer broker) is cut to eight. */
	static String shortId(String id) {
		return id.length() <= 8 ? id : id.substring(0, 8);
	}

	private static String seen(Peer peer, Instant now) {
		return peer.lastSeen() == null ? "-" : Text.ago(Duration.between(peer.lastSeen(), now));
	}

	private static String orDash(String text) {
		return text.isEmpty() ? "-" : text;
	}

	/**
	 * How mail reaches the peer's model, short: {@code socket+hooks}, {@code channel},
	 * {@code notices}, or {@code push} / {@code -} for a peer that reports nothing.
	 */
	static String mail(Peer peer) {
		if (peer.delivery() == null) {
			return peer.push() ? "push" : "-";
		}
		return peer.delivery()
			.replace("inbox socket", "socket")
			.replace("tool notices", "notices")
			.replace("push stream", "push")
			.replace(", ", "+");
	}

}
