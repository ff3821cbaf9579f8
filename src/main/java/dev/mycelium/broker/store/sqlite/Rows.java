package dev.mycelium.broker.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.mycelium.broker.store.Delivery;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

/**
 * Records to columns and back: messages, times (nanoseconds since 1970: an instant's full
 * precision) and nullable numbers.
 */
final class Rows {

	private Rows() {
	}

	static void bindInbox(PreparedStatement insert, long sequence, String recipientId, Message message)
			throws SQLException {
		insert.setLong(1, sequence);
		insert.setString(2, recipientId);
		insert.setString(3, message.id());
		insert.setString(4, message.kind().wireName());
		insert.setString(5, message.from());
		insert.setString(6, message.fromId());
		insert.setString(7, message.to());
		insert.setString(8, message.topic());
		insert.setString(9, message.body());
		insert.setString(10, message.replyTo());
		insert.setString(11, message.taskId());
		setInstant(insert, 12, message.sentAt());
	}

	static List<Delivery> deliveries(PreparedStatement select) throws SQLException {
		List<Delivery> deliveries = new ArrayList<>();
		try (ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				deliveries.add(delivery(rows));
			}
		}
		return deliveries;
	}

	/** Reads {@code seq, }{@code MESSAGE_COLUMNS}{@code , recipient_id}. */
	static Delivery delivery(ResultSet rows) throws SQLException {
		return new Delivery(rows.getLong(1),
				new Message(rows.getString(2), MessageKind.parse(rows.getString(3)), rows.getString(4),
						rows.getString(5), rows.getString(6), rows.getString(12), rows.getString(7), rows.getString(8),
						rows.getString(9), rows.getString(10), instant(rows, 11)));
	}

	static long nanos(Instant at) {
		return at.getEpochSecond() * 1_000_000_000L + at.getNano();
	}

	static void setInstant(PreparedStatement statement, int index, Instant at) throws SQLException {
		if (at == null) {
			statement.setNull(index, java.sql.Types.INTEGER);
		}
		else {
			statement.setLong(index, nanos(at));
		}
	}

	static Instant instant(ResultSet rows, int index) throws SQLException {
		long value = rows.getLong(index);
		return rows.wasNull() ? null
				: Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
	}

	static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
		if (value == null) {
			statement.setNull(index, java.sql.Types.INTEGER);
		}
		else {
			statement.setLong(index, value);
		}
	}

	static Long longOrNull(ResultSet rows, int index) throws SQLException {
		long value = rows.getLong(index);
		return rows.wasNull() ? null : value;
	}

}
