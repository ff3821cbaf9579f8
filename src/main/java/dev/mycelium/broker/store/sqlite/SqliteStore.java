package dev.mycelium.broker.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.ClaimStore;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.broker.store.Expired;
import dev.mycelium.broker.store.NameRule;
import dev.mycelium.broker.store.PendingSeen;
import dev.mycelium.broker.store.PeerRules;
import dev.mycelium.broker.store.Registered;
import dev.mycelium.broker.store.Registering;
import dev.mycelium.broker.store.RegistrationPlan;
import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.TaskStatus;

/**
 * An embedded SQLite database, {@code MYCELIUM_HOME/mycelium.db} (the default store).
 * Every change is committed before its step returns, through {@link GroupCommit}: one
 * writer connection batching the steps of many requests into one transaction. Reads of
 * inboxes and tasks go to a few read-only connections (WAL mode lets them read while the
 * writer writes). Peers are few and read on every request, so they are also kept in
 * memory, updated once their change is committed: this broker is the only process using
 * the file ({@code broker.lock}).
 * <p>
 * Durability: WAL with {@code synchronous=NORMAL} survives a crash of the process (a
 * commit is in the operating system's hands before the step returns); with
 * {@code fsync=full} ({@code synchronous=FULL}) each commit is also on the disk before
 * the step returns, which survives power loss at the cost of one fsync per batch.
 */
public final class SqliteStore implements BrokerStore {

	private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

	private static final int READERS = 4;

	private static final String MESSAGE_COLUMNS = "id, kind, from_name, from_id, to_name, topic, body, reply_to, task_id, sent_at";

	private static final String INSERT_INBOX = "INSERT INTO inbox (seq, recipient_id, " + MESSAGE_COLUMNS
			+ ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	private static final String INSERT_OR_IGNORE_INBOX = "INSERT OR IGNORE INTO inbox (seq, recipient_id, "
			+ MESSAGE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	private static final String SELECT_INBOX = "SELECT seq, " + MESSAGE_COLUMNS + ", recipient_id FROM inbox";

	/** How durable a commit is before a step returns. */
	public enum Fsync {

		/** Survives a crash of the process: WAL, {@code synchronous=NORMAL}. */
		NORMAL,
		/** Survives power loss too: {@code synchronous=FULL}, an fsync per commit. */
		FULL

	}

	private final Path file;

	private final String schemaVersion;

	private final Connection writer;

	private final Map<String, PreparedStatement> writerStatements = new HashMap<>();

	private final GroupCommit commits;

	private final BlockingQueue<Reader> readers = new ArrayBlockingQueue<>(READERS);

	/** Committed peers, by id; replaced whole by the writer after each commit. */
	private final Map<String, StoredPeer> peers = new ConcurrentHashMap<>();

	private final Map<String, String> peerIdBySecret = new ConcurrentHashMap<>();

	private final Map<String, String> peerIdBySessionKey = new ConcurrentHashMap<>();

	private final Map<String, Integer> counts = new ConcurrentHashMap<>();

	/**
	 * Last-seen times newer than the committed ones: a sign of life on every request is
	 * kept here at once and written with the next commit (a crash loses at most a second
	 * of them, which only delays a removal).
	 */
	private final PendingSeen seen = new PendingSeen();

	private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

	/** Peers with new mail, to be told once the writer's lock is released. */
	private final Queue<String> woken = new ConcurrentLinkedQueue<>();

	private final SqliteClaims claims = new SqliteClaims(this);

	/** The last inbox sequence number committed; touched by the writer only. */
	private long lastSequence;

	/**
	 * No unread message was sent before this (nanoseconds since 1970), so a sweep scans
	 * the inboxes for expired mail only once something may be: a scan of 100,000 messages
	 * every second would cost more than the rest of the sweep. Written by the writer:
	 * lowered by each append, raised only by the expiry scan, which finds the true
	 * oldest; a batch rolled back leaves it at {@link Long#MIN_VALUE} (unknown: the next
	 * sweep scans).
	 */
	private volatile long oldestSentAt = Long.MAX_VALUE;

	/**
	 * How the store opens its connections to the file: {@link SqliteStore#connect}, or in
	 * tests one that keeps the writer to make it fail as a full disk would.
	 */
	@FunctionalInterface
	interface Connections {

		Connection open(Path file, Fsync fsync, boolean readOnly) throws SQLException;

	}

	private SqliteStore(Path file, Fsync fsync, Connections connections) throws SQLException {
		this.file = file;
		this.schemaVersion = Schema.migrate(file);
		this.writer = connections.open(file, fsync, false);
		this.writer.setAutoCommit(false);
		load();
		for (int i = 0; i < READERS; i++) {
			readers.add(new Reader(connections.open(file, fsync, true)));
		}
		this.commits = new GroupCommit(writer, new GroupCommit.Batches() {
			@Override
			public Tx begin() throws SQLException {
				Tx tx = new Tx(writer, writerStatements, lastSequence);
				writeSeen(tx);
				return tx;
			}

			@Override
			public void committed(Tx tx) {
				publish(tx);
			}

			@Override
			public void rolledBack(Tx tx) {
				// Nothing was published; the last-seen times stay to be written next
				// time. An expiry scan of the batch may have raised the oldest time.
				oldestSentAt = Long.MIN_VALUE;
			}
		});
	}

	/**
	 * Opens (creating or migrating) the database; refuses with one sentence a file it
	 * cannot use, and leaves that file as it is.
	 */
	public static SqliteStore open(Path file, Fsync fsync) {
		return open(file, fsync, SqliteStore::connect);
	}

	static SqliteStore open(Path file, Fsync fsync, Connections connections) {
		try {
			SqliteStore store = new SqliteStore(file, fsync, connections);
			log.info("Store: {} (schema {}, fsync {}): {} peers, {} unread messages", file, store.schemaVersion,
					fsync.name().toLowerCase(java.util.Locale.ROOT), store.peers.size(),
					store.counts.values().stream().mapToInt(Integer::intValue).sum());
			return store;
		}
		catch (SQLException ex) {
			throw Schema.refused(file, Schema.rootMessage(ex), ex);
		}
	}

	/**
	 * Runs a step in the next commit, then tells the listeners about mail it (or a batch
	 * before it) stored: outside the writer's lock, since a listener completes long-polls
	 * that read the inbox at once.
	 */
	<T> T write(GroupCommit.Step<T> step) {
		try {
			return commits.write(step);
		}
		finally {
			for (String peerId; (peerId = woken.poll()) != null;) {
				for (Consumer<String> listener : listeners) {
					listener.accept(peerId);
				}
			}
		}
	}

	static String url(Path file) {
		return "jdbc:sqlite:" + file.toAbsolutePath();
	}

	static Connection connect(Path file, Fsync fsync, boolean readOnly) throws SQLException {
		org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
		if (!readOnly) {
			config.setJournalMode(org.sqlite.SQLiteConfig.JournalMode.WAL);
		}
		config.setSynchronous(fsync == Fsync.FULL ? org.sqlite.SQLiteConfig.SynchronousMode.FULL
				: org.sqlite.SQLiteConfig.SynchronousMode.NORMAL);
		config.setBusyTimeout(10_000);
		// A hot page (an inbox's last one) is written again by nearly every commit: a
		// larger WAL before each checkpoint copies it to the database once, not a hundred
		// times, and checkpoints (two fsyncs each) come seldom. 40 MB at most.
		config.setPragma(org.sqlite.SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "10000");
		config.setCacheSize(-16_384);
		config.setTempStore(org.sqlite.SQLiteConfig.TempStore.MEMORY);
		config.setReadOnly(readOnly);
		return DriverManager.getConnection(url(file), config.toProperties());
	}

	private void load() throws SQLException {
		Map<String, List<String>> topics = new HashMap<>();
		Map<String, List<String>> keys = new HashMap<>();
		try (Statement statement = writer.createStatement()) {
			try (ResultSet rows = statement.executeQuery("SELECT peer_id, topic FROM subscription ORDER BY topic")) {
				while (rows.next()) {
					topics.computeIfAbsent(rows.getString(1), id -> new ArrayList<>()).add(rows.getString(2));
				}
			}
			try (ResultSet rows = statement
				.executeQuery("SELECT peer_id, session_key FROM session_key ORDER BY rowid")) {
				while (rows.next()) {
					keys.computeIfAbsent(rows.getString(1), id -> new ArrayList<>()).add(rows.getString(2));
				}
			}
			try (ResultSet rows = statement.executeQuery("SELECT id, name, wanted_name, registered_at, pid, cwd, repo,"
					+ " branch, summary, client_pid, delivery, hooks_seen, secret_hash, last_seen, away_since FROM peer")) {
				while (rows.next()) {
					String id = rows.getString(1);
					StoredPeer peer = new StoredPeer(id, rows.getString(2), rows.getString(3), Rows.instant(rows, 4),
							topics.getOrDefault(id, List.of()), keys.getOrDefault(id, List.of()),
							Rows.longOrNull(rows, 5), rows.getString(6), rows.getString(7), rows.getString(8),
							rows.getString(9), Rows.longOrNull(rows, 10), rows.getString(11), rows.getInt(12) != 0,
							rows.getString(13), Rows.instant(rows, 14), Rows.instant(rows, 15), null);
					index(null, peer);
				}
			}
			// One pass over the inboxes (stored by recipient, so grouping streams): 20 ms
			// for 100,000 messages, timed outside the broker.
			long maxSequence = 0;
			try (ResultSet rows = statement.executeQuery(
					"SELECT recipient_id, count(*), min(sent_at), max(seq) FROM inbox GROUP BY recipient_id")) {
				while (rows.next()) {
					counts.put(rows.getString(1), rows.getInt(2));
					oldestSentAt = Math.min(oldestSentAt, rows.getLong(3));
					maxSequence = Math.max(maxSequence, rows.getLong(4));
				}
			}
			try (ResultSet rows = statement.executeQuery("SELECT max((SELECT value FROM meta WHERE key = 'last_seq'),"
					+ " coalesce((SELECT max(seq) FROM expired), 0))")) {
				lastSequence = Math.max(maxSequence, rows.next() ? rows.getLong(1) : 0);
			}
		}
		writer.commit();
	}

	private static long oldestSentAt(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT min(sent_at) FROM inbox")) {
			long oldest = rows.next() ? rows.getLong(1) : 0;
			return rows.wasNull() ? Long.MAX_VALUE : oldest;
		}
	}

	/** When the last-seen times were last written; touched by the writer only. */
	private long seenWrittenAt;

	/**
	 * Writes the last-seen times kept since the last time, at most once a second: every
	 * request is a sign of life, and a write for each would double the broker's writes.
	 */
	private void writeSeen(Tx tx) throws SQLException {
		long now = System.nanoTime();
		if (seen.isEmpty() || now - seenWrittenAt < 1_000_000_000L) {
			return;
		}
		seenWrittenAt = now;
		tx.seen = seen.toWrite();
		PreparedStatement update = tx.prepare("UPDATE peer SET last_seen = ? WHERE id = ? AND last_seen < ?");
		for (Map.Entry<String, Instant> entry : tx.seen.entrySet()) {
			update.setLong(1, Rows.nanos(entry.getValue()));
			update.setString(2, entry.getKey());
			update.setLong(3, Rows.nanos(entry.getValue()));
			update.addBatch();
		}
		update.executeBatch();
	}

	/** Runs after a commit, on the writer: the cache shows what is now durable. */
	private void publish(Tx tx) {
		lastSequence = tx.lastSequence;
		// The peers changed first, the forgotten ones after: an heir that took over the
		// session keys of a peer forgotten in the same commit holds them before they go.
		tx.peers.forEach((id, peer) -> {
			if (peer != null) {
				index(peers.get(id), peer);
			}
		});
		tx.peers.forEach((id, peer) -> {
			if (peer == null) {
				unindex(peers.get(id));
				counts.remove(id);
				seen.forget(id);
			}
		});
		tx.countDeltas.forEach((id, delta) -> {
			if (peers.containsKey(id)) {
				counts.merge(id, delta, Integer::sum);
			}
		});
		tx.seen.forEach((id, at) -> {
			peers.computeIfPresent(id, (key, peer) -> at.isAfter(peer.lastSeen()) ? peer.withLastSeen(at) : peer);
		});
		seen.written(tx.seen);
		woken.addAll(tx.woken);
	}

	/**
	 * Shows the peer's new state. Request threads read these maps while the writer
	 * changes them, so the new entries go in first and only the keys the peer no longer
	 * has come out: removing the peer and putting it back left a moment in which a
	 * request of that very peer found it missing (a 404 "no peer named" for its own
	 * heartbeat, or a 401 that made its serve register again), which a loaded machine
	 * stretched enough to fail a test.
	 */
	private void index(StoredPeer before, StoredPeer peer) {
		peers.put(peer.id(), peer);
		if (peer.secretHash() != null) {
			peerIdBySecret.put(peer.secretHash(), peer.id());
		}
		peer.sessionKeys().forEach(key -> peerIdBySessionKey.put(key, peer.id()));
		if (before == null) {
			return;
		}
		if (before.secretHash() != null && !before.secretHash().equals(peer.secretHash())) {
			peerIdBySecret.remove(before.secretHash(), before.id());
		}
		before.sessionKeys()
			.stream()
			.filter(key -> !peer.sessionKeys().contains(key))
			.forEach(key -> peerIdBySessionKey.remove(key, before.id()));
	}

	private void unindex(StoredPeer before) {
		if (before == null) {
			return;
		}
		peers.remove(before.id());
		if (before.secretHash() != null) {
			peerIdBySecret.remove(before.secretHash(), before.id());
		}
		before.sessionKeys().forEach(key -> peerIdBySessionKey.remove(key, before.id()));
	}

	@Override
	public ClaimStore claims() {
		return claims;
	}

	@Override
	public String kind() {
		return "sqlite";
	}

	/** The schema version of the file, after migration. */
	public String schemaVersion() {
		return schemaVersion;
	}

	@Override
	public void onMail(Consumer<String> listener) {
		listeners.add(listener);
	}

	// ---- peers

	@Override
	public Registered register(Registering registering, Supplier<String> newId, NameRule names) {
		return write(tx -> {
			StoredPeer existing = Optional.ofNullable(registering.sessionKey())
				.map(key -> sessionPeer(tx, key))
				.orElse(null);
			RegistrationPlan plan = RegistrationPlan.of(known(tx), existing, registering, newId, names);
			if (plan.renamed() != null) {
				writePeer(tx, plan.renamed(), plan.renamed());
			}
			writePeer(tx, existing, plan.peer());
			if (plan.resumed()) {
				clearHolds(tx, plan.peer().id());
			}
			return plan.registered();
		});
	}

	private StoredPeer sessionPeer(Tx tx, String key) {
		for (StoredPeer changed : tx.peers.values()) {
			if (changed != null && changed.sessionKeys().contains(key)) {
				return changed;
			}
		}
		String id = peerIdBySessionKey.get(key);
		return id == null ? null : tx.peer(id, peers).orElse(null);
	}

	private List<StoredPeer> known(Tx tx) {
		Map<String, StoredPeer> all = new LinkedHashMap<>(peers);
		tx.peers.forEach((id, peer) -> {
			if (peer == null) {
				all.remove(id);
			}
			else {
				all.put(id, peer);
			}
		});
		return List.copyOf(all.values());
	}

	@Override
	public Optional<StoredPeer> peer(String id) {
		return Optional.ofNullable(peers.get(id)).map(this::withSeen);
	}

	@Override
	public Optional<StoredPeer> peerBySecret(String secretHash) {
		return Optional.ofNullable(peerIdBySecret.get(secretHash)).flatMap(this::peer);
	}

	@Override
	public Optional<StoredPeer> peerBySessionKey(String sessionKey) {
		return Optional.ofNullable(peerIdBySessionKey.get(sessionKey)).flatMap(this::peer);
	}

	@Override
	public List<StoredPeer> peers() {
		return peers.values().stream().map(this::withSeen).toList();
	}

	private StoredPeer withSeen(StoredPeer peer) {
		return seen.applied(peer);
	}

	@Override
	public Optional<StoredPeer> touch(String peerId, Instant at) {
		StoredPeer peer = peers.get(peerId);
		if (peer == null) {
			return Optional.empty();
		}
		if (peer.isLive()) {
			seen.saw(peerId, at);
			return peer(peerId);
		}
		// Coming back from away is a change that must survive, unlike a last-seen time.
		return write(tx -> {
			Optional<StoredPeer> current = tx.peer(peerId, peers);
			if (current.isEmpty() || current.get().hasLeft()) {
				return Optional.<StoredPeer>empty();
			}
			StoredPeer back = PeerRules.touched(current.get(), at);
			writePeer(tx, current.get(), back);
			return Optional.of(back);
		});
	}

	@Override
	public Optional<StoredPeer> update(String peerId, PeerUpdate update) {
		return write(tx -> {
			Optional<StoredPeer> current = tx.peer(peerId, peers);
			if (current.isEmpty()) {
				return Optional.<StoredPeer>empty();
			}
			StoredPeer peer = current.get();
			StoredPeer changed = PeerRules.updated(peer, update);
			writePeer(tx, peer, changed);
			return Optional.of(withSeen(changed));
		});
	}

	@Override
	public Optional<StoredPeer> leave(String peerId, Instant at) {
		return write(tx -> {
			Optional<StoredPeer> current = tx.peer(peerId, peers);
			if (current.isEmpty()) {
				return Optional.<StoredPeer>empty();
			}
			StoredPeer away = withSeen(current.get()).away(at, false);
			writePeer(tx, current.get(), away);
			clearHolds(tx, peerId);
			return Optional.of(away);
		});
	}

	@Override
	public Optional<StoredPeer> joinSession(String heirId, String sessionKey, String goneId) {
		return write(tx -> {
			Optional<StoredPeer> found = tx.peer(heirId, peers);
			if (found.isEmpty()) {
				return Optional.<StoredPeer>empty();
			}
			StoredPeer heir = withSeen(found.get());
			StoredPeer gone = goneId == null || goneId.equals(heirId) ? null : tx.peer(goneId, peers).orElse(null);
			if (gone != null) {
				List<Delivery> inbox = new ArrayList<>();
				PreparedStatement select = tx.prepare(SELECT_INBOX + " WHERE recipient_id = ? ORDER BY seq");
				select.setString(1, gone.id());
				try (ResultSet rows = select.executeQuery()) {
					while (rows.next()) {
						inbox.add(Rows.delivery(rows));
					}
				}
				PreparedStatement insert = tx.prepare(INSERT_OR_IGNORE_INBOX);
				for (Delivery delivery : inbox) {
					Rows.bindInbox(insert, ++tx.lastSequence, heir.id(),
							PeerRules.readdressed(delivery.message(), heir));
					tx.addCount(heir.id(), insert.executeUpdate());
				}
				if (!inbox.isEmpty()) {
					tx.woken.add(heir.id());
				}
				for (String column : List.of("delegator", "assignee")) {
					PreparedStatement tasks = tx.prepare("UPDATE task SET " + column + "_id = ?, " + column
							+ "_name = ? WHERE " + column + "_id = ?");
					tasks.setString(1, heir.id());
					tasks.setString(2, heir.name());
					tasks.setString(3, gone.id());
					tasks.executeUpdate();
				}
				forget(tx, gone, false);
			}
			StoredPeer joined = PeerRules.joined(heir, gone, sessionKey);
			writePeer(tx, heir, joined);
			return Optional.of(joined);
		});
	}

	@Override
	public Map<String, Integer> unreadCounts() {
		return Map.copyOf(counts);
	}

	@Override
	public int unreadCount(String peerId) {
		return counts.getOrDefault(peerId, 0);
	}

	// ---- inboxes

	@Override
	public List<Appended> append(List<Message> messages, int maxUnread) {
		if (messages.isEmpty()) {
			return List.of();
		}
		return write(tx -> appendIn(tx, messages, maxUnread));
	}

	private List<Appended> appendIn(Tx tx, List<Message> messages, int maxUnread) throws SQLException {
		List<Appended> outcomes = new ArrayList<>(messages.size());
		PreparedStatement insert = null;
		for (Message message : messages) {
			String to = message.toId();
			if (to == null || tx.peer(to, peers).isEmpty()) {
				outcomes.add(new Appended(message, Appended.Outcome.GONE, 0));
			}
			else if (tx.count(to, counts) >= maxUnread) {
				outcomes.add(new Appended(message, Appended.Outcome.FULL, 0));
			}
			else {
				if (insert == null) {
					insert = tx.prepare(INSERT_INBOX);
				}
				long sequence = ++tx.lastSequence;
				Rows.bindInbox(insert, sequence, to, message);
				insert.addBatch();
				oldestSentAt = Math.min(oldestSentAt, Rows.nanos(message.sentAt()));
				tx.addCount(to, 1);
				tx.woken.add(to);
				outcomes.add(new Appended(message, Appended.Outcome.APPENDED, sequence));
			}
		}
		if (insert != null) {
			insert.executeBatch();
		}
		return outcomes;
	}

	@Override
	public List<Delivery> unread(String peerId, boolean includeHeld) {
		return read(reader -> {
			PreparedStatement select = reader.prepare(
					SELECT_INBOX + " WHERE recipient_id = ?" + (includeHeld ? "" : " AND held = 0") + " ORDER BY seq");
			select.setString(1, peerId);
			return Rows.deliveries(select);
		});
	}

	@Override
	public List<Delivery> unreadAfter(String peerId, long sequence, int max) {
		return read(reader -> {
			PreparedStatement select = reader
				.prepare(SELECT_INBOX + " WHERE recipient_id = ? AND seq > ? ORDER BY seq LIMIT ?");
			select.setString(1, peerId);
			select.setLong(2, sequence);
			select.setInt(3, max);
			return Rows.deliveries(select);
		});
	}

	@Override
	public int hold(String peerId, Collection<String> messageIds) {
		return setHeld(peerId, messageIds, true);
	}

	@Override
	public int release(String peerId, Collection<String> messageIds) {
		return setHeld(peerId, messageIds, false);
	}

	private int setHeld(String peerId, Collection<String> messageIds, boolean held) {
		if (messageIds.isEmpty()) {
			return 0;
		}
		return write(tx -> {
			PreparedStatement update = tx
				.prepare("UPDATE inbox SET held = ? WHERE recipient_id = ? AND id = ? AND held = ?");
			int changed = 0;
			for (String id : new HashSet<>(messageIds)) {
				if (id == null) {
					continue;
				}
				update.setInt(1, held ? 1 : 0);
				update.setString(2, peerId);
				update.setString(3, id);
				update.setInt(4, held ? 0 : 1);
				changed += update.executeUpdate();
			}
			return changed;
		});
	}

	@Override
	public Set<String> held(String peerId) {
		return read(reader -> {
			PreparedStatement select = reader.prepare("SELECT id FROM inbox WHERE recipient_id = ? AND held = 1");
			select.setString(1, peerId);
			Set<String> ids = new HashSet<>();
			try (ResultSet rows = select.executeQuery()) {
				while (rows.next()) {
					ids.add(rows.getString(1));
				}
			}
			return Set.copyOf(ids);
		});
	}

	@Override
	public AcknowledgementResult acknowledge(String peerId, Collection<String> messageIds) {
		if (messageIds.isEmpty()) {
			return new AcknowledgementResult(0, unreadCount(peerId));
		}
		return write(tx -> {
			PreparedStatement delete = tx.prepare("DELETE FROM inbox WHERE recipient_id = ? AND id = ?");
			int acknowledged = 0;
			for (String id : new HashSet<>(messageIds)) {
				if (id == null) {
					continue;
				}
				delete.setString(1, peerId);
				delete.setString(2, id);
				acknowledged += delete.executeUpdate();
			}
			tx.addCount(peerId, -acknowledged);
			return new AcknowledgementResult(acknowledged, Math.max(0, tx.count(peerId, counts)));
		});
	}

	@Override
	public List<Message> sentUnread(String senderId) {
		return read(reader -> {
			PreparedStatement select = reader.prepare(SELECT_INBOX + " WHERE from_id = ? ORDER BY sent_at, seq");
			select.setString(1, senderId);
			return Rows.deliveries(select).stream().map(Delivery::message).toList();
		});
	}

	// ---- topics

	@Override
	public Optional<StoredPeer> subscribe(String peerId, String topic) {
		return write(tx -> {
			Optional<StoredPeer> current = tx.peer(peerId, peers);
			if (current.isEmpty()) {
				return Optional.<StoredPeer>empty();
			}
			StoredPeer subscribed = PeerRules.subscribed(current.get(), topic);
			writePeer(tx, current.get(), subscribed);
			return Optional.of(subscribed);
		});
	}

	@Override
	public boolean unsubscribe(String peerId, String topic) {
		return write(tx -> {
			Optional<StoredPeer> current = tx.peer(peerId, peers);
			if (current.isEmpty() || !current.get().topics().contains(topic)) {
				return false;
			}
			writePeer(tx, current.get(), PeerRules.unsubscribed(current.get(), topic));
			return true;
		});
	}

	// ---- tasks

	@Override
	public Appended delegate(StoredTask task, Message assignment, int maxUnread) {
		return write(tx -> {
			Appended outcome = appendIn(tx, List.of(assignment), maxUnread).get(0);
			if (outcome.isAppended()) {
				writeTask(tx, task, true);
			}
			return outcome;
		});
	}

	@Override
	public Optional<StoredTask> report(String taskId, String assigneeId, TaskStatus status, String result, Instant at,
			Message notice) {
		return write(tx -> {
			PreparedStatement select = tx.prepare(SELECT_TASK + " WHERE id = ?");
			select.setString(1, taskId);
			List<StoredTask> found = tasks(select);
			if (found.isEmpty() || found.get(0).status() != TaskStatus.PENDING
					|| !found.get(0).assigneeId().equals(assigneeId)) {
				return Optional.<StoredTask>empty();
			}
			StoredTask finished = found.get(0).finished(status, result, at);
			writeTask(tx, finished, false);
			appendIn(tx, List.of(notice), Integer.MAX_VALUE);
			return Optional.of(finished);
		});
	}

	private static final String SELECT_TASK = "SELECT id, delegator_id, delegator_name, assignee_id, assignee_name,"
			+ " description, context, status, result, created_at, finished_at FROM task";

	@Override
	public Optional<StoredTask> task(String taskId) {
		return read(reader -> {
			PreparedStatement select = reader.prepare(SELECT_TASK + " WHERE id = ?");
			select.setString(1, taskId);
			return tasks(select).stream().findFirst();
		});
	}

	@Override
	public List<StoredTask> tasks() {
		return read(reader -> tasks(reader.prepare(SELECT_TASK + " ORDER BY rowid")));
	}

	private static List<StoredTask> tasks(PreparedStatement select) throws SQLException {
		List<StoredTask> tasks = new ArrayList<>();
		try (ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				tasks.add(new StoredTask(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
						rows.getString(5), rows.getString(6), rows.getString(7), TaskStatus.parse(rows.getString(8)),
						rows.getString(9), Rows.instant(rows, 10), Rows.instant(rows, 11)));
			}
		}
		return tasks;
	}

	private static void writeTask(Tx tx, StoredTask task, boolean created) throws SQLException {
		PreparedStatement statement = tx.prepare(created
				? "INSERT INTO task (id, delegator_id, delegator_name, assignee_id, assignee_name, description,"
						+ " context, status, result, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
				: "UPDATE task SET id = ?, delegator_id = ?, delegator_name = ?, assignee_id = ?, assignee_name = ?,"
						+ " description = ?, context = ?, status = ?, result = ?, created_at = ?, finished_at = ?"
						+ " WHERE id = ?");
		statement.setString(1, task.id());
		statement.setString(2, task.delegatorId());
		statement.setString(3, task.delegatorName());
		statement.setString(4, task.assigneeId());
		statement.setString(5, task.assigneeName());
		statement.setString(6, task.description());
		statement.setString(7, task.context());
		statement.setString(8, task.status().wireName());
		statement.setString(9, task.result());
		Rows.setInstant(statement, 10, task.createdAt());
		Rows.setInstant(statement, 11, task.finishedAt());
		if (!created) {
			statement.setString(12, task.id());
		}
		statement.executeUpdate();
	}

	// ---- liveness and expiry

	@Override
	public List<StoredPeer> removeSilent(Instant silentSince, Instant at) {
		boolean due = peers().stream().anyMatch(peer -> peer.isLive() && peer.lastSeen().isBefore(silentSince));
		if (!due && seen.isEmpty()) {
			return List.of();
		}
		// Also the commit that writes the last-seen times of an otherwise quiet broker.
		return write(tx -> {
			List<StoredPeer> removed = new ArrayList<>();
			for (StoredPeer peer : known(tx)) {
				StoredPeer current = withSeen(peer);
				if (current.isLive() && current.lastSeen().isBefore(silentSince)) {
					StoredPeer away = current.away(at, true);
					writePeer(tx, peer, away);
					clearHolds(tx, peer.id());
					removed.add(away);
				}
			}
			return removed;
		});
	}

	/**
	 * The inbox has no index by time: expiry scans it, when {@link #oldestSentAt} says
	 * so.
	 */
	private static final String EXPIRED_SQL = "sent_at < ?";

	@Override
	public List<StoredPeer> expire(Instant awayBefore, Instant sentBefore) {
		boolean forget = peers.values().stream().anyMatch(p -> !p.isLive() && p.awaySince().isBefore(awayBefore));
		boolean stale = oldestSentAt < Rows.nanos(sentBefore);
		if (!forget && !stale) {
			return List.of();
		}
		return write(tx -> {
			List<StoredPeer> forgotten = new ArrayList<>();
			for (StoredPeer peer : known(tx)) {
				if (!peer.isLive() && peer.awaySince().isBefore(awayBefore)) {
					forget(tx, peer, true);
					forgotten.add(peer);
				}
			}
			if (stale) {
				PreparedStatement counted = tx.prepare(
						"SELECT recipient_id, count(*) FROM inbox WHERE " + EXPIRED_SQL + " GROUP BY recipient_id");
				counted.setLong(1, Rows.nanos(sentBefore));
				try (ResultSet rows = counted.executeQuery()) {
					while (rows.next()) {
						tx.addCount(rows.getString(1), -rows.getInt(2));
					}
				}
				moveToExpired(tx, EXPIRED_SQL, statement -> statement.setLong(1, Rows.nanos(sentBefore)));
				oldestSentAt = oldestSentAt(tx.connection());
			}
			return forgotten;
		});
	}

	/** Forgets a peer; its unread mail becomes expired (or, for an heir, was moved). */
	private void forget(Tx tx, StoredPeer peer, boolean expireInbox) throws SQLException {
		if (expireInbox) {
			moveToExpired(tx, "recipient_id = ?", statement -> statement.setString(1, peer.id()));
		}
		else {
			PreparedStatement delete = tx.prepare("DELETE FROM inbox WHERE recipient_id = ?");
			delete.setString(1, peer.id());
			delete.executeUpdate();
		}
		for (String sql : List.of("DELETE FROM peer WHERE id = ?", "DELETE FROM subscription WHERE peer_id = ?",
				"DELETE FROM session_key WHERE peer_id = ?")) {
			PreparedStatement delete = tx.prepare(sql);
			delete.setString(1, peer.id());
			delete.executeUpdate();
		}
		tx.peers.put(peer.id(), null);
		tx.countDeltas.remove(peer.id());
	}

	private interface Binder {

		void bind(PreparedStatement statement) throws SQLException;

	}

	private static void moveToExpired(Tx tx, String where, Binder binder) throws SQLException {
		PreparedStatement copy = tx.prepare("INSERT INTO expired (seq, recipient_id, " + MESSAGE_COLUMNS
				+ ") SELECT seq, recipient_id, " + MESSAGE_COLUMNS + " FROM inbox WHERE " + where);
		binder.bind(copy);
		copy.executeUpdate();
		PreparedStatement delete = tx.prepare("DELETE FROM inbox WHERE " + where);
		binder.bind(delete);
		delete.executeUpdate();
	}

	@Override
	public List<Expired> expired(int max) {
		return read(reader -> {
			PreparedStatement select = reader
				.prepare("SELECT seq, " + MESSAGE_COLUMNS + ", recipient_id FROM expired ORDER BY seq LIMIT ?");
			select.setInt(1, max);
			List<Expired> expired = new ArrayList<>();
			try (ResultSet rows = select.executeQuery()) {
				while (rows.next()) {
					expired.add(new Expired(rows.getString(12), Rows.delivery(rows).message()));
				}
			}
			return expired;
		});
	}

	@Override
	public boolean settleExpired(Collection<Expired> settled, List<Message> notices) {
		return write(tx -> {
			PreparedStatement delete = tx.prepare("DELETE FROM expired WHERE recipient_id = ? AND id = ?");
			for (Expired expired : settled) {
				delete.setString(1, expired.recipientId());
				delete.setString(2, expired.message().id());
				delete.addBatch();
			}
			delete.executeBatch();
			appendIn(tx, notices, Integer.MAX_VALUE);
			return true;
		});
	}

	// ---- writing peers

	/**
	 * Writes a changed peer in the batch's transaction: its row, and its topics and
	 * session keys when they changed. The cache shows it once committed.
	 */
	private void writePeer(Tx tx, StoredPeer before, StoredPeer peer) throws SQLException {
		PreparedStatement upsert = tx.prepare("INSERT OR REPLACE INTO peer (id, name, wanted_name, registered_at, pid,"
				+ " cwd, repo, branch, summary, client_pid, delivery, hooks_seen, secret_hash, last_seen, away_since)"
				+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		upsert.setString(1, peer.id());
		upsert.setString(2, peer.name());
		upsert.setString(3, peer.wantedName());
		Rows.setInstant(upsert, 4, peer.registeredAt());
		Rows.setLong(upsert, 5, peer.pid());
		upsert.setString(6, peer.cwd());
		upsert.setString(7, peer.repo());
		upsert.setString(8, peer.branch());
		upsert.setString(9, peer.summary());
		Rows.setLong(upsert, 10, peer.clientPid());
		upsert.setString(11, peer.delivery());
		upsert.setInt(12, peer.hooksSeen() ? 1 : 0);
		upsert.setString(13, peer.secretHash());
		Rows.setInstant(upsert, 14, peer.lastSeen());
		Rows.setInstant(upsert, 15, peer.awaySince());
		upsert.executeUpdate();
		if (before == null || !before.topics().equals(peer.topics())) {
			replaceAll(tx, "subscription", "topic", peer.id(), peer.topics());
		}
		if (before == null || !before.sessionKeys().equals(peer.sessionKeys())) {
			replaceAll(tx, "session_key", "session_key", peer.id(), peer.sessionKeys());
		}
		tx.peers.put(peer.id(), peer);
	}

	private static void replaceAll(Tx tx, String table, String column, String peerId, List<String> values)
			throws SQLException {
		PreparedStatement delete = tx.prepare("DELETE FROM " + table + " WHERE peer_id = ?");
		delete.setString(1, peerId);
		delete.executeUpdate();
		PreparedStatement insert = tx
			.prepare("INSERT OR REPLACE INTO " + table + " (peer_id, " + column + ") VALUES (?, ?)");
		for (String value : values) {
			insert.setString(1, peerId);
			insert.setString(2, value);
			insert.executeUpdate();
		}
	}

	private static void clearHolds(Tx tx, String peerId) throws SQLException {
		PreparedStatement update = tx.prepare("UPDATE inbox SET held = 0 WHERE recipient_id = ? AND held = 1");
		update.setString(1, peerId);
		update.executeUpdate();
	}

	// ---- reading

	interface Read<T> {

		T run(Reader reader) throws SQLException;

	}

	/** A read-only connection with its prepared statements. */
	record Reader(Connection connection, Map<String, PreparedStatement> statements) {

		Reader(Connection connection) {
			this(connection, new HashMap<>());
		}

		PreparedStatement prepare(String sql) throws SQLException {
			PreparedStatement statement = statements.get(sql);
			if (statement == null) {
				statement = connection.prepareStatement(sql);
				statements.put(sql, statement);
			}
			return statement;
		}

	}

	<T> T read(Read<T> read) {
		Reader reader;
		try {
			reader = readers.take();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreUnavailableException("Interrupted while waiting to read the store.", ex);
		}
		try {
			return read.run(reader);
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
		finally {
			readers.add(reader);
		}
	}

	/** The 503 sentence for an SQLite failure. */
	static StoreUnavailableException unavailable(SQLException ex) {
		String why = "it failed (" + Schema.rootMessage(ex) + ")";
		if (ex instanceof SQLiteException sqlite) {
			SQLiteErrorCode code = sqlite.getResultCode();
			String name = code == null ? "" : code.name();
			if (name.startsWith("SQLITE_FULL")) {
				why = "the disk is full";
			}
			else if (name.startsWith("SQLITE_READONLY")) {
				why = "its file is read-only";
			}
			else if (name.startsWith("SQLITE_IOERR")) {
				why = "the disk reported an I/O error";
			}
			else if (name.startsWith("SQLITE_CORRUPT") || name.startsWith("SQLITE_NOTADB")) {
				why = "its file is damaged";
			}
		}
		return new StoreUnavailableException("The broker cannot store anything right now: " + why
				+ ". Nothing was changed; what it holds is kept. Retry once MYCELIUM_HOME has room and is writable.",
				ex);
	}

	@Override
	public void close() {
		commits.close();
		for (Reader reader : readers) {
			closeQuietly(reader.connection());
		}
		try (Statement statement = writer.createStatement()) {
			// The high-water mark of sequence numbers is written here, not with every
			// commit (one page less per commit): after a crash the next broker may give
			// again a number of a message that was read and removed, which no reader can
			// hold against it, since push streams resume only within one broker's run.
			statement.executeUpdate("UPDATE meta SET value = " + lastSequence + " WHERE key = 'last_seq'");
			writer.commit();
			// Leaves one self-contained file behind after a clean stop.
			statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		}
		catch (SQLException ex) {
			log.warn("Could not checkpoint {}: {}", file, ex.getMessage());
		}
		closeQuietly(writer);
	}

	private static void closeQuietly(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			log.warn("Closing a connection to the store failed: {}", ex.getMessage());
		}
	}

}
