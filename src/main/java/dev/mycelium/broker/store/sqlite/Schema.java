package dev.mycelium.broker.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.store.StoreRefusedException;
import dev.mycelium.protocol.MyceliumHome;

/**
 * Opens the database file and brings its schema to this jar's version with Flyway: a
 * newer jar upgrades an older file; an older jar refuses a newer file, and nothing
 * refuses silently or replaces a file it cannot read. Each refusal is an
 * {@link IllegalStateException} with one sentence, which stops the broker's start.
 */
final class Schema {

	private static final Logger log = LoggerFactory.getLogger(Schema.class);

	/** Where the migrations are; {@code V<n>__<what>.sql}, never edited once released. */
	static final String LOCATION = "classpath:db/mycelium";

	/**
	 * The version of the newest migration in {@link #LOCATION}: a file already there
	 * opens without starting Flyway (about 0.4 s of a broker's start). A test keeps it in
	 * step with the files.
	 */
	static final String LATEST = "3";

	private Schema() {
	}

	/** Checks the file, then migrates it; returns the schema version it now has. */
	static String migrate(Path file) {
		String url = SqliteStore.url(file);
		String current = refuseWhatIsNotADatabase(file, url);
		ownerOnly(file);
		if (LATEST.equals(current)) {
			return current;
		}
		Flyway flyway = Flyway.configure(Schema.class.getClassLoader())
			.dataSource(url, null, null)
			.locations(LOCATION)
			.table("flyway_schema_history")
			// An older jar must not run on a file a newer one wrote: checked below, by
			// us.
			.ignoreMigrationPatterns("*:future")
			.load();
		MigrationInfo[] applied;
		MigrationInfo[] all;
		try {
			var info = flyway.info();
			applied = info.applied();
			all = info.all();
		}
		catch (RuntimeException ex) {
			throw refused(file, "its schema history cannot be read (" + rootMessage(ex) + ")", ex);
		}
		MigrationVersion known = Arrays.stream(all)
			.filter(info -> info.getState() != MigrationState.FUTURE_SUCCESS
					&& info.getState() != MigrationState.FUTURE_FAILED)
			.map(MigrationInfo::getVersion)
			.max(Comparator.naturalOrder())
			.orElse(MigrationVersion.EMPTY);
		for (MigrationInfo info : applied) {
			if (info.getState() == MigrationState.FUTURE_SUCCESS || info.getState() == MigrationState.FUTURE_FAILED) {
				throw new StoreRefusedException(file + " was written by a newer mycelium (schema version "
						+ info.getVersion() + "; this one knows up to " + known
						+ "): run the newer mycelium, or set MYCELIUM_HOME to another directory. The file was left as it is.");
			}
		}
		try {
			var result = flyway.migrate();
			if (result.migrationsExecuted > 0) {
				log.info("Schema of {}: {} → {}", file,
						result.initialSchemaVersion == null ? "new file" : result.initialSchemaVersion,
						result.targetSchemaVersion);
			}
			return result.targetSchemaVersion != null ? result.targetSchemaVersion : known.getVersion();
		}
		catch (RuntimeException ex) {
			throw refused(file, "its schema could not be brought up to date (" + rootMessage(ex) + ")", ex);
		}
	}

	/**
	 * SQLite opens any file lazily and fails only at the first read: read it now, and
	 * check every page, so that a damaged file stops the start instead of losing mail
	 * later.
	 */
	private static String refuseWhatIsNotADatabase(Path file, String url) {
		if (!Files.exists(file)) {
			return null;
		}
		try (Connection connection = DriverManager.getConnection(url);
				Statement statement = connection.createStatement()) {
			try (ResultSet check = statement.executeQuery("PRAGMA quick_check")) {
				String verdict = check.next() ? check.getString(1) : "no answer";
				if (!"ok".equalsIgnoreCase(verdict)) {
					throw refused(file, "SQLite finds it damaged (" + verdict + ")", null);
				}
			}
			return appliedVersion(statement);
		}
		catch (SQLException ex) {
			throw refused(file, "it is not a readable SQLite database (" + rootMessage(ex) + ")", ex);
		}
	}

	/**
	 * The schema version Flyway recorded as applied last, when every migration it
	 * recorded succeeded; {@code null} when there is none (a new file) or in doubt
	 * (Flyway then looks itself).
	 */
	private static String appliedVersion(Statement statement) throws SQLException {
		try (ResultSet table = statement.executeQuery(
				"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'flyway_schema_history'")) {
			if (!table.next() || table.getInt(1) == 0) {
				return null;
			}
		}
		try (ResultSet rows = statement.executeQuery(
				"SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
			String last = null;
			while (rows.next()) {
				if (rows.getInt(2) == 0) {
					return null;
				}
				last = rows.getString(1);
			}
			return last;
		}
	}

	/**
	 * The file holds every message body: readable by its owner only, like the token.
	 * SQLite gives its {@code -wal} and {@code -shm} files the same permissions.
	 */
	private static void ownerOnly(Path file) {
		try {
			if (!Files.exists(file)) {
				Files.createFile(file);
			}
			MyceliumHome.restrictToOwner(file);
		}
		catch (IOException ex) {
			throw refused(file, "it cannot be created or made private (" + ex.getMessage() + ")", ex);
		}
	}

	/** The one sentence for a database file the broker will not use, and what to do. */
	static StoreRefusedException refused(Path file, String why, Throwable cause) {
		return new StoreRefusedException("The broker cannot use its store " + file + ": " + why
				+ ". The file was left as it is; move it aside (or repair it with sqlite3's .recover) to start"
				+ " with an empty store, or run the broker with MYCELIUM_STORE=memory.", cause);
	}

	static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
		return message.replaceAll("\\s+", " ").trim();
	}

}
