package dev.mycelium.broker.store.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.ClaimStore;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.broker.store.Expired;
import dev.mycelium.broker.store.NameRule;
import dev.mycelium.broker.store.PeerRules;
import dev.mycelium.broker.store.PendingSeen;
import dev.mycelium.broker.store.Registered;
import dev.mycelium.broker.store.Registering;
import dev.mycelium.broker.store.RegistrationPlan;
import dev.mycelium.broker.store.StoreRefusedException;
import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.TaskStatus;

/**
 * One Redis shared by the brokers of several machines ({@code MYCELIUM_REDIS_URL}).
 * <p>
 * Inboxes are streams whose entry ids are {@code 0-<sequence>}, so the sequence a push
 * stream resumes from is the entry's own id; an index per inbox maps message ids to
 * entries, and acknowledging deletes the entry. Every step that touches more than one key
 * is a Lua script, atomic in Redis: an append to N inboxes with the per-inbox limit, a
 * task with its message, a report, holds, expiry with its notices.
 * <p>
 * Peers are few and read on every request, so each broker keeps them in memory as of a
 * revision number. A change of peers (registration with its name claim, leaving,
 * liveness, adoption of a session's mail) is computed here from that copy, with the same
 * rules as the other stores, and committed by one script only if the revision is still
 * the same; otherwise the broker reads the peers again and computes again. Each commit
 * publishes the new revision, and each append the inboxes that got mail, so the other
 * brokers refresh their copy and wake their readers ({@link #onMail}) within
 * milliseconds. Last-seen times are kept here and written once a second, like the SQLite
 * store's.
 * <p>
 * Durability is Redis's: with {@code appendonly yes} an acknowledged step survives a
 * restart of Redis ({@code appendfsync always}: power loss too). When Redis cannot be
 * reached, every step throws {@link StoreUnavailableException} (a 503 to the sender) and
 * the client reconnects by itself.
 */
public final class RedisStore implements BrokerStore {

	private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

	/** Every key starts with it: a Redis database may hold other things. */
	static final String PREFIX = "mycelium:";

	/** The layout of the keys; a newer mycelium that changes it bumps it. */
	static final int LAYOUT = 1;

	private static final Duration TIMEOUT = Duration.ofSeconds(3);

	/** Commits tried before a change gives up: only under a storm of peer changes. */
	private static final int ATTEMPTS = 50;

	private static final String[] NO_KEYS = new String[0];

	private final String address;

	private final ClientResources resources;

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private final RedisCommands<String, String> redis;

	private final StatefulRedisPubSubConnection<String, String> pubsub;

	/** This broker in what it publishes: its own echoes are skipped. */
	private final String instance = HexFormat.of().formatHex(randomBytes());

	/**
	 * Listeners are told on a thread of their own: pub/sub messages arrive on Lettuce's
	 * event loop, which must never wait for Redis, and a listener may read the inbox.
	 */
	private final ExecutorService signalling = Executors.newSingleThreadExecutor(runnable -> {
		Thread thread = new Thread(runnable, "mycelium-redis-mail");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<String>> eventListeners = new CopyOnWriteArrayList<>();

	private final Map<String, Script> scripts = new ConcurrentHashMap<>();

	private final RedisClaims claims = new RedisClaims(this);

	private final Object reloading = new Object();

	private final Object committing = new Object();

	private volatile Snapshot snapshot = Snapshot.EMPTY;

	/** The newest revision of the peers this broker heard of. */
	private final AtomicLong newestRevision = new AtomicLong(-1);

	/** Set when pub/sub (re)connects: what was published meanwhile was missed. */
	private volatile boolean resync = true;

	/** Last-seen times of every peer, as Redis had them at the last look (each sweep). */
	private volatile Map<String, Instant> seenStored = Map.of();

	/** A peer silent this long gets its next sign of life written at once. */
	private static final Duration QUIET = Duration.ofSeconds(10);

	/** The last sign of life of each peer written at once, not by the sweep. */
	private final Map<String, Instant> seenEagerly = new ConcurrentHashMap<>();

	/** Signs of life seen here and not yet written (once a second). */
	private final PendingSeen seenHere = new PendingSeen();

	private RedisStore(RedisURI uri, Path trustedCertificates) {
		this.address = uri.getHost() + ":" + uri.getPort() + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
		uri.setTimeout(TIMEOUT);
		this.resources = ClientResources.builder()
			.ioThreadPoolSize(2)
			.computationThreadPoolSize(1)
			// Back within a second of Redis returning, rather than Lettuce's 30 s at
			// most.
			.reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
			.build();
		this.client = RedisClient.create(resources, uri);
		ClientOptions.Builder options = ClientOptions.builder()
			.autoReconnect(true)
			// While Redis is away, a step fails at once (a 503) instead of waiting in a
			// queue for a reconnection that may not come within the request.
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
			// TCP keep-alive after 30 s of silence, not the system's two hours: the
			// pub/sub connection only listens, and a link that died half-open (a NAT
			// that forgot it, a host gone) would otherwise wake nobody here for hours.
			.socketOptions(SocketOptions.builder()
				.connectTimeout(TIMEOUT)
				.keepAlive(SocketOptions.KeepAliveOptions.builder()
					.enable()
					.idle(Duration.ofSeconds(30))
					.interval(Duration.ofSeconds(10))
					.count(3)
					.build())
				.build());
		if (uri.isSsl()) {
			SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
			if (trustedCertificates != null) {
				ssl.trustManager(trustedCertificates.toFile());
			}
			options.sslOptions(ssl.build());
		}
		client.setOptions(options.build());
		StatefulRedisConnection<String, String> commands = null;
		StatefulRedisPubSubConnection<String, String> subscriber = null;
		try {
			commands = client.connect(StringCodec.UTF8);
			subscriber = client.connectPubSub(StringCodec.UTF8);
		}
		catch (RedisException ex) {
			closeQuietly(commands, subscriber);
			client.shutdown();
			resources.shutdown();
			String why = rootMessage(ex);
			if (why.startsWith("WRONGPASS") || why.startsWith("NOAUTH") || why.startsWith("NOPERM")) {
				throw new StoreRefusedException("The broker cannot use its Redis at " + address + ": " + why
						+ ". Check the user and password in MYCELIUM_REDIS_URL (redis://user:password@host:port).", ex);
			}
			throw new StoreRefusedException("The broker cannot reach its Redis at " + address + ": " + why
					+ ". Start Redis or check MYCELIUM_REDIS_URL (redis://[user:password@]host:port[/database],"
					+ " rediss:// for TLS, MYCELIUM_REDIS_CA for its certificate).", ex);
		}
		this.connection = commands;
		this.redis = commands.sync();
		this.pubsub = subscriber;
	}

	/**
	 * Connects to the Redis of {@code url}, checks that its keys are of a layout this
	 * broker knows and subscribes to the other brokers' news.
	 * @param trustedCertificates PEM certificates to trust for {@code rediss://}, or
	 * {@code null} for the JVM's trust store
	 */
	public static RedisStore open(String url, Path trustedCertificates) {
		RedisURI uri;
		try {
			uri = RedisURI.create(url);
		}
		catch (RuntimeException ex) {
			// Never repeat the URL: it may hold a password.
			throw new StoreRefusedException("MYCELIUM_REDIS_URL is not a Redis URL (" + ex.getClass().getSimpleName()
					+ "): use redis://[user:password@]host:port[/database], or rediss:// for TLS.", ex);
		}
		RedisStore store = new RedisStore(uri, trustedCertificates);
		try {
			store.start();
		}
		catch (RuntimeException ex) {
			store.close();
			throw ex;
		}
		return store;
	}

	private void start() {
		try {
			String version = serverVersion();
			if (version != null && Integer.parseInt(version.substring(0, version.indexOf('.'))) < 7) {
				// XADD <inbox> 0-* (the next sequence of an inbox) came with Redis 7.0.
				throw new StoreRefusedException("The Redis at " + address + " is version " + version
						+ "; mycelium needs Redis 7.0 or newer. Nothing was changed.");
			}
			redis.setnx(PREFIX + "layout", String.valueOf(LAYOUT));
			String layout = redis.get(PREFIX + "layout");
			if (!String.valueOf(LAYOUT).equals(layout)) {
				throw new StoreRefusedException("The Redis at " + address + " holds mycelium keys of layout " + layout
						+ " (this broker knows " + LAYOUT + "): run the mycelium of the other brokers, or use"
						+ " another database (redis://host:port/<n>). Nothing was changed.");
			}
			pubsub.addListener(new News());
			pubsub.sync().subscribe(PREFIX + "mail", PREFIX + "peers", PREFIX + "events");
			Snapshot loaded = reload();
			log.info("Store: redis at {} (layout {}{}): {} peers, {} unread messages", address, LAYOUT, durability(),
					loaded.peers().size(), unreadCounts().values().stream().mapToInt(Integer::intValue).sum());
		}
		catch (RedisException ex) {
			throw new StoreRefusedException("The broker cannot use its Redis at " + address + ": " + rootMessage(ex)
					+ ". Check MYCELIUM_REDIS_URL (the password or ACL user, the database).", ex);
		}
	}

	/**
	 * The server's version, from {@code INFO server}; {@code null} if it does not say (an
	 * ACL user may not be allowed {@code INFO}: then an older Redis fails at the first
	 * append instead).
	 */
	private String serverVersion() {
		try {
			return redis.info("server")
				.lines()
				.filter(line -> line.startsWith("redis_version:"))
				.map(line -> line.substring("redis_version:".length()).strip())
				.filter(v -> v.matches("\\d+\\..*"))
				.findFirst()
				.orElse(null);
		}
		catch (RedisCommandExecutionException ex) {
			return null;
		}
	}

	/**
	 * What Redis says of its persistence, for the log: without the append-only file a
	 * restart of Redis loses what it acknowledged, and an eviction policy other than
	 * {@code noeviction} may drop mail when memory runs short.
	 */
	private String durability() {
		try {
			Map<String, String> config = new HashMap<>();
			for (String name : List.of("appendonly", "appendfsync", "maxmemory-policy")) {
				config.putAll(redis.configGet(name));
			}
			if (!"yes".equals(config.get("appendonly"))) {
				log.warn("Redis at {} runs without its append-only file (appendonly {}): a restart of Redis loses"
						+ " what the brokers acknowledged. Set appendonly yes (appendfsync everysec or always).",
						address, config.get("appendonly"));
			}
			String policy = config.get("maxmemory-policy");
			if (policy != null && !policy.equals("noeviction")) {
				log.warn(
						"Redis at {} may evict keys (maxmemory-policy {}): mail could vanish when memory runs short."
								+ " Set maxmemory-policy noeviction: a full Redis then refuses sends (503).",
						address, policy);
			}
			return ", appendonly " + config.get("appendonly") + " " + config.get("appendfsync");
		}
		catch (RedisException ex) {
			// CONFIG may be renamed or forbidden to this user: the log says so, no more.
			return ", its configuration unknown (" + rootMessage(ex) + ")";
		}
	}

	@Override
	public ClaimStore claims() {
		return claims;
	}

	@Override
	public String kind() {
		return "redis";
	}

	@Override
	public void onMail(Consumer<String> listener) {
		listeners.add(listener);
	}

	@Override
	public boolean sharedWithOtherBrokers() {
		return true;
	}

	/**
	 * Published without waiting for the answer: an event is for people watching, and a
	 * request never waits for it. While Redis is away the publish fails at once and the
	 * event is missing from the other brokers' streams.
	 */
	@Override
	public void shareEvent(String event) {
		try {
			connection.async().publish(PREFIX + "events", instance + " " + event);
		}
		catch (RedisException ex) {
			log.debug("An event was not shared: {}", rootMessage(ex));
		}
	}

	@Override
	public void onSharedEvent(Consumer<String> listener) {
		eventListeners.add(listener);
	}

	private void tell(Collection<String> peerIds) {
		for (String peerId : peerIds) {
			for (Consumer<String> listener : listeners) {
				listener.accept(peerId);
			}
		}
	}

	/** What the other brokers publish. */
	private final class News extends RedisPubSubAdapter<String, String> {

		@Override
		public void message(String channel, String message) {
			int space = message.indexOf(' ');
			if (space < 0 || message.startsWith(instance + " ")) {
				return;
			}
			String news = message.substring(space + 1);
			if (channel.endsWith(":events")) {
				signalling.execute(() -> eventListeners.forEach(listener -> listener.accept(news)));
			}
			else if (channel.endsWith(":peers")) {
				newestRevision.accumulateAndGet(Long.parseLong(news.trim()), Math::max);
			}
			else {
				List<String> peerIds = List.of(news.split(" "));
				signalling.execute(() -> tell(peerIds));
			}
		}

		/**
		 * Whether the mail channel was subscribed before: the first subscription comes
		 * before the store's first read, so nothing was missed that a reader should look
		 * for. Told anyway, it woke the long-polls of peers registered meanwhile with no
		 * mail (it arrives on Lettuce's thread, after the store opened), as a contract
		 * test caught once.
		 */
		private final AtomicBoolean mailSubscribedBefore = new AtomicBoolean();

		@Override
		public void subscribed(String channel, long count) {
			// Also after a reconnection: whatever was published meanwhile was missed, so
			// read the peers again and let every reader look at its inbox.
			resync = true;
			if (channel.endsWith(":mail") && mailSubscribedBefore.getAndSet(true)) {
				signalling.execute(() -> tell(snapshot.peers().keySet()));
			}
		}

	}

	// ---- peers as of a revision

	/**
	 * The peers as far as this broker heard: read again when another broker changed them.
	 */
	private Snapshot current() {
		Snapshot known = snapshot;
		return resync || known.revision() < newestRevision.get() ? reload() : known;
	}

	/** The peers as of now: asks Redis for the revision first. */
	private Snapshot checked() {
		String revision = call(() -> redis.get(PREFIX + "rev"));
		newestRevision.accumulateAndGet(revision == null ? 0 : Long.parseLong(revision), Math::max);
		return current();
	}

	private Snapshot reload() {
		synchronized (reloading) {
			Snapshot known = snapshot;
			boolean forced = resync;
			if (!forced && known.revision() >= newestRevision.get()) {
				return known;
			}
			resync = false;
			List<Object> answer;
			try {
				answer = eval("snapshot", ScriptOutputType.MULTI, List.of());
			}
			catch (RuntimeException ex) {
				// Read again next time: what made it forced still holds.
				if (forced) {
					resync = true;
				}
				throw ex;
			}
			long revision = Long.parseLong((String) answer.get(0));
			Map<String, StoredPeer> peers = new HashMap<>();
			List<?> flat = (List<?>) answer.get(1);
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				StoredPeer peer = Codec.peer((String) flat.get(i + 1));
				peers.put(peer.id(), peer);
			}
			seenStored = seen((List<?>) answer.get(2));
			// After a reconnection the revision may even be lower (a Redis restored from
			// an older file): what Redis holds wins.
			install(Snapshot.of(revision, peers), forced);
			newestRevision.accumulateAndGet(revision, Math::max);
			return snapshot;
		}
	}

	private static Map<String, Instant> seen(List<?> flat) {
		Map<String, Instant> seen = new HashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			seen.put((String) flat.get(i), Codec.fromMicros(Double.parseDouble(String.valueOf(flat.get(i + 1)))));
		}
		return seen;
	}

	/** Never goes back to an older revision, unless Redis itself did. */
	private void install(Snapshot next, boolean forced) {
		synchronized (this) {
			if (forced || next.revision() > snapshot.revision()) {
				snapshot = next;
			}
		}
	}

	/** The peer with its newest sign of life, wherever it was seen. */
	private StoredPeer withSeen(StoredPeer peer) {
		Instant seen = latest(peer.lastSeen(), seenStored.get(peer.id()), seenHere.of(peer.id()));
		return seen.equals(peer.lastSeen()) ? peer : peer.withLastSeen(seen);
	}

	/** The latest of {@code first} and those of {@code others} that are there. */
	private static Instant latest(Instant first, Instant... others) {
		Instant latest = first;
		for (Instant other : others) {
			if (other != null && other.isAfter(latest)) {
				latest = other;
			}
		}
		return latest;
	}

	/** A peer by id, asking Redis whether it is new before saying there is none. */
	private StoredPeer find(String id) {
		StoredPeer peer = current().peers().get(id);
		return peer != null ? peer : checked().peers().get(id);
	}

	@Override
	public Optional<StoredPeer> peer(String id) {
		return Optional.ofNullable(find(id)).map(this::withSeen);
	}

	@Override
	public Optional<StoredPeer> peerBySecret(String secretHash) {
		String id = current().bySecret().get(secretHash);
		if (id == null) {
			id = checked().bySecret().get(secretHash);
		}
		return id == null ? Optional.empty() : peer(id);
	}

	@Override
	public Optional<StoredPeer> peerBySessionKey(String sessionKey) {
		StoredPeer peer = current().bySessionKey(sessionKey);
		if (peer == null) {
			peer = checked().bySessionKey(sessionKey);
		}
		return Optional.ofNullable(peer).map(this::withSeen);
	}

	@Override
	public List<StoredPeer> peers() {
		return checked().peers().values().stream().map(this::withSeen).toList();
	}

	// ---- changes of peers

	/**
	 * Computes a change from the peers as this broker knows them and commits it if no
	 * other broker changed a peer meanwhile; else reads them again and computes again.
	 */
	private <T> T change(Function<Snapshot, Change<T>> step) {
		// Optimistic between brokers, one at a time within this one: threads of one
		// broker would otherwise mostly make each other read every peer again.
		List<String> woken = new ArrayList<>();
		T result;
		synchronized (committing) {
			result = commit(step, woken);
		}
		// Outside the lock: a listener may complete readers that go to the store.
		tell(woken);
		return result;
	}

	private <T> T commit(Function<Snapshot, Change<T>> step, List<String> woken) {
		Snapshot known = current();
		for (int attempt = 1;; attempt++) {
			Change<T> change = step.apply(known);
			if (change.steps().args.isEmpty()) {
				return change.result();
			}
			List<String> args = new ArrayList<>(change.steps().args.size() + 1);
			args.add(Long.toString(known.revision()));
			args.addAll(change.steps().args);
			List<Object> answer = eval("commit", ScriptOutputType.MULTI, args);
			long revision = (Long) answer.get(1);
			if ((Long) answer.get(0) == 1) {
				install(known.with(change.steps().changed, revision), false);
				newestRevision.accumulateAndGet(revision, Math::max);
				answer.subList(2, answer.size()).forEach(peer -> woken.add((String) peer));
				return change.result();
			}
			if (attempt == ATTEMPTS) {
				throw new StoreUnavailableException("The broker could not change the peers in its Redis at " + address
						+ ": other brokers changed them " + ATTEMPTS + " times meanwhile. Nothing was changed; retry.",
						null);
			}
			// Changed meanwhile, or a guard failed (a sign of life written since): look
			// again, last-seen times included.
			newestRevision.accumulateAndGet(revision, Math::max);
			resync = true;
			known = reload();
		}
	}

	@Override
	public Registered register(Registering registering, Supplier<String> newId, NameRule names) {
		return change(known -> {
			StoredPeer existing = registering.sessionKey() == null ? null
					: known.bySessionKey(registering.sessionKey());
			RegistrationPlan plan = RegistrationPlan.of(known.peers().values(), existing, registering, newId, names);
			Steps steps = new Steps();
			if (plan.renamed() != null) {
				steps.put(plan.renamed());
			}
			StoredPeer peer = plan.peer();
			steps.put(peer);
			if (plan.resumed()) {
				// What the old serve held for its own delivery it will never confirm.
				steps.endHolds(peer.id());
			}
			steps.seen(peer.id(), registering.at());
			return new Change<>(steps, plan.registered());
		});
	}

	@Override
	public Optional<StoredPeer> touch(String peerId, Instant at) {
		StoredPeer peer = find(peerId);
		if (peer == null) {
			return Optional.empty();
		}
		if (peer.isLive()) {
			seenHere.saw(peerId, at);
			writeSeenOfAQuietPeer(peer, at);
			return Optional.of(withSeen(peer));
		}
		// Coming back is durable at once: the other brokers must see it live.
		return change(known -> {
			StoredPeer now = known.peers().get(peerId);
			if (now == null || now.isLive()) {
				if (now != null) {
					seenHere.saw(peerId, at);
				}
				return Change.none(Optional.ofNullable(now).map(this::withSeen));
			}
			if (now.hasLeft()) {
				return Change.none(Optional.<StoredPeer>empty());
			}
			StoredPeer back = now.back(at);
			return new Change<>(new Steps().put(back).seen(peerId, at), Optional.of(back));
		});
	}

	@Override
	public Optional<StoredPeer> update(String peerId, PeerUpdate update) {
		find(peerId);
		return change(known -> {
			StoredPeer peer = known.peers().get(peerId);
			if (peer == null) {
				return Change.none(Optional.<StoredPeer>empty());
			}
			StoredPeer updated = PeerRules.updated(peer, update);
			return new Change<>(new Steps().put(updated), Optional.of(withSeen(updated)));
		});
	}

	@Override
	public Optional<StoredPeer> leave(String peerId, Instant at) {
		find(peerId);
		return change(known -> {
			StoredPeer peer = known.peers().get(peerId);
			if (peer == null) {
				return Change.none(Optional.<StoredPeer>empty());
			}
			StoredPeer away = withSeen(peer).away(at, false);
			return new Change<>(new Steps().put(away).endHolds(peerId), Optional.of(away));
		});
	}

	@Override
	public Optional<StoredPeer> joinSession(String heirId, String sessionKey, String goneId) {
		find(heirId);
		return change(known -> {
			StoredPeer heir = known.peers().get(heirId);
			if (heir == null) {
				return Change.none(Optional.<StoredPeer>empty());
			}
			StoredPeer gone = goneId == null || goneId.equals(heirId) ? null : known.peers().get(goneId);
			StoredPeer result = PeerRules.joined(heir, gone, sessionKey);
			Steps steps = new Steps().put(result);
			if (gone != null) {
				steps.adopt(gone, result);
			}
			return new Change<>(steps, Optional.of(withSeen(result)));
		});
	}

	@Override
	public Optional<StoredPeer> subscribe(String peerId, String topic) {
		find(peerId);
		return change(known -> {
			StoredPeer peer = known.peers().get(peerId);
			if (peer == null) {
				return Change.none(Optional.<StoredPeer>empty());
			}
			if (peer.topics().contains(topic)) {
				return Change.none(Optional.of(withSeen(peer)));
			}
			StoredPeer subscribed = PeerRules.subscribed(peer, topic);
			return new Change<>(new Steps().put(subscribed), Optional.of(withSeen(subscribed)));
		});
	}

	@Override
	public boolean unsubscribe(String peerId, String topic) {
		find(peerId);
		return change(known -> {
			StoredPeer peer = known.peers().get(peerId);
			if (peer == null || !peer.topics().contains(topic)) {
				return Change.none(false);
			}
			return new Change<>(new Steps().put(PeerRules.unsubscribed(peer, topic)), true);
		});
	}

	// ---- inboxes

	@Override
	public Map<String, Integer> unreadCounts() {
		List<Object> flat = eval("counts", ScriptOutputType.MULTI, List.of());
		Map<String, Integer> counts = new HashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			counts.put((String) flat.get(i), ((Long) flat.get(i + 1)).intValue());
		}
		return counts;
	}

	@Override
	public int unreadCount(String peerId) {
		return call(() -> redis.xlen(inbox(peerId))).intValue();
	}

	@Override
	public List<Appended> append(List<Message> messages, int maxUnread) {
		if (messages.isEmpty()) {
			return List.of();
		}
		List<String> args = new ArrayList<>();
		args.add(Integer.toString(maxUnread));
		args.add(Integer.toString(messages.size()));
		messages.forEach(message -> addMessage(args, message));
		List<Object> answer = eval("append", ScriptOutputType.MULTI, args);
		List<Appended> outcomes = new ArrayList<>(messages.size());
		for (int i = 0; i < messages.size(); i++) {
			outcomes.add(appended(messages.get(i), (String) answer.get(i)));
		}
		tellAppended(outcomes);
		return outcomes;
	}

	private static void addMessage(List<String> args, Message message) {
		List<String> fields = Codec.fields(message);
		args.add(message.toId());
		args.add(Integer.toString(fields.size()));
		args.addAll(fields);
	}

	private static Appended appended(Message message, String answer) {
		return switch (answer) {
			case "GONE" -> new Appended(message, Appended.Outcome.GONE, 0);
			case "FULL" -> new Appended(message, Appended.Outcome.FULL, 0);
			default -> new Appended(message, Appended.Outcome.APPENDED, sequence(answer));
		};
	}

	private void tellAppended(List<Appended> outcomes) {
		Set<String> woken = new LinkedHashSet<>();
		outcomes.stream().filter(Appended::isAppended).forEach(a -> woken.add(a.message().toId()));
		tell(woken);
	}

	/** An inbox entry's id is {@code 0-<sequence>}. */
	private static long sequence(String entryId) {
		return Long.parseLong(entryId.substring(entryId.indexOf('-') + 1));
	}

	private static String inbox(String peerId) {
		return PREFIX + "inbox:" + peerId;
	}

	private static String holds(String peerId) {
		return PREFIX + "held:" + peerId;
	}

	private static List<Delivery> deliveries(List<StreamMessage<String, String>> entries) {
		List<Delivery> deliveries = new ArrayList<>(entries.size());
		for (StreamMessage<String, String> entry : entries) {
			deliveries.add(new Delivery(sequence(entry.getId()), Codec.message(entry.getBody())));
		}
		return deliveries;
	}

	@Override
	public List<Delivery> unread(String peerId, boolean includeHeld) {
		List<Delivery> all = deliveries(call(() -> redis.xrange(inbox(peerId), Range.unbounded())));
		if (includeHeld || all.isEmpty()) {
			return all;
		}
		Set<String> holds = held(peerId);
		return holds.isEmpty() ? all
				: all.stream().filter(delivery -> !holds.contains(delivery.message().id())).toList();
	}

	@Override
	public List<Delivery> unreadAfter(String peerId, long sequence, int max) {
		return deliveries(call(() -> redis.xrange(inbox(peerId),
				Range.from(Range.Boundary.including("0-" + (sequence + 1)), Range.Boundary.unbounded()),
				Limit.from(max))));
	}

	@Override
	public int hold(String peerId, Collection<String> messageIds) {
		List<String> args = new ArrayList<>();
		args.add(peerId);
		messageIds.stream().filter(Objects::nonNull).forEach(args::add);
		return args.size() == 1 ? 0 : ((Long) eval("hold", ScriptOutputType.INTEGER, args)).intValue();
	}

	@Override
	public int release(String peerId, Collection<String> messageIds) {
		String[] ids = messageIds.stream().filter(Objects::nonNull).toArray(String[]::new);
		return ids.length == 0 ? 0 : call(() -> redis.srem(holds(peerId), ids)).intValue();
	}

	@Override
	public Set<String> held(String peerId) {
		return Set.copyOf(call(() -> redis.smembers(holds(peerId))));
	}

	@Override
	public AcknowledgementResult acknowledge(String peerId, Collection<String> messageIds) {
		List<String> args = new ArrayList<>();
		args.add(peerId);
		messageIds.stream().filter(Objects::nonNull).forEach(args::add);
		List<Object> answer = eval("ack", ScriptOutputType.MULTI, args);
		return new AcknowledgementResult(((Long) answer.get(0)).intValue(), ((Long) answer.get(1)).intValue());
	}

	@Override
	public List<Message> sentUnread(String senderId) {
		List<Object> entries = eval("sent", ScriptOutputType.MULTI, List.of(senderId));
		// Oldest first; within one inbox, in the order they arrived.
		return entries.stream()
			.map(entry -> (List<?>) entry)
			.map(entry -> new Delivery(sequence((String) entry.get(0)),
					Codec.message(fieldMap((List<?>) entry.get(1)))))
			.sorted(Comparator.comparing((Delivery d) -> d.message().sentAt()).thenComparingLong(Delivery::sequence))
			.map(Delivery::message)
			.toList();
	}

	private static Map<String, String> fieldMap(List<?> flat) {
		Map<String, String> fields = new HashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			fields.put((String) flat.get(i), (String) flat.get(i + 1));
		}
		return fields;
	}

	// ---- tasks

	@Override
	public Appended delegate(StoredTask task, Message assignment, int maxUnread) {
		List<String> fields = Codec.fields(task);
		List<String> args = new ArrayList<>();
		args.add(Integer.toString(maxUnread));
		args.add(task.id());
		args.add(Integer.toString(fields.size()));
		args.addAll(fields);
		addMessage(args, assignment);
		Appended appended = appended(assignment, eval("delegate", ScriptOutputType.VALUE, args));
		tellAppended(List.of(appended));
		return appended;
	}

	@Override
	public Optional<StoredTask> report(String taskId, String assigneeId, TaskStatus status, String result, Instant at,
			Message notice) {
		List<String> args = new ArrayList<>(List.of(taskId, assigneeId, status.wireName(), result == null ? "0" : "1",
				result == null ? "" : result, Codec.time(at)));
		addMessage(args, notice);
		List<Object> answer = eval("report", ScriptOutputType.MULTI, args);
		if (answer.isEmpty()) {
			return Optional.empty();
		}
		tell(List.of(notice.toId()));
		return Optional.of(Codec.task(fieldMap(answer)));
	}

	@Override
	public Optional<StoredTask> task(String taskId) {
		Map<String, String> fields = call(() -> redis.hgetall(PREFIX + "task:" + taskId));
		return fields.isEmpty() ? Optional.empty() : Optional.of(Codec.task(fields));
	}

	@Override
	public List<StoredTask> tasks() {
		List<Object> tasks = eval("tasks", ScriptOutputType.MULTI, List.of());
		return tasks.stream().map(task -> Codec.task(fieldMap((List<?>) task))).toList();
	}

	// ---- liveness and expiry

	/**
	 * A peer that was quiet for a while has its sign of life in Redis before the answer:
	 * written only at this broker's next sweep, another broker's sweep could remove it
	 * meanwhile. A busy peer's signs of life still wait for the sweep (one write a second
	 * for all of them).
	 */
	private void writeSeenOfAQuietPeer(StoredPeer peer, Instant at) {
		// What Redis has (as of this broker's last look), not what waits here.
		Instant known = latest(peer.lastSeen(), seenStored.get(peer.id()), seenEagerly.get(peer.id()));
		if (!known.isBefore(at.minus(QUIET))) {
			return;
		}
		try {
			call(() -> redis.zadd(PREFIX + "seen", ZAddArgs.Builder.gt(), (double) Codec.micros(at), peer.id()));
			seenEagerly.put(peer.id(), at);
		}
		catch (StoreUnavailableException ex) {
			// Redis away: the sweep writes it once it is back.
		}
	}

	/**
	 * Writes the signs of life seen here since the last time (the sweep calls it every
	 * second), and reads those of every other broker.
	 */
	private void exchangeSeen() {
		Map<String, Instant> written = seenHere.toWrite();
		if (!written.isEmpty()) {
			Object[] scoresAndIds = new Object[written.size() * 2];
			int i = 0;
			for (Map.Entry<String, Instant> entry : written.entrySet()) {
				scoresAndIds[i++] = (double) Codec.micros(entry.getValue());
				scoresAndIds[i++] = entry.getKey();
			}
			call(() -> redis.zadd(PREFIX + "seen", ZAddArgs.Builder.gt(), scoresAndIds));
		}
		Map<String, Instant> seen = new HashMap<>();
		for (ScoredValue<String> value : call(() -> redis.zrangeWithScores(PREFIX + "seen", 0, -1))) {
			seen.put(value.getValue(), Codec.fromMicros(value.getScore()));
		}
		seenStored = seen;
		// Forgotten here only once the times read back hold them: dropped before, a peer
		// showed its older time (and could look stale) for one round trip to Redis. Only
		// what was written: a newer sign of life meanwhile waits for the next time.
		seenHere.written(written);
		// Written at once, now read back: the copy here has done its work (and a
		// forgotten peer leaves none behind).
		seenEagerly.entrySet().removeIf(entry -> {
			Instant stored = seen.get(entry.getKey());
			return stored == null || !stored.isBefore(entry.getValue());
		});
	}

	@Override
	public List<StoredPeer> removeSilent(Instant silentSince, Instant at) {
		exchangeSeen();
		Snapshot known = checked();
		boolean due = known.peers()
			.values()
			.stream()
			.anyMatch(peer -> peer.isLive() && withSeen(peer).lastSeen().isBefore(silentSince));
		if (!due) {
			return List.of();
		}
		// Any broker may remove a silent peer of any machine (a machine that went away
		// says nothing); the guard makes sure no broker wrote a newer sign of life.
		return change(now -> {
			Steps steps = new Steps();
			List<StoredPeer> removed = new ArrayList<>();
			for (StoredPeer peer : now.peers().values()) {
				StoredPeer current = withSeen(peer);
				if (current.isLive() && current.lastSeen().isBefore(silentSince)) {
					StoredPeer away = current.away(at, true);
					steps.silentSince(peer.id(), silentSince).put(away).endHolds(peer.id());
					removed.add(away);
				}
			}
			return new Change<>(steps, removed);
		});
	}

	@Override
	public List<StoredPeer> expire(Instant awayBefore, Instant sentBefore) {
		List<StoredPeer> forgotten = change(known -> {
			Steps steps = new Steps();
			List<StoredPeer> gone = new ArrayList<>();
			for (StoredPeer peer : known.peers().values()) {
				if (!peer.isLive() && peer.awaySince().isBefore(awayBefore)) {
					steps.forget(peer.id());
					gone.add(peer);
				}
			}
			return new Change<>(steps, gone);
		});
		eval("expire", ScriptOutputType.INTEGER, List.of(Long.toString(Codec.micros(sentBefore))));
		return forgotten;
	}

	@Override
	public List<Expired> expired(int max) {
		List<Expired> expired = new ArrayList<>();
		for (StreamMessage<String, String> entry : call(
				() -> redis.xrange(PREFIX + "expired", Range.unbounded(), Limit.from(max)))) {
			expired.add(new Expired(entry.getBody().get("recipient"), Codec.message(entry.getBody())));
		}
		return expired;
	}

	@Override
	public boolean settleExpired(Collection<Expired> settled, List<Message> notices) {
		List<String> args = new ArrayList<>();
		args.add(Integer.toString(settled.size()));
		settled.forEach(e -> args.add(e.recipientId() + "|" + e.message().id()));
		args.add(Integer.toString(notices.size()));
		notices.forEach(notice -> addMessage(args, notice));
		Long done = eval("settle", ScriptOutputType.INTEGER, args);
		if (done == 1) {
			Set<String> woken = new LinkedHashSet<>();
			notices.forEach(notice -> woken.add(notice.toId()));
			tell(woken);
		}
		return done == 1;
	}

	// ---- talking to Redis

	/**
	 * Runs a step by its digest; a Redis that restarted has forgotten the scripts and is
	 * given it again.
	 */
	<T> T eval(String name, ScriptOutputType type, List<String> stepArgs) {
		Script script = scripts.computeIfAbsent(name, Script::load);
		String[] args = new String[stepArgs.size() + 2];
		args[0] = PREFIX;
		args[1] = instance;
		for (int i = 0; i < stepArgs.size(); i++) {
			args[i + 2] = stepArgs.get(i);
		}
		return call(() -> {
			try {
				return redis.evalsha(script.sha(), type, NO_KEYS, args);
			}
			catch (RedisNoScriptException ex) {
				redis.scriptLoad(script.text());
				return redis.evalsha(script.sha(), type, NO_KEYS, args);
			}
		});
	}

	private <T> T call(Supplier<T> command) {
		try {
			return command.get();
		}
		catch (RedisException ex) {
			throw unavailable(ex);
		}
	}

	/** The 503 sentence for a Redis that cannot do the step. */
	private StoreUnavailableException unavailable(RedisException ex) {
		String message = rootMessage(ex);
		String why;
		String outcome = " Nothing was changed; what Redis holds is kept.";
		if (ex instanceof RedisCommandTimeoutException) {
			why = "its Redis at " + address + " did not answer within " + TIMEOUT.toSeconds() + " s";
			outcome = " The change may or may not have been made.";
		}
		else if (ex instanceof RedisCommandExecutionException) {
			why = message.startsWith("OOM") ? "its Redis at " + address + " is out of memory (maxmemory)"
					: message.startsWith("READONLY") ? "its Redis at " + address + " is a read-only replica"
							: message.startsWith("NOPERM")
									? "its Redis user may not run the broker's commands (" + message + ")"
									: "its Redis at " + address + " refused (" + message + ")";
		}
		else {
			why = "it cannot reach its Redis at " + address + " (" + message + ")";
		}
		return new StoreUnavailableException("The broker cannot store anything right now: " + why + "." + outcome
				+ " Retry once Redis is back; the broker reconnects by itself.", ex);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		Set<Throwable> seen = new HashSet<>();
		while (root.getCause() != null && seen.add(root)) {
			root = root.getCause();
		}
		String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
		return message.strip();
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[8];
		new java.security.SecureRandom().nextBytes(bytes);
		return bytes;
	}

	@Override
	public void close() {
		try {
			if (connection != null && connection.isOpen() && !seenHere.isEmpty()) {
				exchangeSeen();
			}
		}
		catch (RuntimeException ex) {
			log.warn("Could not write the last signs of life to Redis at {}: {}", address, ex.getMessage());
		}
		signalling.shutdownNow();
		closeQuietly(connection, pubsub);
		client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		resources.shutdown(0, 2, TimeUnit.SECONDS);
	}

	private static void closeQuietly(StatefulRedisConnection<?, ?> commands,
			StatefulRedisPubSubConnection<?, ?> subscriber) {
		for (AutoCloseable closeable : new AutoCloseable[] { subscriber, commands }) {
			if (closeable != null) {
				try {
					closeable.close();
				}
				catch (Exception ex) {
					log.debug("Closing a Redis connection: {}", ex.getMessage());
				}
			}
		}
	}

}
