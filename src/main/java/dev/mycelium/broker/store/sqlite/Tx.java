package dev.mycelium.broker.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.mycelium.broker.store.StoredPeer;

/**
 * One batch's transaction on the writer connection, and what it changed that the store's
 * cache shows only once it is committed: peers, unread counts, the inboxes to wake. Steps
 * of the same batch see each other's changes through it.
 */
final class Tx {

	private final Connection connection;

	private final Map<String, PreparedStatement> statements;

	/** Peers changed by this batch; a {@code null} value is a peer it forgot. */
	final Map<String, StoredPeer> peers = new HashMap<>();

	final Map<String, Integer> countDeltas = new HashMap<>();

	final Set<String> woken = new LinkedHashSet<>();

	/** The last inbox sequence number handed out in this batch. */
	long lastSequence;

	/** Last-seen times this batch writes, kept to be written again if it fails. */
	Map<String, java.time.Instant> seen = Map.of();

	Tx(Connection connection, Map<String, PreparedStatement> statements, long lastSequence) {
		this.connection = connection;
		this.statements = statements;
		this.lastSequence = lastSequence;
	}

	PreparedStatement prepare(String sql) throws SQLException {
		PreparedStatement statement = statements.get(sql);
		if (statement == null) {
			statement = connection.prepareStatement(sql);
			statements.put(sql, statement);
		}
		return statement;
	}

	Connection connection() {
		return connection;
	}

	/** The peer as this batch sees it: its own change, else the committed one. */
	Optional<StoredPeer> peer(String id, Map<String, StoredPeer> committed) {
		if (peers.containsKey(id)) {
			return Optional.ofNullable(peers.get(id));
		}
		return Optional.ofNullable(committed.get(id));
	}

	int count(String peerId, Map<String, Integer> committed) {
		return committed.getOrDefault(peerId, 0) + countDeltas.getOrDefault(peerId, 0);
	}

	void addCount(String peerId, int delta) {
		countDeltas.merge(peerId, delta, Integer::sum);
	}

}
