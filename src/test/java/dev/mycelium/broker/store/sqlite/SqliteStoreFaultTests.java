package dev.mycelium.broker.store.sqlite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What the SQLite store does when its file is not what it should be: it refuses to start
 * with a sentence and leaves the file as it is, or refuses one change (503) and keeps
 * what it had. And a file of an older schema is migrated and read whole.
 */
class SqliteStoreFaultTests {

	@TempDir
	Path directory;

	private Path file() {
		return directory.resolve("mycelium.db");
	}

	@Test
	void aFileThatIsNotADatabaseIsRefusedAndLeftAsItIs() throws IOException {
		byte[] garbage = "this is not a database, it only has the name of one\n".repeat(200)
			.getBytes(StandardCharsets.UTF_8);
		Files.write(file(), garbage);

		assertThatIllegalStateException().isThrownBy(() -> SqliteStore.open(file(), SqliteStore.Fsync.NORMAL))
			.withMessageContaining("The broker cannot use its store " + file())
			.withMessageContaining("not a readable SQLite database")
			.withMessageContaining("left as it is");
		assertThat(Files.readAllBytes(file())).isEqualTo(garbage);
	}

	@Test
	void aDamagedDatabaseIsRefusedAndLeftAsItIs() throws Exception {
		SqliteStore.open(file(), SqliteStore.Fsync.NORMAL).close();
		byte[] bytes = Files.readAllBytes(file());
		// Scribble over the schema page (the first 4 KB), after the file header: its page
		// header and cells. Free space alone would go unnoticed, and where the cells lie
		// depends on the schema.
		for (int i = 100; i < Math.min(bytes.length, 4096); i++) {
			bytes[i] = (byte) 0x5a;
		}
		Files.write(file(), bytes);

		assertThatIllegalStateException().isThrownBy(() -> SqliteStore.open(file(), SqliteStore.Fsync.NORMAL))
			.withMessageContaining("The broker cannot use its store")
			.withMessageContaining("left as it is");
		assertThat(Files.readAllBytes(file())).isEqualTo(bytes);
	}

	@Test
	void aFileOfANewerSchemaIsRefusedWithTheVersions() throws Exception {
		SqliteStore.open(file(), SqliteStore.Fsync.NORMAL).close();
		try (Connection connection = DriverManager.getConnection(SqliteStore.url(file()));
				Statement statement = connection.createStatement()) {
			statement.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type,"
					+ " script, checksum, installed_by, execution_time, success) VALUES (99, '99', 'from the future',"
					+ " 'SQL', 'V99__from_the_future.sql', 0, 'test', 0, 1)");
		}

		assertThatIllegalStateException().isThrownBy(() -> SqliteStore.open(file(), SqliteStore.Fsync.NORMAL))
			.withMessageContaining(
					"was written by a newer mycelium (schema version 99; this one knows up to " + Schema.LATEST + ")")
			.withMessageContaining("run the newer mycelium");
	}

	/**
	 * The upgrade path: a file as schema 1 wrote it (a fixture made by the V1 migration
	 * and rows written in its tables) is migrated to this jar's schema and read whole.
	 */
	@Test
	void aFileOfSchemaOneIsMigratedAndReadWhole() throws Exception {
		Flyway.configure(getClass().getClassLoader())
			.dataSource(SqliteStore.url(file()), null, null)
			.locations(Schema.LOCATION)
			.target("1")
			.load()
			.migrate();
		try (Connection connection = DriverManager.getConnection(SqliteStore.url(file()));
				Statement statement = connection.createStatement()) {
			String fixture = new String(getClass().getResourceAsStream("/store/schema-v1-fixture.sql").readAllBytes(),
					StandardCharsets.UTF_8);
			for (String sql : fixture.replaceAll("(?m)^--.*$", "").split(";")) {
				if (!sql.isBlank()) {
					statement.executeUpdate(sql);
				}
			}
		}

		try (SqliteStore store = SqliteStore.open(file(), SqliteStore.Fsync.NORMAL)) {
			StoredPeer bob = store.peerBySessionKey("key-bob").orElseThrow();
			assertThat(bob.id()).isEqualTo("bobbbbbb");
			assertThat(bob.topics()).containsExactly("deploys");
			assertThat(store.peerBySecret("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"))
				.map(StoredPeer::id)
				.contains("bobbbbbb");
			assertThat(store.peer("alicaaaa").orElseThrow().isLive()).isFalse();
			assertThat(store.unread("bobbbbbb", true)).extracting(Delivery::sequence).containsExactly(7L, 9L);
			assertThat(store.held("bobbbbbb")).containsExactly("mmmmmmmmm1");
			assertThat(store.task("tttttttt")).map(StoredTask::status).contains(TaskStatus.PENDING);
			Appended next = store.append(List.of(message("bobbbbbb", "new")), 1000).get(0);
			assertThat(next.sequence()).as("never a sequence number schema 1 gave").isGreaterThan(9);
		}
	}

	@Test
	void theVersionThatSkipsFlywayIsTheNewestMigration() throws Exception {
		Path migrations = Path.of(getClass().getResource("/db/mycelium").toURI());
		int newest;
		try (var files = Files.list(migrations)) {
			newest = files.map(f -> f.getFileName().toString())
				.filter(name -> name.matches("V[0-9]+__.*\\.sql"))
				.mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
				.max()
				.orElseThrow();
		}
		assertThat(Schema.LATEST).isEqualTo(String.valueOf(newest));
		try (SqliteStore store = SqliteStore.open(file(), SqliteStore.Fsync.NORMAL)) {
			assertThat(store.schemaVersion()).isEqualTo(Schema.LATEST);
		}
		try (SqliteStore again = SqliteStore.open(file(), SqliteStore.Fsync.NORMAL)) {
			assertThat(again.schemaVersion()).as("opened without Flyway").isEqualTo(Schema.LATEST);
		}
	}

	@Test
	void aFullDiskRefusesTheChangeAndKeepsWhatTheStoreHad() throws Exception {
		try (SqliteStore store = storeWithBob()) {
			store.append(List.of(message("bobbbbbb", "kept")), 1000);
			faults.fillDisk();

			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> store.append(List.of(message("bobbbbbb", "x".repeat(200_000))), 1000))
				.withMessageContaining("the disk is full")
				.withMessageContaining("Nothing was changed");
			assertThat(store.unread("bobbbbbb", true)).extracting(d -> d.message().body()).containsExactly("kept");
			assertThat(store.unreadCount("bobbbbbb")).isEqualTo(1);
		}
		try (SqliteStore reopened = SqliteStore.open(file(), SqliteStore.Fsync.NORMAL)) {
			assertThat(reopened.unread("bobbbbbb", true)).extracting(d -> d.message().body()).containsExactly("kept");
		}
	}

	@Test
	void aReadOnlyFileRefusesTheChangeAndKeepsWhatTheStoreHad() throws Exception {
		try (SqliteStore store = storeWithBob()) {
			store.append(List.of(message("bobbbbbb", "kept")), 1000);
			faults.readOnly(true);

			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> store.append(List.of(message("bobbbbbb", "refused")), 1000))
				.withMessageContaining("read-only");
			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> store.acknowledge("bobbbbbb", List.of("m-kept")));
			assertThat(store.unread("bobbbbbb", true)).extracting(d -> d.message().body()).containsExactly("kept");

			faults.readOnly(false);
			assertThat(store.append(List.of(message("bobbbbbb", "again")), 1000).get(0).isAppended()).isTrue();
		}
	}

	private final DiskFaults faults = new DiskFaults();

	private SqliteStore storeWithBob() throws SQLException {
		SqliteStore store = faults.open(file());
		store.register(new dev.mycelium.broker.store.Registering("key-bob", "bob", 1L, "/work/bob", null, null, null,
				null, "hash", Instant.now(), null), () -> "bobbbbbb", (wanted, n) -> wanted + "-" + n);
		return store;
	}

	private static Message message(String to, String body) {
		return new Message("m-" + body.substring(0, Math.min(body.length(), 8)), MessageKind.DIRECT, "alice", "alice",
				"bob", to, null, body, null, null, Instant.now());
	}

}
