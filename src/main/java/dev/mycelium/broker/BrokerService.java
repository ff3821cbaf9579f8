package dev.mycelium.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.BrokerException.Reason;
import dev.mycelium.broker.push.InboxStream;
import dev.mycelium.broker.push.MailSignals;
import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.broker.store.Expired;
import dev.mycelium.broker.store.NameRule;
import dev.mycelium.broker.store.Registered;
import dev.mycelium.broker.store.Registering;
import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Headers;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Names;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.TaskStatus;
import dev.mycelium.protocol.Topic;

/**
 * The broker's rules: naming, authorization, delivery, liveness, expiry and events, over
 * a {@link BrokerStore} that keeps the state and {@link MailSignals} that wake the
 * readers in this process. It holds no state and no lock of its own: each change is one
 * atomic step of the store, which checks again what the rules read before (a recipient
 * forgotten in between is a 404, not a lost message). The shapes of requests are checked
 * before they get here, by Bean Validation on the protocol records.
 */
final class BrokerService implements BrokerOperations {

	private static final Logger log = LoggerFactory.getLogger(BrokerService.class);

	/** The sender name of notices the broker itself writes. */
	static final String BROKER_NAME = "mycelium";

	private static final Pattern TOPIC = Pattern.compile(Names.TOPIC);

	/** Expired messages reported per sweep: the rest follow at the next one. */
	private static final int EXPIRED_BATCH = 1000;

	/** Names past a taken one: {@code shop-2}, within the length of the name rule. */
	private static final NameRule NAMES = (wanted, n) -> {
		String suffix = "-" + n;
		return wanted.substring(0, Math.min(wanted.length(), Names.MAX_PEER_NAME - suffix.length())) + suffix;
	};

	private final BrokerStore store;

	private final MailSignals signals;

	private final Clock clock;

	private final BrokerProperties.Limits limits;

	private final BrokerProperties.Liveness liveness;

	private final BrokerEventLog events;

	/** This machine: the host of the peers registered here, and of scope machine. */
	private final Supplier<String> machine;

	BrokerService(BrokerStore store, MailSignals signals, Clock clock, BrokerProperties.Limits limits,
			BrokerProperties.Liveness liveness, BrokerEventLog events, Supplier<String> machine) {
		this.store = store;
		this.signals = signals;
		this.clock = clock;
		this.limits = limits;
		this.liveness = liveness;
		this.events = events;
		this.machine = machine;
		store.onMail(signals::mailArrived);
	}

	// ---- peers

	@Override
	public Registration register(PeerRegistration registration) {
		String secret = Ids.secret();
		Registering registering = new Registering(registration.sessionKey(), wantedName(registration),
				registration.pid(), registration.cwd(), RepoIdentity.normalize(registration.repo()),
				registration.branch(), registration.summary(), registration.clientPid(), Ids.hash(secret),
				clock.instant(), machine.get());
		Registered registered = store.register(registering, () -> Ids.shortId(8), NAMES);
		StoredPeer peer = registered.peer();
		log.info("{} {} ({}) from {}", registered.resumed() ? "Resumed" : "Registered", peer.name(), peer.id(),
				peer.cwd());
		if (registered.resumed()) {
			// Resuming cleared the peer's holds and delivery mode: a push stream still
			// open from the earlier registration would go on as if its holds stood, and
			// the hooks would show again what it had delivered. Its serve opens the
			// stream anew, holding and reporting again.
			signals.closeStream(peer.id());
		}
		Peer view = view(peer, registering.at());
		events.publish(BrokerEvent.PEER_JOINED, registering.at(), view, null, null, null);
		return new Registration(peer.id(), peer.name(), secret, registered.resumed(), view);
	}

	@Override
	public Optional<Caller> authenticate(String secret) {
		Optional<StoredPeer> known = store.peerBySecret(Ids.hash(secret));
		if (known.isEmpty()) {
			return Optional.empty();
		}
		// Any request is a sign of life: a peer removed for silence (a laptop asleep)
		// comes back with its inbox as soon as it speaks again.
		Instant now = clock.instant();
		Optional<StoredPeer> touched = store.touch(known.get().id(), now);
		touched.filter(peer -> !known.get().isLive())
			.ifPresent(peer -> events.publish(BrokerEvent.PEER_JOINED, now, view(peer, now), null, null, null));
		return touched.map(peer -> new Caller(peer.id(), peer.name()));
	}

	@Override
	public List<Peer> peers(Scope scope, Caller caller) {
		Instant now = clock.instant();
		Predicate<StoredPeer> inScope = inScope(scope, caller);
		Map<String, Integer> unread = store.unreadCounts();
		return store.peers()
			.stream()
			.filter(StoredPeer::isLive)
			.filter(inScope)
			.sorted(Comparator.comparing(StoredPeer::name))
			.map(peer -> view(peer, now, unread.getOrDefault(peer.id(), 0)))
			.toList();
	}

	@Override
	public Peer peer(String peerRef) {
		return view(resolve(peerRef), clock.instant());
	}

	@Override
	public Peer update(Caller caller, String peerRef, PeerUpdate update) {
		if (update.isEmpty()) {
			throw new BrokerException(Reason.INVALID,
					"Nothing to change: send summary, branch or delivery (or several of them).");
		}
		StoredPeer peer = self(caller, peerRef, "change its summary");
		return view(store.update(peer.id(), update).orElseThrow(() -> gone(peerRef)), clock.instant());
	}

	@Override
	public Peer heartbeat(Caller caller, String peerRef) {
		StoredPeer peer = self(caller, peerRef, "send its heartbeat");
		Instant now = clock.instant();
		return view(store.touch(peer.id(), now).orElseThrow(() -> gone(peerRef)), now);
	}

	@Override
	public void streamAlive(String peerId) {
		try {
			store.touch(peerId, clock.instant());
		}
		catch (StoreUnavailableException ex) {
			// The next heartbeat of the stream tries again.
		}
	}

	@Override
	public void leave(Caller caller, String peerRef) {
		StoredPeer peer = self(caller, peerRef, "deregister");
		Instant now = clock.instant();
		StoredPeer away = store.leave(peer.id(), now).orElseThrow(() -> gone(peerRef));
		signals.closeStream(peer.id());
		Peer view = view(away, now);
		log.info("{} ({}) left with {} unread", away.name(), away.id(), view.unread());
		events.publish(BrokerEvent.PEER_LEFT, now, view, null, null, null);
	}

	@Override
	public Optional<Caller> hookSession(String sessionId, Long clientPid) {
		if (sessionId == null || sessionId.isBlank()) {
			return Optional.empty();
		}
		StoredPeer bySession = store.peerBySessionKey(sessionId).orElse(null);
		// A process id means something on this machine only: the peers of other hosts
		// sharing the store may have the same numbers.
		String here = machine.get();
		StoredPeer byClient = clientPid == null ? null
				: store.peers()
					.stream()
					.filter(StoredPeer::isLive)
					.filter(peer -> clientPid.equals(peer.clientPid()) && hostOf(peer).equals(here))
					.max(Comparator.comparing(StoredPeer::lastSeen))
					.orElse(null);
		StoredPeer peer = bySession;
		String gone = null;
		if (byClient != null && (bySession == null || (!bySession.isLive() && !bySession.id().equals(byClient.id())))) {
			// Claude Code gave its MCP server one session id and its hooks another
			// (claude -p --continue does): the live serve of that Claude Code process is
			// this session, and takes over what an earlier peer of the session left.
			if (bySession != null) {
				gone = bySession.id();
				log.info("{} ({}) takes over {} ({}) of the same Claude Code session, with {} unread", byClient.name(),
						byClient.id(), bySession.name(), bySession.id(), store.unreadCount(bySession.id()));
			}
			peer = byClient;
		}
		if (peer == null) {
			return Optional.empty();
		}
		if (peer.hooksSeen() && gone == null && peer.sessionKeys().contains(sessionId)) {
			// The common case, every hook of a known session: nothing to write.
			return Optional.of(new Caller(peer.id(), peer.name()));
		}
		return store.joinSession(peer.id(), sessionId, gone).map(p -> new Caller(p.id(), p.name()));
	}

	@Override
	public int livePeerCount() {
		return (int) store.peers().stream().filter(StoredPeer::isLive).count();
	}

	@Override
	public String storeKind() {
		return store.kind();
	}

	// ---- messages

	@Override
	public Message send(Caller caller, String recipientRef, DirectMessage request) {
		requireSize(request.body(), "body");
		StoredPeer recipient = resolve(recipientRef);
		if (recipient.id().equals(caller.peerId())) {
			throw new BrokerException(Reason.INVALID, "A peer cannot message itself; name another peer.");
		}
		String replyTo = request.replyTo() == null || request.replyTo().isBlank() ? null : request.replyTo();
		Message message = new Message(Ids.shortId(10), MessageKind.DIRECT, caller.name(), caller.peerId(),
				recipient.name(), recipient.id(), null, request.body(), replyTo, null, clock.instant());
		requireAppended(store.append(List.of(message), limits.maxInbox()).get(0), recipient.name(), recipientRef);
		events.publish(BrokerEvent.MESSAGE, message.sentAt(), null, message, null, null);
		return message;
	}

	@Override
	public List<Message> unread(Caller caller, String peerRef, boolean includeHeld) {
		StoredPeer peer = self(caller, peerRef, "read its inbox");
		return store.unread(peer.id(), includeHeld).stream().map(Delivery::message).toList();
	}

	@Override
	public int hold(Caller caller, String peerRef, Collection<String> messageIds) {
		return store.hold(self(caller, peerRef, "hold its messages").id(), messageIds);
	}

	@Override
	public int release(Caller caller, String peerRef, Collection<String> messageIds) {
		return store.release(self(caller, peerRef, "release its messages").id(), messageIds);
	}

	@Override
	public Set<String> held(Caller caller, String peerRef) {
		return store.held(self(caller, peerRef, "see what it holds").id());
	}

	@Override
	public AcknowledgementResult acknowledge(Caller caller, String peerRef, Collection<String> messageIds) {
		return store.acknowledge(self(caller, peerRef, "acknowledge its messages").id(), messageIds);
	}

	@Override
	public CompletableFuture<Void> mailArrival(Caller caller, String peerRef) {
		String peerId = self(caller, peerRef, "wait for its messages").id();
		return signals.mailArrival(peerId, () -> store.unreadCount(peerId) > 0);
	}

	@Override
	public void openStream(Caller caller, String peerRef, InboxStream stream) {
		signals.openStream(self(caller, peerRef, "open its event stream").id(), stream);
	}

	@Override
	public void closeStream(String peerId, InboxStream stream) {
		signals.streamClosed(peerId, stream);
	}

	@Override
	public List<Delivery> unreadAfter(String peerId, long sequence, int max) {
		return store.unreadAfter(peerId, sequence, max);
	}

	@Override
	public List<Message> outbox(Caller caller, String peerRef) {
		return store.sentUnread(self(caller, peerRef, "see its outbox").id());
	}

	@Override
	public BroadcastResult broadcast(Caller caller, Broadcast request) {
		requireSize(request.body(), "body");
		String topic = request.topic() == null ? null : request.topic().toLowerCase(Locale.ROOT);
		Scope scope = request.scope() == null ? Scope.MACHINE : request.scope();
		Predicate<StoredPeer> inScope = inScope(scope, caller);
		String id = Ids.shortId(10);
		Instant now = clock.instant();
		List<Message> copies = store.peers()
			.stream()
			.filter(StoredPeer::isLive)
			.filter(peer -> !peer.id().equals(caller.peerId()))
			.filter(peer -> topic == null || peer.topics().contains(topic))
			.filter(inScope)
			.sorted(Comparator.comparing(StoredPeer::name))
			.map(peer -> new Message(id, MessageKind.BROADCAST, caller.name(), caller.peerId(), peer.name(), peer.id(),
					topic, request.body(), null, null, now))
			.toList();
		List<String> recipients = new ArrayList<>();
		List<BroadcastResult.Skipped> skipped = new ArrayList<>();
		for (Appended appended : store.append(copies, limits.maxInbox())) {
			switch (appended.outcome()) {
				case APPENDED -> recipients.add(appended.message().to());
				case FULL -> skipped.add(new BroadcastResult.Skipped(appended.message().to(),
						"inbox full (" + limits.maxInbox() + " unread)"));
				// Forgotten since the audience was read: it was no longer in it.
				case GONE -> {
				}
			}
		}
		events.publish(BrokerEvent.BROADCAST, now, null, new Message(id, MessageKind.BROADCAST, caller.name(),
				caller.peerId(), null, null, topic, request.body(), null, null, now), List.copyOf(recipients), null);
		return new BroadcastResult(id, topic, recipients.size(), recipients, skipped);
	}

	// ---- topics

	@Override
	public List<Topic> topics() {
		Map<String, Set<String>> subscribers = new TreeMap<>();
		store.peers()
			.stream()
			.filter(StoredPeer::isLive)
			.forEach(peer -> peer.topics()
				.forEach(topic -> subscribers.computeIfAbsent(topic, t -> new TreeSet<>()).add(peer.name())));
		return subscribers.entrySet().stream().map(e -> new Topic(e.getKey(), List.copyOf(e.getValue()))).toList();
	}

	@Override
	public Topic subscribe(Caller caller, String topic, String peerRef) {
		String name = validTopic(topic);
		StoredPeer peer = self(caller, peerRef, "subscribe itself");
		store.subscribe(peer.id(), name).orElseThrow(() -> gone(peerRef));
		return topic(name);
	}

	@Override
	public Topic unsubscribe(Caller caller, String topic, String peerRef) {
		String name = validTopic(topic);
		StoredPeer peer = self(caller, peerRef, "unsubscribe itself");
		if (!store.unsubscribe(peer.id(), name)) {
			throw new BrokerException(Reason.NOT_FOUND,
					peer.name() + " is not subscribed to topic '" + name + "'; nothing to undo.");
		}
		return topic(name);
	}

	private Topic topic(String name) {
		return new Topic(name,
				store.peers()
					.stream()
					.filter(StoredPeer::isLive)
					.filter(peer -> peer.topics().contains(name))
					.map(StoredPeer::name)
					.sorted()
					.toList());
	}

	// ---- tasks

	@Override
	public Task delegate(Caller caller, TaskRequest request) {
		if (!caller.isPeer()) {
			throw new BrokerException(Reason.FORBIDDEN, "Delegating a task needs a peer identity ("
					+ Headers.PEER_SECRET + "): the outcome is reported to the delegator's inbox.");
		}
		String description = request.description();
		String context = request.context() == null || request.context().isBlank() ? null : request.context();
		requireSize(context == null ? description : description + context, "description and context");
		StoredPeer assignee = resolve(request.to());
		if (assignee.id().equals(caller.peerId())) {
			throw new BrokerException(Reason.INVALID, "A peer cannot delegate a task to itself; name another peer.");
		}
		StoredPeer delegator = store.peer(caller.peerId()).orElseThrow(() -> gone(caller.name()));
		Instant now = clock.instant();
		StoredTask task = new StoredTask("t" + Ids.shortId(7), delegator.id(), delegator.name(), assignee.id(),
				assignee.name(), description, context, TaskStatus.PENDING, null, now, null);
		String body = context == null ? description : description + "\n\nContext:\n" + context;
		Message assignment = new Message(Ids.shortId(10), MessageKind.TASK, delegator.name(), delegator.id(),
				assignee.name(), assignee.id(), null, body, null, task.id(), now);
		requireAppended(store.delegate(task, assignment, limits.maxInbox()), assignee.name(), request.to());
		Task view = view(task);
		events.publish(BrokerEvent.TASK_CREATED, now, null, null, null, view);
		return view;
	}

	@Override
	public Task report(Caller caller, String taskId, TaskOutcome outcome) {
		TaskStatus status = outcome.status();
		if (status == null || status == TaskStatus.PENDING) {
			throw new BrokerException(Reason.INVALID, "status is required: 'completed' or 'failed'.");
		}
		requireSize(outcome.result(), "result");
		StoredTask task = requireTask(taskId);
		checkReportable(task, caller);
		Instant now = clock.instant();
		// The outcome is a notice the delegator asked for: it is not refused for a full
		// inbox, and it stays in the task record whatever happens to the inbox.
		Message notice = new Message(Ids.shortId(10), MessageKind.TASK_RESULT, task.assigneeName(), task.assigneeId(),
				task.delegatorName(), task.delegatorId(), null, status.wireName() + ": " + outcome.result(), null,
				task.id(), now);
		StoredTask finished = store.report(taskId, caller.peerId(), status, outcome.result(), now, notice)
			.orElseThrow(() -> {
				// Reported meanwhile (by another request): say what happened.
				checkReportable(requireTask(taskId), caller);
				return new BrokerException(Reason.CONFLICT, "Task " + taskId + " changed meanwhile; survey shows it.");
			});
		Task view = view(finished);
		events.publish(BrokerEvent.TASK_REPORTED, now, null, null, null, view);
		return view;
	}

	private static void checkReportable(StoredTask task, Caller caller) {
		if (!task.assigneeId().equals(caller.peerId())) {
			throw new BrokerException(Reason.FORBIDDEN,
					"Only " + task.assigneeName() + ", the assignee, can report on task " + task.id() + ".");
		}
		if (task.status() != TaskStatus.PENDING) {
			throw new BrokerException(Reason.CONFLICT, "Task " + task.id() + " was already reported as "
					+ task.status().wireName() + "; a task is reported once.");
		}
	}

	@Override
	public Task task(String taskId) {
		return view(requireTask(taskId));
	}

	@Override
	public List<Task> tasks(String peerRef) {
		if (peerRef.isBlank()) {
			throw new BrokerException(Reason.INVALID, "peer is required: the name or id whose tasks to list.");
		}
		// A peer that is gone is still matched by its id or old name: its tasks stay.
		Optional<StoredPeer> live = tryResolve(peerRef);
		Predicate<String> isPeer = live.isPresent() ? live.get().id()::equals : peerRef::equals;
		Set<String> known = knownIds();
		List<Task> tasks = store.tasks()
			.stream()
			.filter(task -> isPeer.test(task.delegatorId()) || isPeer.test(task.assigneeId())
					|| (live.isEmpty()
							&& (peerRef.equals(task.delegatorName()) || peerRef.equals(task.assigneeName()))))
			.map(task -> view(task, known))
			.toList();
		if (live.isEmpty() && tasks.isEmpty()) {
			throw new BrokerException(Reason.NOT_FOUND,
					"No peer named '" + peerRef + "', and no task of one; discover lists the peers.");
		}
		return tasks;
	}

	@Override
	public List<Task> tasks() {
		Set<String> known = knownIds();
		return store.tasks().stream().map(task -> view(task, known)).toList();
	}

	@Override
	public int unreadCount() {
		return store.unreadCounts().values().stream().mapToInt(Integer::intValue).sum();
	}

	private StoredTask requireTask(String taskId) {
		return store.task(taskId)
			.orElseThrow(() -> new BrokerException(Reason.NOT_FOUND,
					"No task with id '" + taskId + "'; survey lists your tasks."));
	}

	// ---- liveness and expiry

	@Override
	public void sweep() {
		Instant now = clock.instant();
		for (StoredPeer removed : store.removeSilent(now.minus(liveness.removeAfter()), now)) {
			signals.closeStream(removed.id());
			Peer view = view(removed, now);
			log.info("Removed {} ({}) after {} s of silence; keeping {} unread for {}", removed.name(), removed.id(),
					liveness.removeAfter().toSeconds(), view.unread(), liveness.grace());
			events.publish(BrokerEvent.PEER_REMOVED, now, view, null, null, null);
		}
		for (StoredPeer forgotten : store.expire(now.minus(liveness.grace()), now.minus(limits.messageTtl()))) {
			log.info("Forgot {} ({}) after the grace period", forgotten.name(), forgotten.id());
		}
		List<Expired> expired = store.expired(EXPIRED_BATCH);
		if (!expired.isEmpty()) {
			noticeExpired(expired, now);
		}
	}

	/**
	 * Tells each sender, in one message per recipient, which of its messages expired
	 * unread. An expiry that fell due while the broker was down is told at its first
	 * sweep.
	 */
	private void noticeExpired(List<Expired> expired, Instant now) {
		Map<String, Map<String, List<Message>>> bySender = new LinkedHashMap<>();
		for (Expired e : expired) {
			Message message = e.message();
			// Notices about notices would never end; the operator has no inbox.
			if (message.kind() != MessageKind.EXPIRED && message.fromId() != null) {
				bySender.computeIfAbsent(message.fromId(), id -> new TreeMap<>())
					.computeIfAbsent(message.to(), to -> new ArrayList<>())
					.add(message);
			}
		}
		List<Message> notices = new ArrayList<>();
		bySender.forEach((senderId, byRecipient) -> {
			Optional<StoredPeer> sender = store.peer(senderId);
			byRecipient.forEach((recipient, messages) -> {
				String ids = String.join(", ", messages.stream().map(Message::id).toList());
				String body = messages.size() + (messages.size() == 1 ? " message" : " messages") + " you sent to "
						+ recipient + " expired unread: " + ids;
				sender.ifPresent(to -> notices.add(Notices.notice(MessageKind.EXPIRED, to.id(), to.name(), body, now)));
			});
		});
		// Every broker of a shared store sweeps: only the one that settled tells.
		if (store.settleExpired(expired, notices)) {
			notices.forEach(notice -> {
				log.info("Expired unread, told {}: {}", notice.to(), notice.body());
				events.publish(BrokerEvent.MESSAGE, now, null, notice, null, null);
			});
		}
	}

	// ---- rules shared by the steps above

	private void requireAppended(Appended appended, String recipientName, String recipientRef) {
		switch (appended.outcome()) {
			case APPENDED -> {
			}
			case FULL -> throw new BrokerException(Reason.INBOX_FULL, recipientName + "'s inbox is full ("
					+ limits.maxInbox() + " unread); retry once it has read its messages.");
			case GONE -> throw gone(recipientRef);
		}
	}

	private static BrokerException gone(String peerRef) {
		return new BrokerException(Reason.NOT_FOUND,
				"No peer named '" + peerRef + "'; list the peers (discover) and use a name or id from there.");
	}

	private StoredPeer self(Caller caller, String peerRef, String action) {
		StoredPeer peer = resolve(peerRef);
		if (!peer.id().equals(caller.peerId())) {
			throw new BrokerException(Reason.FORBIDDEN, "Only " + peer.name() + " itself can " + action
					+ "; send its own peer secret in the " + Headers.PEER_SECRET + " header.");
		}
		return peer;
	}

	private StoredPeer resolve(String peerRef) {
		return tryResolve(peerRef).orElseThrow(() -> gone(peerRef));
	}

	/**
	 * By exact id, exact name, name ignoring case, then unique id prefix;
	 * {@code name@host} is the name of a peer on that host (names never hold an
	 * {@code @}).
	 */
	private Optional<StoredPeer> tryResolve(String peerRef) {
		if (peerRef == null || peerRef.isBlank()) {
			return Optional.empty();
		}
		Optional<StoredPeer> byId = store.peer(peerRef);
		if (byId.isPresent()) {
			return byId;
		}
		List<StoredPeer> peers = store.peers();
		int at = peerRef.lastIndexOf('@');
		if (at > 0 && at < peerRef.length() - 1) {
			String name = peerRef.substring(0, at);
			String host = peerRef.substring(at + 1);
			return peers.stream()
				.filter(peer -> peer.name().equalsIgnoreCase(name) && hostOf(peer).equalsIgnoreCase(host))
				.findFirst();
		}
		for (Predicate<StoredPeer> match : List.<Predicate<StoredPeer>>of(peer -> peer.name().equals(peerRef),
				peer -> peer.name().equalsIgnoreCase(peerRef), peer -> peer.id().startsWith(peerRef))) {
			List<StoredPeer> matches = peers.stream().filter(match).toList();
			if (matches.size() == 1) {
				return Optional.of(matches.get(0));
			}
			if (matches.size() > 1) {
				throw new BrokerException(Reason.INVALID,
						"'" + peerRef + "' matches several peers ("
								+ String.join(", ",
										matches.stream().map(p -> p.name() + " " + p.id()).sorted().toList())
								+ "); use the full id.");
			}
		}
		return Optional.empty();
	}

	private Predicate<StoredPeer> inScope(Scope scope, Caller caller) {
		if (scope == Scope.ALL) {
			return peer -> true;
		}
		if (scope == Scope.MACHINE) {
			String here = machine.get();
			return peer -> hostOf(peer).equals(here);
		}
		StoredPeer self = caller.isPeer() ? store.peer(caller.peerId()).orElse(null) : null;
		if (self == null) {
			throw new BrokerException(Reason.INVALID,
					"scope 'repo' means the caller's repository: it needs a peer secret (" + Headers.PEER_SECRET
							+ ").");
		}
		String repo = self.repo();
		return peer -> repo != null && repo.equals(peer.repo());
	}

	private static String wantedName(PeerRegistration registration) {
		if (registration.name() != null && !registration.name().isBlank()) {
			return registration.name();
		}
		String directory = "";
		if (registration.cwd() != null && !registration.cwd().isBlank()) {
			Path fileName = Path.of(registration.cwd()).getFileName();
			directory = fileName == null ? "" : fileName.toString();
		}
		String name = directory.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
		return name.isEmpty() ? "peer" : name.substring(0, Math.min(name.length(), 56));
	}

	/**
	 * The configured size limit (UTF-8 bytes); the other rules of a request's shape are
	 * Bean Validation constraints on its record.
	 */
	private void requireSize(String text, String field) {
		if (text == null) {
			return;
		}
		long max = limits.maxBody().toBytes();
		// A char is at most 3 UTF-8 bytes: count bytes only when it could matter.
		if ((long) text.length() * 3 > max) {
			long bytes = text.getBytes(StandardCharsets.UTF_8).length;
			if (bytes > max) {
				throw new BrokerException(Reason.TOO_LARGE, field + " is " + bytes + " bytes; the limit is " + max
						+ " bytes. Send a shorter text, or a path to a file with the rest.");
			}
		}
	}

	private static String validTopic(String topic) {
		if (topic == null || !TOPIC.matcher(topic).matches()) {
			throw new BrokerException(Reason.INVALID, "Invalid topic '" + topic + "': " + Names.TOPIC_RULE + ".");
		}
		return topic.toLowerCase(Locale.ROOT);
	}

	/** A store of one machine keeps no host: its peers are all on this one. */
	private String hostOf(StoredPeer peer) {
		return peer.host() != null ? peer.host() : machine.get();
	}

	private Peer view(StoredPeer peer, Instant now) {
		return view(peer, now, store.unreadCount(peer.id()));
	}

	private Peer view(StoredPeer peer, Instant now, int unread) {
		String state = !peer.isLive() ? Peer.AWAY
				: peer.lastSeen().isBefore(now.minus(liveness.staleAfter())) ? Peer.STALE : Peer.ACTIVE;
		boolean push = signals.hasStream(peer.id());
		return new Peer(peer.id(), peer.name(), peer.pid(), peer.cwd(), peer.repo(), peer.branch(), peer.summary(),
				peer.topics(), peer.registeredAt(), peer.lastSeen(), state, unread, push, delivery(peer, push),
				hostOf(peer));
	}

	/** How mail reaches the peer's model: what its serve reported, and hooks. */
	private static String delivery(StoredPeer peer, boolean push) {
		String serve = peer.delivery() != null ? peer.delivery() : push ? "push stream" : null;
		if (!peer.hooksSeen()) {
			return serve;
		}
		return serve == null ? "hooks" : serve + ", hooks";
	}

	private Set<String> knownIds() {
		Set<String> ids = new HashSet<>();
		store.peers().forEach(peer -> ids.add(peer.id()));
		return ids;
	}

	private Task view(StoredTask task) {
		return view(task, knownIds());
	}

	private static Task view(StoredTask task, Set<String> knownPeers) {
		boolean orphaned = task.status() == TaskStatus.PENDING && !knownPeers.contains(task.assigneeId());
		return new Task(task.id(), task.delegatorName(), task.delegatorId(), task.assigneeName(), task.assigneeId(),
				task.description(), task.context(), task.status(), task.result(), task.createdAt(), task.finishedAt(),
				orphaned);
	}

}
