package dev.mycelium.serve;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.client.EventStream;
import dev.mycelium.client.Identity;
import dev.mycelium.client.ServerSentEvent;
import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.PeerUpdate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Puts each new message into the session as it arrives, without a tool call: follows this
 * peer's inbox stream and delivers through Claude Code's {@link InboxSocket} (on whenever
 * Claude Code offers one), or as a channel notification with {@code --channel}. A message
 * counts as read only once it reached the model:
 * <ul>
 * <li>socket: the message is held at the broker (so no hook or notice shows it too), and
 * acknowledged once the transcript shows it in the conversation (or a prompt hook saw
 * it). A frame the transcript does not show as queued within a few seconds is released
 * for the other paths; twice in a row, and the socket is given up;</li>
 * <li>channel: never acknowledged, since Claude Code does not confirm channel
 * notifications and drops them where channels are off; hooks, the tool notice and
 * {@code sense} bring it again (the same message id);</li>
 * <li>neither: hooks, the tool notice and {@code sense}.</li>
 * </ul>
 */
final class InboxDelivery implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(InboxDelivery.class);

	private static final Duration CONFIRM_TICK = Duration.ofMillis(100);

	private static final Duration HELD_CHECK = Duration.ofSeconds(1);

	/**
	 * Beyond this many unconfirmed, mail waits for the other paths (a flood, a backlog).
	 */
	private static final int MAX_PENDING = 50;

	private static final int SILENT_FAILURES_TO_GIVE_UP = 2;

	private static final Duration FIRST_RETRY = Duration.ofMillis(100);

	private static final Duration LAST_RETRY = Duration.ofSeconds(2);

	private final PeerSession session;

	private final BrokerClient client;

	private final StdioSessionTransport transport;

	private final JsonMapper json;

	private final Optional<InboxSocket> socket;

	private final TranscriptWatch transcript;

	private final boolean channel;

	/**
	 * What the socket was given and the transcript has not settled. Guarded by itself, as
	 * are {@link #confirming}, {@link #toAcknowledge} and {@link #toRelease}.
	 */
	private final PendingFrames pending;

	/** Whether a confirmation round is scheduled. */
	private boolean confirming;

	/** Ids pushed as channel notifications, to push none twice; oldest forgotten. */
	private final Set<String> pushed = Collections.newSetFromMap(new LinkedHashMap<>() {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
			return size() > 10_000;
		}
	});

	private final ScheduledExecutorService confirmer = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "mycelium-confirm");
		thread.setDaemon(true);
		return thread;
	});

	private final Thread follower = new Thread(this::follow, "mycelium-delivery");

	private volatile boolean socketOn;

	private volatile String socketProblem;

	private volatile Instant lastConfirmed;

	private volatile String reported;

	private volatile EventStream stream;

	private volatile boolean following;

	private volatile boolean closed;

	private int silentFailures;

	private Instant lastHeldCheck = Instant.EPOCH;

	private String lastEventId;

	/** Confirmed but not yet acknowledged at the broker, and holds not yet released. */
	private final Set<String> toAcknowledge = new LinkedHashSet<>();

	private final Set<String> toRelease = new LinkedHashSet<>();

	InboxDelivery(PeerSession session, BrokerClient client, StdioSessionTransport transport, JsonMapper json,
			Optional<InboxSocket> socket, TranscriptWatch transcript, boolean channel) {
		this.session = session;
		this.client = client;
		this.transport = transport;
		this.json = json;
		this.socket = socket;
		this.transcript = transcript;
		this.channel = channel;
		this.pending = new PendingFrames(Clock.systemUTC(), transcript.sessionId());
		follower.setDaemon(true);
	}

	/** Checks the socket, says at the broker how mail will come, and starts following. */
	void start() {
		socket.ifPresent(inbox -> {
			try {
				inbox.check();
				socketOn = true;
				log.info("Delivering into the session through Claude Code's inbox socket {}", inbox.path());
			}
			catch (IOException ex) {
				socketProblem = "the inbox socket refused the connection (" + ex.getMessage() + ")";
				log.warn("Claude Code's inbox socket {} is not usable ({}): mail comes by {}", inbox.path(),
						ex.getMessage(), channel ? "channel" : "hooks and tool notices");
			}
		});
		report();
		if (socketOn || channel) {
			follower.start();
		}
	}

	/**
	 * Whether the inbox stream is open now: the broker counts the session alive by it.
	 */
	boolean following() {
		return following;
	}

	/** How mail reaches the model, in a few words, as other sessions see it. */
	String mode() {
		return socketOn ? "inbox socket" : channel ? "channel" : "tool notices";
	}

	/** For identify: the path, and what is known about it. */
	String describe() {
		if (socketOn) {
			Instant confirmed = lastConfirmed;
			return "new messages are put into this session through Claude Code's inbox socket as they arrive"
					+ (confirmed != null ? " (last delivery confirmed " + ago(confirmed) + ")"
							: " (none confirmed yet)");
		}
		String why = socketProblem != null ? " (" + socketProblem + ")" : "";
		if (channel) {
			return "new messages are pushed as channel notifications" + why
					+ "; they stay unread until a hook, a tool result or sense shows them";
		}
		return "new messages reach this session only through hooks, the notice after each mycelium tool, and sense"
				+ why;
	}

	private void report() {
		String mode = mode();
		if (mode.equals(reported)) {
			return;
		}
		Thread reporter = new Thread(() -> {
			try {
				session.call(identity -> client.update(identity, PeerUpdate.delivery(mode)));
				reported = mode;
			}
			catch (RuntimeException ex) {
				log.info("Could not tell the broker how mail reaches this session ({}); the next change will",
						ex.getMessage());
			}
		}, "mycelium-report");
		reporter.setDaemon(true);
		reporter.start();
	}

	private void follow() {
		// Claude Code reads the session's output once the handshake is over.
		transport.initialized().join();
		Duration retry = FIRST_RETRY;
		while (!closed && (socketOn || channel)) {
			try {
				stream = session.call(identity -> client.inboxEvents(identity, lastEventId));
				following = true;
				retry = FIRST_RETRY;
				holdAgain();
				// A new registration cleared what the broker knew of the delivery.
				reported = null;
				report();
				deliverLostNotice();
				ServerSentEvent event;
				while (!closed && (event = stream.next()) != null) {
					if ("message".equals(event.event())) {
						Message message;
						try {
							message = json.readValue(event.data(), Message.class);
						}
						catch (JacksonException ex) {
							// A newer broker's message this serve cannot read: the hooks
							// and sense bring it; the stream goes on past it.
							log.warn("Skipping an inbox event this serve cannot read ({})", ex.getOriginalMessage());
							lastEventId = event.id();
							continue;
						}
						deliver(message);
					}
					lastEventId = event.id();
				}
			}
			catch (StdoutGoneException ex) {
				log.info("Standard output is closed: delivery stops");
				return;
			}
			catch (IOException | RuntimeException ex) {
				if (!closed) {
					log.info("Inbox stream interrupted ({}); reconnecting in {} ms", ex.getMessage(), retry.toMillis());
				}
			}
			finally {
				following = false;
				EventStream open = stream;
				if (open != null) {
					open.close();
				}
			}
			pause(retry);
			retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
		}
	}

	/**
	 * A new registration ends holds at the broker: what is still on its way is held
	 * again.
	 */
	private void holdAgain() {
		List<String> ids;
		synchronized (pending) {
			ids = pending.messageIds();
		}
		if (!ids.isEmpty()) {
			session.call(identity -> client.hold(identity, ids));
		}
	}

	/**
	 * After a broker died with mail this session sent (the memory store): say so now, not
	 * at the next tool call.
	 */
	private void deliverLostNotice() {
		String notice = session.takeLostNotice();
		if (notice == null) {
			return;
		}
		String text = "[mycelium] " + MailText.plainText(notice);
		try {
			if (socketOn) {
				socket.orElseThrow().deliver(text, UUID.randomUUID());
			}
			else if (channel) {
				transport.writeNotification(ChannelNotification.METHOD,
						new ChannelNotification(text, Map.of("from", "mycelium", "kind", "lost")).params());
			}
		}
		catch (IOException ex) {
			log.info("Could not deliver the notice of lost mail ({}); the next tool result carries it",
					ex.getMessage());
			session.restoreLostNotice(notice);
		}
	}

	private void deliver(Message message) {
		if (message.staysQuiet()) {
			// The broker's wake budget held it: it waits unread for a hook, a tool result
			// or sense, and starts no model turn.
			return;
		}
		if (socketOn && throughSocket(message)) {
			return;
		}
		if (channel && !pushed.contains(message.id())) {
			try {
				transport.writeNotification(ChannelNotification.METHOD, ChannelNotification.of(message).params());
			}
			catch (IOException ex) {
				throw new StdoutGoneException(ex);
			}
			pushed.add(message.id());
		}
	}

	/**
	 * @return whether the socket took it (or already has it)
	 */
	private boolean throughSocket(Message message) {
		synchronized (pending) {
			if (pending.contains(message.id())) {
				return true;
			}
			if (pending.size() >= MAX_PENDING) {
				return false;
			}
		}
		List<String> ids = List.of(message.id());
		if (session.call(identity -> client.hold(identity, ids)) == 0) {
			// Read meanwhile (a hook showed it): nothing to deliver.
			return true;
		}
		UUID frameId = UUID.randomUUID();
		transcript.mark();
		// Tracked before it is written: a look at the transcript meanwhile must not pass
		// over what the frame causes.
		synchronized (pending) {
			pending.add(message.id(), frameId);
		}
		try {
			socket.orElseThrow().deliver(MailText.frame(message), frameId);
		}
		catch (IOException ex) {
			synchronized (pending) {
				pending.remove(message.id());
				toRelease.add(message.id());
			}
			confirmSoon();
			socketFailed("the inbox socket refused a message (" + ex.getMessage() + ")");
			return false;
		}
		confirmSoon();
		log.debug("Delivered {} from {} through the inbox socket", message.id(), message.from());
		return true;
	}

	/** Starts the rounds of {@link #confirm} unless they run. */
	private void confirmSoon() {
		synchronized (pending) {
			if (!confirming) {
				confirming = true;
				confirmer.schedule(this::confirm, CONFIRM_TICK.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
	}

	/**
	 * Reads the evidence, and tells the broker what it settled; runs again while
	 * deliveries wait for evidence or the broker for an answer.
	 */
	private void confirm() {
		try {
			check();
		}
		catch (RuntimeException ex) {
			log.info("Could not confirm deliveries yet ({})", ex.getMessage());
		}
		synchronized (pending) {
			confirming = !(pending.isEmpty() && toAcknowledge.isEmpty() && toRelease.isEmpty()) && !closed;
			if (confirming) {
				confirmer.schedule(this::confirm, CONFIRM_TICK.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
	}

	private void check() {
		TranscriptWatch.Evidence evidence = transcript.scan();
		PendingFrames.Decision decision;
		synchronized (pending) {
			decision = pending.decide(evidence);
			toAcknowledge.addAll(decision.confirmed());
			toRelease.addAll(decision.released());
		}
		Instant now = pending.now();
		List<String> confirmed = decision.confirmed();
		List<String> silent = decision.silent();
		List<String> queuedTooLong = decision.queuedTooLong();
		if (!confirmed.isEmpty()) {
			lastConfirmed = now;
			synchronized (this) {
				silentFailures = 0;
			}
			log.debug("Confirmed in the conversation: {}", confirmed);
		}
		if (!queuedTooLong.isEmpty()) {
			log.info("Queued but not in the conversation after {} min, left to the other paths: {}",
					PendingFrames.QUEUED_WAIT.toMinutes(), queuedTooLong);
		}
		// Releases first: a message the model has not seen must not stay held because an
		// acknowledgement failed. What fails is tried again at the next tick.
		settle(toRelease, client::release, "release");
		settle(toAcknowledge, client::acknowledge, "acknowledge");
		if (!silent.isEmpty()) {
			boolean giveUp;
			synchronized (this) {
				giveUp = ++silentFailures >= SILENT_FAILURES_TO_GIVE_UP;
			}
			log.warn("Claude Code did not queue {} from the inbox socket within {} s", silent,
					PendingFrames.EVIDENCE_WAIT.toSeconds());
			if (giveUp) {
				socketFailed("Claude Code did not take the messages written to its inbox socket");
			}
		}
		if (Duration.between(lastHeldCheck, now).compareTo(HELD_CHECK) >= 0) {
			lastHeldCheck = now;
			dropReadElsewhere();
		}
	}

	/** Tells the broker about {@code ids}; keeps them to try again if it cannot. */
	private void settle(Set<String> ids, BiConsumer<Identity, List<String>> call, String what) {
		List<String> batch;
		synchronized (pending) {
			if (ids.isEmpty()) {
				return;
			}
			batch = List.copyOf(ids);
		}
		try {
			session.call(identity -> {
				call.accept(identity, batch);
				return null;
			});
			synchronized (pending) {
				batch.forEach(ids::remove);
			}
		}
		catch (RuntimeException ex) {
			log.info("Could not {} {} yet ({}); trying again", what, batch, ex.getMessage());
		}
	}

	/** A prompt hook or sense may have shown a message first: it no longer waits. */
	private void dropReadElsewhere() {
		Set<String> asked;
		synchronized (pending) {
			if (pending.isEmpty()) {
				return;
			}
			asked = Set.copyOf(pending.messageIds());
		}
		Set<String> held = session.call(client::held);
		synchronized (pending) {
			pending.removeReadElsewhere(asked, held);
		}
	}

	private void socketFailed(String problem) {
		if (socketOn) {
			socketOn = false;
			socketProblem = problem;
			log.warn("Giving up the inbox socket: {}; mail comes by {}", problem,
					channel ? "channel" : "hooks and tool notices");
			report();
		}
	}

	private static String ago(Instant then) {
		long seconds = Math.max(0, Duration.between(then, Instant.now()).toSeconds());
		return seconds < 120 ? seconds + "s ago" : seconds / 60 + "m ago";
	}

	private void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			closed = true;
		}
	}

	@Override
	public void close() {
		closed = true;
		confirmer.shutdownNow();
		EventStream open = stream;
		if (open != null) {
			open.close();
		}
	}

	/** Nothing can be shown any more: the session is over. */
	private static final class StdoutGoneException extends RuntimeException {

		StdoutGoneException(IOException cause) {
			super(cause);
		}

	}

}
