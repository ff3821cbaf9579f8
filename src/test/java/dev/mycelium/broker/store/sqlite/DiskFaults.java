package dev.mycelium.broker.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Opens a store's connections as the store would and keeps its writer, so that a test can
 * make the writer fail as a full disk or a read-only file does, from inside SQLite (this
 * machine's tests run as root, which no file permission stops, and mounting a small file
 * system needs privileges a test does not have). Call it between steps: the writer is
 * idle then.
 */
final class DiskFaults implements SqliteStore.Connections {

	private volatile Connection writer;

	/** A store on {@code file} whose writer this can fault. */
	SqliteStore open(Path file) {
		return SqliteStore.open(file, SqliteStore.Fsync.NORMAL, this);
	}

	@Override
	public Connection open(Path file, SqliteStore.Fsync fsync, boolean readOnly) throws SQLException {
		Connection connection = SqliteStore.connect(file, fsync, readOnly);
		if (!readOnly) {
			writer = connection;
		}
		return connection;
	}

	/** Limits the file to its current size: further writes fail as on a full disk. */
	void fillDisk() throws SQLException {
		execute("PRAGMA max_page_count = 1");
	}

	/** Makes the writer refuse writes as on a read-only file. */
	void readOnly(boolean readOnly) throws SQLException {
		execute("PRAGMA query_only = " + (readOnly ? 1 : 0));
	}

	private void execute(String pragma) throws SQLException {
		try (Statement statement = writer.createStatement()) {
			statement.execute(pragma);
		}
	}

}
