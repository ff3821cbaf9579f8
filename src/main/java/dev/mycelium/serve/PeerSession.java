package dev.mycelium.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerStarter;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.client.Identity;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.Registration;

/**
 * This session's peer at the broker. It registers in the background as soon as
 * {@code serve} starts (starting a broker if none runs), and keeps being that peer
 * whatever happens to the broker: a call that finds the peer forgotten or the broker gone
 * registers again, starting a broker if needed, and is retried once, so the user never
 * notices. The session key (Claude Code's session id, else the parent process and
 * directory) gives a restarted {@code serve} the same peer and inbox back.
 */
class PeerSession {

	private static final Logger log = LoggerFactory.getLogger(PeerSession.class);

	private static final Duration FIRST_CONNECT_WAIT = Duration.ofSeconds(100);

	/** Short: the session is ending, and Claude Code does not wait long. */
	private static final Duration LEAVE_WAIT = Duration.ofMillis(1500);

	private final BrokerClient client;

	private final BrokerStarter starter;

	private final GitWorkspace workspace;

	private final String sessionKey;

	private volatile CompletableFuture<Registration> connection;

	private volatile GitWorkspace.Head head;

	/** {@link GitWorkspace#headFiles()} when {@link #head} was read. */
	private volatile String headFiles = "";

	private final Outbox outbox = new Outbox();

	/** The broker instance this session last registered with. */
	private volatile String brokerInstance;

	/** Its store ({@code sqlite}, {@code memory}): only a memory store loses mail. */
	private volatile String brokerStore;

	/** What was lost with a broker that died, until the session has been told. */
	private volatile String lostNotice;

	/**
	 * Set once the session is ending: nothing registers or starts a broker any more.
	 * Without it a thread that lost the broker while the session ended (the push stream,
	 * a heartbeat) started a new broker nobody would use, which outlived the session.
	 */
	private volatile boolean ending;

	/** Set by {@code identify}: from then on the summary no longer follows git. */
	private volatile String summaryOverride;

	/**
	 * The topics this session attached to: a broker that forgot the peer (it was
	 * restarted, or removed the peer after a long silence) forgot them too, and they are
	 * attached again with the new registration.
	 */
	private final Set<String> topics = ConcurrentHashMap.newKeySet();

	PeerSession(BrokerClient client, BrokerStarter starter, GitWorkspace workspace, Map<String, String> environment) {
		this.client = client;
		this.starter = starter;
		this.workspace = workspace;
		this.sessionKey = sessionKey(workspace, environment);
	}

	/** Starts registering without blocking the MCP handshake. */
	void connectInBackground() {
		reconnect(null);
	}

	/**
	 * The registration, waiting for the first one; a failed attempt is retried once, now.
	 */
	Registration registration() {
		CompletableFuture<Registration> current = currentConnection();
		try {
			return await(current);
		}
		catch (RuntimeException ex) {
			if (!current.isCompletedExceptionally()) {
				throw ex;
			}
			return await(reconnect(current));
		}
	}

	private Registration await(CompletableFuture<Registration> registration) {
		try {
			return registration.get(FIRST_CONNECT_WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException failure) {
				throw failure;
			}
			throw new BrokerUnavailableException(String.valueOf(ex.getCause().getMessage()), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new BrokerUnavailableException("The broker did not answer within " + FIRST_CONNECT_WAIT.toSeconds()
					+ " s; see " + client.properties().myceliumHome().brokerLog());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new BrokerUnavailableException("Interrupted while connecting to the broker", ex);
		}
	}

	Identity identity() {
		Registration registration = registration();
		return new Identity(registration.id(), registration.secret());
	}

	/**
	 * Runs a call as this peer; when the broker forgot the peer or is gone, registers
	 * again (starting a broker if needed) and retries once.
	 */
	<T> T call(Function<Identity, T> action) {
		CompletableFuture<Registration> used = currentConnection();
		try {
			return action.apply(identity());
		}
		catch (BrokerProblem ex) {
			if (!ex.isUnknownPeer() || ending) {
				throw ex;
			}
			log.info("The broker no longer knows this peer: registering again");
		}
		catch (BrokerUnavailableException ex) {
			if (ending || Thread.currentThread().isInterrupted()) {
				// The session is ending (or this thread was stopped as it ends):
				// registering again would bring back the peer that is leaving, and
				// might start a broker for nobody.
				throw ex;
			}
			log.info("The broker is gone ({}): starting one and registering again", ex.getMessage());
		}
		reconnect(used);
		return action.apply(identity());
	}

	/**
	 * Heartbeat; when the branch or HEAD moved, the branch shown to others follows, and
	 * so does the summary unless {@code identify} set one. A session {@code following}
	 * its inbox stream is alive to the broker by that stream's own heartbeats: unless
	 * there is news, it sends nothing, and an idle broker and serve stay asleep.
	 */
	void heartbeat(boolean following) {
		String files = workspace.headFiles();
		boolean maybeMoved = !files.equals(headFiles);
		if (following && !maybeMoved && outbox.isEmpty()) {
			return;
		}
		Peer peer = call(client::heartbeat);
		if (!outbox.isEmpty()) {
			Instant asOf = Instant.now();
			outbox.keepOnly(call(client::outbox), asOf);
		}
		GitWorkspace.Head now = maybeMoved ? workspace.head() : head;
		headFiles = files;
		if (!now.equals(head)) {
			head = now;
			String summary = summary(now);
			// Empty, not null: a detached HEAD clears the branch instead of leaving the
			// old one.
			String branch = now.branch() != null ? now.branch() : "";
			call(identity -> client.update(identity, new PeerUpdate(summary, branch, null)));
		}
		log.debug("heartbeat: {} unread", peer.unread());
	}

	Peer setSummary(String summary) {
		summaryOverride = summary;
		return call(identity -> client.update(identity, PeerUpdate.summary(summary)));
	}

	/** The summary to show: the one {@code identify} set, else what git says. */
	private String summary(GitWorkspace.Head now) {
		String override = summaryOverride;
		return override != null ? override : workspace.summary(now);
	}

	/** Remembers a topic attached to, so that a new registration attaches it again. */
	void attached(String topic) {
		topics.add(topic);
	}

	void detached(String topic) {
		topics.remove(topic);
	}

	/**
	 * Remembers a message sent, until the broker says it was read; only with a memory
	 * broker, the only kind that can lose it (and asking a durable one which of them are
	 * still unread would cost it a search of every inbox at each heartbeat).
	 */
	void sent(String messageId, List<String> recipients, String body) {
		if (keepsOnlyInMemory(brokerStore)) {
			outbox.sent(messageId, recipients, body, Instant.now());
		}
	}

	/** An older broker does not say which store it has: it had only the memory store. */
	private static boolean keepsOnlyInMemory(String store) {
		return store == null || store.equals("memory");
	}

	/** The news that mail was lost with a dead broker, once; else {@code null}. */
	String takeLostNotice() {
		String notice = lostNotice;
		lostNotice = null;
		return notice;
	}

	/** A notice taken that could not be shown: the next tool result carries it. */
	void restoreLostNotice(String notice) {
		if (lostNotice == null) {
			lostNotice = notice;
		}
	}

	List<Message> unread() {
		return call(identity -> client.unread(identity, Duration.ZERO));
	}

	/**
	 * What no other path is bringing into the session: the unread notice counts these.
	 */
	List<Message> unreadNotHeld() {
		return call(client::unreadNotHeld);
	}

	/**
	 * Leaves the broker; its unread mail is kept for a session that comes back. A
	 * registration still in flight is waited for briefly: the broker may already know the
	 * peer.
	 */
	void leave() {
		CompletableFuture<Registration> current = connection;
		if (current == null) {
			return;
		}
		Registration registration;
		try {
			registration = current.get(LEAVE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			return;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		try {
			client.leave(new Identity(registration.id(), registration.secret()));
			log.info("Left the broker as {}", registration.name());
		}
		catch (RuntimeException ex) {
			log.info("Could not leave the broker ({}); it will remove this peer when it stops hearing from it",
					ex.getMessage());
		}
	}

	private CompletableFuture<Registration> currentConnection() {
		CompletableFuture<Registration> current = connection;
		return current != null ? current : reconnect(null);
	}

	/** From now on no call registers again or starts a broker: the session is ending. */
	void ending() {
		ending = true;
	}

	private static BrokerUnavailableException sessionEnding() {
		return new BrokerUnavailableException("This session is ending: it no longer registers or starts a broker.");
	}

	/** Replaces a failed or stale connection once, however many callers noticed it. */
	private synchronized CompletableFuture<Registration> reconnect(CompletableFuture<Registration> stale) {
		if (connection != null && connection != stale) {
			return connection;
		}
		if (ending) {
			// The registration to leave with stays as it was.
			return CompletableFuture.failedFuture(sessionEnding());
		}
		connection = CompletableFuture.supplyAsync(this::register, runnable -> {
			Thread thread = new Thread(runnable, "mycelium-connect");
			thread.setDaemon(true);
			thread.start();
		});
		return connection;
	}

	private Registration register() {
		if (ending) {
			// Ending since the registration was asked for.
			throw sessionEnding();
		}
		starter.ensureRunning();
		String files = workspace.headFiles();
		GitWorkspace.Head now = workspace.head();
		String summary = summary(now);
		Registration registration = client.register(new PeerRegistration(null, ProcessHandle.current().pid(),
				workspace.directory().toString(), workspace.repositoryIdentity().orElse(null), now.branch(), summary,
				sessionKey, ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(null)));
		head = now;
		headFiles = files;
		noticeLostMail();
		log.info("{} as {} ({}) at {}", registration.resumed() ? "Resumed" : "Registered", registration.name(),
				registration.id(), client.properties().baseUri());
		attachAgain(registration);
		return registration;
	}

	/** The topics this session attached to that the broker no longer has for it. */
	private void attachAgain(Registration registration) {
		Identity identity = new Identity(registration.id(), registration.secret());
		for (String topic : topics) {
			if (registration.peer().topics().contains(topic)) {
				continue;
			}
			try {
				client.subscribe(topic, identity);
				log.info("Attached to topic {} again", topic);
			}
			catch (RuntimeException ex) {
				log.warn("Could not attach to topic {} again: {}", topic, ex.getMessage());
			}
		}
	}

	/**
	 * A registration with a different broker than before: whatever the old one held
	 * unread is gone, unless it kept its state in a durable store (it then has it again).
	 */
	private void noticeLostMail() {
		BrokerInfo info;
		try {
			info = client.info();
		}
		catch (RuntimeException ex) {
			return;
		}
		String previous = brokerInstance;
		boolean previousKeptItsMail = brokerStore != null && !keepsOnlyInMemory(brokerStore);
		brokerInstance = info.instanceId();
		brokerStore = info.store();
		if (previous != null && !previous.equals(info.instanceId())) {
			List<Outbox.Sent> lost = outbox.takeAll();
			if (!lost.isEmpty() && !previousKeptItsMail) {
				log.warn("The broker was replaced: {} sent messages may be lost", lost.size());
				lostNotice = Outbox.lostNotice(lost);
			}
		}
	}

	/**
	 * Claude Code's session id when it gives one ({@code CLAUDE_CODE_SESSION_ID}: the
	 * same for {@code --resume} and its hooks); else the parent process and directory,
	 * which stay the same when Claude Code restarts its MCP server. The parent's start
	 * time guards against a recycled pid. Either way the broker gives the same peer back.
	 */
	static String sessionKey(GitWorkspace workspace, Map<String, String> environment) {
		String claudeSession = environment.get("CLAUDE_CODE_SESSION_ID");
		if (claudeSession != null && !claudeSession.isBlank()) {
			return claudeSession.strip();
		}
		String parent = ProcessHandle.current()
			.parent()
			.map(p -> p.pid() + "@" + p.info().startInstant().map(Object::toString).orElse(""))
			.orElse("none");
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest((parent + "|" + workspace.directory()).getBytes(StandardCharsets.UTF_8));
			return "serve-" + HexFormat.of().formatHex(digest, 0, 12);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

}
