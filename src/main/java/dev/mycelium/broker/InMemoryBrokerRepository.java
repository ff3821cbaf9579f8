package dev.mycelium.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.BrokerException.Reason;
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
 * The broker's state in memory. One lock guards it all: every operation is a few map
 * look-ups, far cheaper than the HTTP exchange around it, and one lock makes ordering and
 * exactly-once acknowledgement easy to see. Waiters are completed outside the lock.
 */
final class InMemoryBrokerRepository implements BrokerRepository {

	private static final Logger log = LoggerFactory.getLogger(InMemoryBrokerRepository.class);

	/** The sender name of notices the broker itself writes. */
	static final String BROKER_NAME = "mycelium";

	private static final Pattern TOPIC = Pattern.compile(Names.TOPIC);

	private static final int MAX_ID_LENGTH = 64;

	/** Message ids are the broker's base32; a little wider, for ids of other tools. */
	private static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9_-]+");

	private final Object lock = new Object();

	private final Map<String, PeerRecord> peersById = new HashMap<>();

	private final Map<String, String> peerIdBySessionKey = new HashMap<>();

	private final Map<String, String> peerIdBySecretHash = new HashMap<>();

	private final Map<String, TaskRecord> tasksById = new LinkedHashMap<>();

	private final Clock clock;

	private final BrokerProperties.Limits limits;

	private final BrokerProperties.Liveness liveness;

	private final BrokerEventLog events;

	InMemoryBrokerRepository(Clock clock, BrokerProperties.Limits limits, BrokerProperties.Liveness liveness,
			BrokerEventLog events) {
		this.clock = clock;
		this.limits = limits;
		this.liveness = liveness;
		this.events = events;
	}

	// ---- peers

	@Override
	public Registration register(PeerRegistration registration) {
		Instant now = clock.instant();
		String secret = Ids.secret();
		synchronized (this.lock) {
			PeerRecord peer = Optional.ofNullable(registration.sessionKey())
				.map(peerIdBySessionKey::get)
				.map(peersById::get)
				.orElse(null);
			boolean resumed = peer != null;
			if (peer == null) {
				String wanted = wantedName(registration);
				peer = new PeerRecord(uniqueId(), claimName(wanted, null), wanted, now);
				peersById.put(peer.id, peer);
				if (registration.sessionKey() != null) {
					peer.sessionKeys.add(registration.sessionKey());
					peerIdBySessionKey.put(registration.sessionKey(), peer.id);
				}
			}
			else {
				if (peer.secretHash != null) {
					// A restarted session replaces the old one: the old secret stops
					// working.
					peerIdBySecretHash.remove(peer.secretHash);
				}
				// What the old serve held for its own delivery it will never confirm.
				peer.held.clear();
				peer.delivery = null;
				if (!peer.name.equals(peer.wantedName)) {
					peer.name = claimName(peer.wantedName, peer);
				}
			}
			peer.clientPid = registration.clientPid();
			peer.pid = registration.pid();
			peer.cwd = registration.cwd();
			peer.repo = RepoIdentity.normalize(registration.repo());
			peer.branch = registration.branch();
			if (registration.summary() != null || !resumed) {
				peer.summary = registration.summary();
			}
			peer.secretHash = Ids.hash(secret);
			peer.lastSeen = now;
			peer.awaySince = null;
			peerIdBySecretHash.put(peer.secretHash, peer.id);
			log.info("{} {} ({}) from {}", resumed ? "Resumed" : "Registered", peer.name, peer.id, peer.cwd);
			Peer view = view(peer, now);
			events.publish(BrokerEvent.PEER_JOINED, now, view, null, null, null);
			return new Registration(peer.id, peer.name, secret, resumed, view);
		}
	}

	@Override
	public Optional<Caller> authenticate(String secret) {
		String hash = Ids.hash(secret);
		synchronized (this.lock) {
			PeerRecord peer = Optional.ofNullable(peerIdBySecretHash.get(hash)).map(peersById::get).orElse(null);
			if (peer == null) {
				return Optional.empty();
			}
			// Any request is a sign of life: a peer removed for silence (a laptop asleep)
			// comes back with its inbox as soon as it speaks again.
			peer.lastSeen = clock.instant();
			if (peer.awaySince != null) {
				peer.awaySince = null;
				events.publish(BrokerEvent.PEER_JOINED, peer.lastSeen, view(peer, peer.lastSeen), null, null, null);
			}
			return Optional.of(new Caller(peer.id, peer.name));
		}
	}

	@Override
	public List<Peer> peers(Scope scope, Caller caller) {
		synchronized (this.lock) {
			Instant now = clock.instant();
			Predicate<PeerRecord> inScope = inScope(scope, caller);
			return peersById.values()
				.stream()
				.filter(PeerRecord::isLive)
				.filter(inScope)
				.sorted(Comparator.comparing(peer -> peer.name))
				.map(peer -> view(peer, now))
				.toList();
		}
	}

	@Override
	public Peer peer(String peerRef) {
		synchronized (this.lock) {
			return view(resolve(peerRef), clock.instant());
		}
	}

	@Override
	public Peer update(Caller caller, String peerRef, PeerUpdate update) {
		if (update.isEmpty()) {
			throw new BrokerException(Reason.INVALID,
					"Nothing to change: send summary, branch or delivery (or several of them).");
		}
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "change its summary");
			if (update.summary() != null) {
				peer.summary = update.summary();
			}
			if (update.branch() != null) {
				peer.branch = update.branch().isBlank() ? null : update.branch();
			}
			if (update.delivery() != null) {
				peer.delivery = update.delivery().isBlank() ? null : update.delivery();
			}
			return view(peer, clock.instant());
		}
	}

	@Override
	public Peer heartbeat(Caller caller, String peerRef) {
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "send its heartbeat");
			peer.lastSeen = clock.instant();
			return view(peer, peer.lastSeen);
		}
	}

	@Override
	public void leave(Caller caller, String peerRef) {
		InboxStream stream;
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "deregister");
			peer.awaySince = clock.instant();
			peerIdBySecretHash.remove(peer.secretHash);
			peer.secretHash = null;
			peer.held.clear();
			peer.delivery = null;
			stream = detachStream(peer);
			log.info("{} ({}) left with {} unread", peer.name, peer.id, peer.inbox.size());
			events.publish(BrokerEvent.PEER_LEFT, peer.awaySince, view(peer, peer.awaySince), null, null, null);
		}
		if (stream != null) {
			stream.close();
		}
	}

	@Override
	public Optional<Caller> hookSession(String sessionId, Long clientPid) {
		if (sessionId == null || sessionId.isBlank()) {
			return Optional.empty();
		}
		List<CompletableFuture<Void>> woken = new ArrayList<>();
		Optional<Caller> found;
		synchronized (this.lock) {
			PeerRecord bySession = Optional.ofNullable(peerIdBySessionKey.get(sessionId))
				.map(peersById::get)
				.orElse(null);
			PeerRecord byClient = clientPid == null ? null
					: peersById.values()
						.stream()
						.filter(PeerRecord::isLive)
						.filter(peer -> clientPid.equals(peer.clientPid))
						.max(Comparator.comparing(peer -> peer.lastSeen))
						.orElse(null);
			PeerRecord peer = bySession;
			if (byClient != null && (bySession == null || (!bySession.isLive() && bySession != byClient))) {
				// Claude Code gave its MCP server one session id and its hooks another
				// (claude -p --continue does): the live serve of that Claude Code process
				// is this session, and takes over what an earlier peer of the session
				// left.
				if (bySession != null) {
					woken.addAll(adopt(byClient, bySession));
				}
				byClient.sessionKeys.add(sessionId);
				peerIdBySessionKey.put(sessionId, byClient.id);
				peer = byClient;
			}
			if (peer != null) {
				peer.hooksSeen = true;
			}
			found = Optional.ofNullable(peer).map(p -> new Caller(p.id, p.name));
		}
		woken.forEach(waiter -> waiter.complete(null));
		return found;
	}

	/**
	 * The live {@code heir} takes over a peer of the same session that left: its unread
	 * mail (in order, behind what the heir already has), its topics, its tasks and its
	 * session keys.
	 */
	private List<CompletableFuture<Void>> adopt(PeerRecord heir, PeerRecord gone) {
		log.info("{} ({}) takes over {} ({}) of the same Claude Code session, with {} unread", heir.name, heir.id,
				gone.name, gone.id, gone.inbox.size());
		List<CompletableFuture<Void>> woken = new ArrayList<>();
		for (Delivery delivery : gone.inbox.values()) {
			Message m = delivery.message();
			woken.addAll(deliver(heir, new Message(m.id(), m.kind(), m.from(), m.fromId(), heir.name, heir.id,
					m.topic(), m.body(), m.replyTo(), m.taskId(), m.sentAt())));
		}
		heir.topics.addAll(gone.topics);
		for (TaskRecord task : tasksById.values()) {
			if (task.delegatorId.equals(gone.id)) {
				task.delegatorId = heir.id;
				task.delegatorName = heir.name;
			}
			if (task.assigneeId.equals(gone.id)) {
				task.assigneeId = heir.id;
				task.assigneeName = heir.name;
			}
		}
		for (String key : gone.sessionKeys) {
			heir.sessionKeys.add(key);
			peerIdBySessionKey.put(key, heir.id);
		}
		gone.inbox.clear();
		gone.sessionKeys.clear();
		peersById.remove(gone.id);
		return woken;
	}

	@Override
	public int livePeerCount() {
		synchronized (this.lock) {
			return (int) peersById.values().stream().filter(PeerRecord::isLive).count();
		}
	}

	@Override
	public int unreadCount() {
		synchronized (this.lock) {
			return peersById.values().stream().mapToInt(peer -> peer.inbox.size()).sum();
		}
	}

	// ---- messages

	@Override
	public Message send(Caller caller, String recipientRef, DirectMessage request) {
		String body = requireText(request.body(), "body", "the message to send");
		String replyTo = optionalId(request.replyTo(), "reply_to");
		List<CompletableFuture<Void>> woken;
		Message message;
		synchronized (this.lock) {
			PeerRecord recipient = resolve(recipientRef);
			if (recipient.id.equals(caller.peerId())) {
				throw new BrokerException(Reason.INVALID, "A peer cannot message itself; name another peer.");
			}
			requireRoom(recipient);
			message = new Message(Ids.shortId(10), MessageKind.DIRECT, caller.name(), caller.peerId(), recipient.name,
					recipient.id, null, body, replyTo, null, clock.instant());
			woken = deliver(recipient, message);
			events.publish(BrokerEvent.MESSAGE, message.sentAt(), null, message, null, null);
		}
		woken.forEach(waiter -> waiter.complete(null));
		return message;
	}

	@Override
	public List<Message> unread(Caller caller, String peerRef, boolean includeHeld) {
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "read its inbox");
			return peer.inbox.values()
				.stream()
				.map(Delivery::message)
				.filter(message -> includeHeld || !peer.held.contains(message.id()))
				.toList();
		}
	}

	@Override
	public int hold(Caller caller, String peerRef, Collection<String> messageIds) {
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "hold its messages");
			int held = 0;
			for (String id : messageIds) {
				if (id != null && peer.inbox.containsKey(id) && peer.held.add(id)) {
					held++;
				}
			}
			return held;
		}
	}

	@Override
	public int release(Caller caller, String peerRef, Collection<String> messageIds) {
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "release its messages");
			int released = 0;
			for (String id : messageIds) {
				if (id != null && peer.held.remove(id)) {
					released++;
				}
			}
			return released;
		}
	}

	@Override
	public Set<String> held(Caller caller, String peerRef) {
		synchronized (this.lock) {
			return Set.copyOf(self(caller, peerRef, "see what it holds").held);
		}
	}

	@Override
	public AcknowledgementResult acknowledge(Caller caller, String peerRef, Collection<String> messageIds) {
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "acknowledge its messages");
			int acknowledged = 0;
			for (String id : messageIds) {
				if (id != null && peer.inbox.remove(id) != null) {
					peer.held.remove(id);
					acknowledged++;
				}
			}
			return new AcknowledgementResult(acknowledged, peer.inbox.size());
		}
	}

	@Override
	public CompletableFuture<Void> mailArrival(Caller caller, String peerRef) {
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "wait for its messages");
			if (!peer.inbox.isEmpty()) {
				return CompletableFuture.completedFuture(null);
			}
			// Long-polls that timed out were cancelled: drop them so waiting costs
			// nothing.
			peer.mailWaiters.removeIf(CompletableFuture::isDone);
			CompletableFuture<Void> arrival = new CompletableFuture<>();
			peer.mailWaiters.add(arrival);
			return arrival;
		}
	}

	@Override
	public List<Message> outbox(Caller caller, String peerRef) {
		synchronized (this.lock) {
			PeerRecord self = self(caller, peerRef, "see its outbox");
			return peersById.values()
				.stream()
				.flatMap(peer -> peer.inbox.values().stream())
				.map(Delivery::message)
				.filter(message -> self.id.equals(message.fromId()))
				.sorted(Comparator.comparing(Message::sentAt))
				.toList();
		}
	}

	@Override
	public void openStream(Caller caller, String peerRef, InboxStream stream) {
		InboxStream replaced;
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "open its event stream");
			replaced = detachStream(peer);
			peer.stream = stream;
			stream.mailArrived();
		}
		if (replaced != null) {
			replaced.close();
		}
	}

	@Override
	public void closeStream(String peerId, InboxStream stream) {
		synchronized (this.lock) {
			PeerRecord peer = peersById.get(peerId);
			if (peer != null && peer.stream == stream) {
				peer.stream = null;
			}
		}
	}

	@Override
	public List<Delivery> unreadAfter(String peerId, long sequence, int max) {
		synchronized (this.lock) {
			PeerRecord peer = peersById.get(peerId);
			if (peer == null) {
				return List.of();
			}
			List<Delivery> next = new ArrayList<>(Math.min(max, peer.inbox.size()));
			for (Delivery delivery : peer.inbox.values()) {
				if (delivery.sequence() > sequence) {
					next.add(delivery);
					if (next.size() == max) {
						break;
					}
				}
			}
			return next;
		}
	}

	private static InboxStream detachStream(PeerRecord peer) {
		InboxStream stream = peer.stream;
		peer.stream = null;
		return stream;
	}

	@Override
	public BroadcastResult broadcast(Caller caller, Broadcast request) {
		String body = requireText(request.body(), "body", "the message to broadcast");
		String topic = request.topic() == null ? null : validTopic(request.topic());
		Scope scope = request.scope() == null ? Scope.MACHINE : request.scope();
		String id = Ids.shortId(10);
		List<String> recipients = new ArrayList<>();
		List<BroadcastResult.Skipped> skipped = new ArrayList<>();
		List<CompletableFuture<Void>> woken = new ArrayList<>();
		synchronized (this.lock) {
			Instant now = clock.instant();
			Predicate<PeerRecord> inScope = inScope(scope, caller);
			List<PeerRecord> audience = peersById.values()
				.stream()
				.filter(PeerRecord::isLive)
				.filter(peer -> !peer.id.equals(caller.peerId()))
				.filter(peer -> topic == null || peer.topics.contains(topic))
				.filter(inScope)
				.sorted(Comparator.comparing(peer -> peer.name))
				.toList();
			for (PeerRecord peer : audience) {
				if (peer.inbox.size() >= limits.maxInbox()) {
					skipped
						.add(new BroadcastResult.Skipped(peer.name, "inbox full (" + limits.maxInbox() + " unread)"));
					continue;
				}
				woken.addAll(deliver(peer, new Message(id, MessageKind.BROADCAST, caller.name(), caller.peerId(),
						peer.name, peer.id, topic, body, null, null, now)));
				recipients.add(peer.name);
			}
			events.publish(BrokerEvent.BROADCAST, now, null, new Message(id, MessageKind.BROADCAST, caller.name(),
					caller.peerId(), null, null, topic, body, null, null, now), List.copyOf(recipients), null);
		}
		woken.forEach(waiter -> waiter.complete(null));
		return new BroadcastResult(id, topic, recipients.size(), recipients, skipped);
	}

	// ---- topics

	@Override
	public List<Topic> topics() {
		synchronized (this.lock) {
			Map<String, Set<String>> subscribers = new TreeMap<>();
			peersById.values()
				.stream()
				.filter(PeerRecord::isLive)
				.forEach(peer -> peer.topics
					.forEach(topic -> subscribers.computeIfAbsent(topic, t -> new TreeSet<>()).add(peer.name)));
			return subscribers.entrySet().stream().map(e -> new Topic(e.getKey(), List.copyOf(e.getValue()))).toList();
		}
	}

	@Override
	public Topic subscribe(Caller caller, String topic, String peerRef) {
		String name = validTopic(topic);
		synchronized (this.lock) {
			self(caller, peerRef, "subscribe itself").topics.add(name);
			return topic(name);
		}
	}

	@Override
	public Topic unsubscribe(Caller caller, String topic, String peerRef) {
		String name = validTopic(topic);
		synchronized (this.lock) {
			PeerRecord peer = self(caller, peerRef, "unsubscribe itself");
			if (!peer.topics.remove(name)) {
				throw new BrokerException(Reason.NOT_FOUND,
						peer.name + " is not subscribed to topic '" + name + "'; nothing to undo.");
			}
			return topic(name);
		}
	}

	private Topic topic(String name) {
		return new Topic(name,
				peersById.values()
					.stream()
					.filter(PeerRecord::isLive)
					.filter(peer -> peer.topics.contains(name))
					.map(peer -> peer.name)
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
		String description = requireText(request.description(), "description", "what the assignee should do");
		String context = request.context() == null || request.context().isBlank() ? null : request.context();
		requireSize(description.length() + (context == null ? 0 : context.length()),
				utf8Length(description) + (context == null ? 0 : utf8Length(context)), "description and context");
		if (request.to() == null || request.to().isBlank()) {
			throw new BrokerException(Reason.INVALID, "to is required: name the peer (name or id) to delegate to.");
		}
		List<CompletableFuture<Void>> woken;
		Task view;
		synchronized (this.lock) {
			PeerRecord assignee = resolve(request.to());
			if (assignee.id.equals(caller.peerId())) {
				throw new BrokerException(Reason.INVALID,
						"A peer cannot delegate a task to itself; name another peer.");
			}
			requireRoom(assignee);
			PeerRecord delegator = peersById.get(caller.peerId());
			Instant now = clock.instant();
			TaskRecord task = new TaskRecord(uniqueTaskId(), delegator.id, delegator.name, assignee.id, assignee.name,
					description, context, now);
			tasksById.put(task.id, task);
			String body = context == null ? description : description + "\n\nContext:\n" + context;
			woken = deliver(assignee, new Message(Ids.shortId(10), MessageKind.TASK, delegator.name, delegator.id,
					assignee.name, assignee.id, null, body, null, task.id, now));
			view = view(task);
			events.publish(BrokerEvent.TASK_CREATED, now, null, null, null, view);
		}
		woken.forEach(waiter -> waiter.complete(null));
		return view;
	}

	@Override
	public Task report(Caller caller, String taskId, TaskOutcome outcome) {
		TaskStatus status = outcome.status();
		if (status == null || status == TaskStatus.PENDING) {
			throw new BrokerException(Reason.INVALID, "status is required: 'completed' or 'failed'.");
		}
		String result = requireText(outcome.result(), "result", "what was done, or why it failed");
		List<CompletableFuture<Void>> woken = List.of();
		Task view;
		synchronized (this.lock) {
			TaskRecord task = requireTask(taskId);
			if (!task.assigneeId.equals(caller.peerId())) {
				throw new BrokerException(Reason.FORBIDDEN,
						"Only " + task.assigneeName + ", the assignee, can report on task " + task.id + ".");
			}
			if (task.status != TaskStatus.PENDING) {
				throw new BrokerException(Reason.CONFLICT, "Task " + task.id + " was already reported as "
						+ task.status.wireName() + "; a task is reported once.");
			}
			Instant now = clock.instant();
			task.status = status;
			task.result = result;
			task.finishedAt = now;
			PeerRecord delegator = peersById.get(task.delegatorId);
			// The outcome is a notice the delegator asked for: it is not refused for a
			// full
			// inbox, and it stays in the task record whatever happens to the inbox.
			if (delegator != null) {
				woken = deliver(delegator,
						new Message(Ids.shortId(10), MessageKind.TASK_RESULT, task.assigneeName, task.assigneeId,
								delegator.name, delegator.id, null, status.wireName() + ": " + result, null, task.id,
								now));
			}
			view = view(task);
			events.publish(BrokerEvent.TASK_REPORTED, now, null, null, null, view);
		}
		woken.forEach(waiter -> waiter.complete(null));
		return view;
	}

	@Override
	public Task task(String taskId) {
		synchronized (this.lock) {
			return view(requireTask(taskId));
		}
	}

	@Override
	public List<Task> tasks(String peerRef) {
		synchronized (this.lock) {
			if (peerRef.isBlank()) {
				throw new BrokerException(Reason.INVALID, "peer is required: the name or id whose tasks to list.");
			}
			// A peer that is gone is still matched by its id or old name: its tasks stay.
			Optional<PeerRecord> live = tryResolve(peerRef);
			Predicate<String> isPeer = live.isPresent() ? live.get().id::equals : peerRef::equals;
			List<Task> tasks = tasksById.values()
				.stream()
				.filter(task -> isPeer.test(task.delegatorId) || isPeer.test(task.assigneeId)
						|| (live.isEmpty()
								&& (peerRef.equals(task.delegatorName) || peerRef.equals(task.assigneeName))))
				.map(this::view)
				.toList();
			if (live.isEmpty() && tasks.isEmpty()) {
				throw new BrokerException(Reason.NOT_FOUND,
						"No peer named '" + peerRef + "', and no task of one; discover lists the peers.");
			}
			return tasks;
		}
	}

	@Override
	public List<Task> tasks() {
		synchronized (this.lock) {
			return tasksById.values().stream().map(this::view).toList();
		}
	}

	private TaskRecord requireTask(String taskId) {
		TaskRecord task = tasksById.get(taskId);
		if (task == null) {
			throw new BrokerException(Reason.NOT_FOUND, "No task with id '" + taskId + "'; survey lists your tasks.");
		}
		return task;
	}

	// ---- liveness and expiry

	@Override
	public void sweep() {
		List<CompletableFuture<Void>> woken = new ArrayList<>();
		List<InboxStream> closed = new ArrayList<>();
		synchronized (this.lock) {
			Instant now = clock.instant();
			Instant silentSince = now.minus(liveness.removeAfter());
			Instant leftBefore = now.minus(liveness.grace());
			Instant sentBefore = now.minus(limits.messageTtl());
			Map<String, List<Message>> expiredBySender = new LinkedHashMap<>();
			for (Iterator<PeerRecord> it = peersById.values().iterator(); it.hasNext();) {
				PeerRecord peer = it.next();
				if (peer.isLive() && peer.lastSeen.isBefore(silentSince)) {
					peer.awaySince = now;
					peer.held.clear();
					peer.delivery = null;
					Optional.ofNullable(detachStream(peer)).ifPresent(closed::add);
					log.info("Removed {} ({}) after {} s of silence; keeping {} unread for {}", peer.name, peer.id,
							liveness.removeAfter().toSeconds(), peer.inbox.size(), liveness.grace());
					events.publish(BrokerEvent.PEER_REMOVED, now, view(peer, now), null, null, null);
				}
				if (!peer.isLive() && peer.awaySince.isBefore(leftBefore)) {
					peer.inbox.values().forEach(d -> collectExpired(expiredBySender, d.message()));
					forget(peer);
					it.remove();
					continue;
				}
				for (Iterator<Delivery> messages = peer.inbox.values().iterator(); messages.hasNext();) {
					Message message = messages.next().message();
					if (message.sentAt().isBefore(sentBefore)) {
						collectExpired(expiredBySender, message);
						messages.remove();
					}
				}
			}
			expiredBySender.forEach((senderId, expired) -> woken.addAll(noticeExpired(senderId, expired, now)));
		}
		woken.forEach(waiter -> waiter.complete(null));
		closed.forEach(InboxStream::close);
	}

	private void forget(PeerRecord peer) {
		for (String key : peer.sessionKeys) {
			peerIdBySessionKey.remove(key, peer.id);
		}
		if (peer.secretHash != null) {
			peerIdBySecretHash.remove(peer.secretHash);
		}
		log.info("Forgot {} ({}) after the grace period", peer.name, peer.id);
	}

	private static void collectExpired(Map<String, List<Message>> expiredBySender, Message message) {
		// Notices about notices would never end; the operator has no inbox.
		if (message.kind() != MessageKind.EXPIRED && message.fromId() != null) {
			expiredBySender.computeIfAbsent(message.fromId(), id -> new ArrayList<>()).add(message);
		}
	}

	/**
	 * Tells a sender, in one message per recipient, which of its messages expired unread.
	 */
	private List<CompletableFuture<Void>> noticeExpired(String senderId, List<Message> expired, Instant now) {
		PeerRecord sender = peersById.get(senderId);
		Map<String, List<Message>> byRecipient = new TreeMap<>();
		expired.forEach(m -> byRecipient.computeIfAbsent(m.to(), to -> new ArrayList<>()).add(m));
		List<CompletableFuture<Void>> woken = new ArrayList<>();
		byRecipient.forEach((recipient, messages) -> {
			String ids = String.join(", ", messages.stream().map(Message::id).toList());
			String body = messages.size() + (messages.size() == 1 ? " message" : " messages") + " you sent to "
					+ recipient + " expired unread: " + ids;
			log.info("Expired unread from {}: {}", senderId, body);
			if (sender != null) {
				Message notice = new Message(Ids.shortId(10), MessageKind.EXPIRED, BROKER_NAME, null, sender.name,
						sender.id, null, body, null, null, now);
				woken.addAll(deliver(sender, notice));
				events.publish(BrokerEvent.MESSAGE, now, null, notice, null, null);
			}
		});
		return woken;
	}

	// ---- helpers (callers hold the lock)

	private List<CompletableFuture<Void>> deliver(PeerRecord recipient, Message message) {
		recipient.inbox.put(message.id(), new Delivery(++recipient.lastSequence, message));
		if (recipient.stream != null) {
			recipient.stream.mailArrived();
		}
		if (recipient.mailWaiters.isEmpty()) {
			return List.of();
		}
		List<CompletableFuture<Void>> woken = new ArrayList<>(recipient.mailWaiters);
		recipient.mailWaiters.clear();
		return woken;
	}

	private void requireRoom(PeerRecord recipient) {
		if (recipient.inbox.size() >= limits.maxInbox()) {
			throw new BrokerException(Reason.INBOX_FULL, recipient.name + "'s inbox is full (" + limits.maxInbox()
					+ " unread); retry once it has read its messages.");
		}
	}

	private PeerRecord self(Caller caller, String peerRef, String action) {
		PeerRecord peer = resolve(peerRef);
		if (!peer.id.equals(caller.peerId())) {
			throw new BrokerException(Reason.FORBIDDEN, "Only " + peer.name + " itself can " + action
					+ "; send its own peer secret in the " + Headers.PEER_SECRET + " header.");
		}
		return peer;
	}

	private PeerRecord resolve(String peerRef) {
		return tryResolve(peerRef).orElseThrow(() -> new BrokerException(Reason.NOT_FOUND,
				"No peer named '" + peerRef + "'; list the peers (discover) and use a name or id from there."));
	}

	/** By exact id, exact name, name ignoring case, then unique id prefix. */
	private Optional<PeerRecord> tryResolve(String peerRef) {
		if (peerRef == null || peerRef.isBlank()) {
			return Optional.empty();
		}
		PeerRecord byId = peersById.get(peerRef);
		if (byId != null) {
			return Optional.of(byId);
		}
		for (Predicate<PeerRecord> match : List.<Predicate<PeerRecord>>of(peer -> peer.name.equals(peerRef),
				peer -> peer.name.equalsIgnoreCase(peerRef), peer -> peer.id.startsWith(peerRef))) {
			List<PeerRecord> matches = peersById.values().stream().filter(match).toList();
			if (matches.size() == 1) {
				return Optional.of(matches.get(0));
			}
			if (matches.size() > 1) {
				throw new BrokerException(Reason.INVALID,
						"'" + peerRef + "' matches several peers ("
								+ String.join(", ", matches.stream().map(p -> p.name + " " + p.id).sorted().toList())
								+ "); use the full id.");
			}
		}
		return Optional.empty();
	}

	private Predicate<PeerRecord> inScope(Scope scope, Caller caller) {
		if (scope == Scope.MACHINE) {
			return peer -> true;
		}
		PeerRecord self = caller.isPeer() ? peersById.get(caller.peerId()) : null;
		if (self == null) {
			throw new BrokerException(Reason.INVALID,
					"scope 'repo' means the caller's repository: it needs a peer secret (" + Headers.PEER_SECRET
							+ ").");
		}
		String repo = self.repo;
		return peer -> repo != null && repo.equals(peer.repo);
	}

	private String uniqueId() {
		String id;
		do {
			id = Ids.shortId(8);
		}
		while (peersById.containsKey(id));
		return id;
	}

	private String uniqueTaskId() {
		String id;
		do {
			id = "t" + Ids.shortId(7);
		}
		while (tasksById.containsKey(id));
		return id;
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
	 * The name a session gets: {@code wanted} unless a live peer has it (then with a
	 * suffix). A name addresses the live session: a peer that left yields it, and is
	 * renamed with a suffix, keeping its unread mail for the session that may come back.
	 */
	private String claimName(String wanted, PeerRecord self) {
		PeerRecord holder = peersById.values()
			.stream()
			.filter(peer -> peer != self && peer.name.equalsIgnoreCase(wanted))
			.findFirst()
			.orElse(null);
		if (holder == null) {
			return wanted;
		}
		if (holder.isLive()) {
			// A returning session keeps the name it has meanwhile.
			return self != null ? self.name : uniqueName(wanted);
		}
		String moved = uniqueName(wanted);
		log.info("{} ({}) left; its name goes to the new session and it is now {}, with {} unread", holder.name,
				holder.id, moved, holder.inbox.size());
		holder.name = moved;
		return wanted;
	}

	private String uniqueName(String wanted) {
		String name = wanted;
		for (int n = 2; nameTaken(name); n++) {
			String suffix = "-" + n;
			// The suffix must not take the name past the length of the name rule.
			name = wanted.substring(0, Math.min(wanted.length(), Names.MAX_PEER_NAME - suffix.length())) + suffix;
		}
		return name;
	}

	private boolean nameTaken(String name) {
		return peersById.values().stream().anyMatch(peer -> peer.name.equalsIgnoreCase(name));
	}

	private String requireText(String text, String field, String what) {
		if (text == null || text.isBlank()) {
			throw new BrokerException(Reason.INVALID, field + " is required and must not be empty: " + what + ".");
		}
		requireSize(text.length(), utf8Length(text), field);
		return text;
	}

	private void requireSize(int chars, long utf8Bytes, String field) {
		long max = limits.maxBody().toBytes();
		// A char is at most 3 UTF-8 bytes: count bytes only when it could matter.
		if ((long) chars * 3 > max && utf8Bytes > max) {
			throw new BrokerException(Reason.TOO_LARGE, field + " is " + utf8Bytes + " bytes; the limit is " + max
					+ " bytes. Send a shorter text, or a path to a file with the rest.");
		}
	}

	private static long utf8Length(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

	private static String optionalId(String id, String field) {
		if (id == null || id.isBlank()) {
			return null;
		}
		if (id.length() > MAX_ID_LENGTH) {
			throw new BrokerException(Reason.INVALID,
					field + " must be a message id, not " + id.length() + " characters.");
		}
		if (!MESSAGE_ID.matcher(id).matches()) {
			throw new BrokerException(Reason.INVALID,
					field + " must be a message id: letters and digits, as sense shows them.");
		}
		return id;
	}

	private static String validTopic(String topic) {
		if (topic == null || !TOPIC.matcher(topic).matches()) {
			throw new BrokerException(Reason.INVALID, "Invalid topic '" + topic + "': " + Names.TOPIC_RULE + ".");
		}
		return topic.toLowerCase(Locale.ROOT);
	}

	private Peer view(PeerRecord peer, Instant now) {
		String state = !peer.isLive() ? Peer.AWAY
				: peer.lastSeen.isBefore(now.minus(liveness.staleAfter())) ? Peer.STALE : Peer.ACTIVE;
		return new Peer(peer.id, peer.name, peer.pid, peer.cwd, peer.repo, peer.branch, peer.summary,
				List.copyOf(peer.topics), peer.registeredAt, peer.lastSeen, state, peer.inbox.size(),
				peer.stream != null, delivery(peer));
	}

	/** How mail reaches the peer's model: what its serve reported, and hooks. */
	private static String delivery(PeerRecord peer) {
		String serve = peer.delivery != null ? peer.delivery : peer.stream != null ? "push stream" : null;
		if (!peer.hooksSeen) {
			return serve;
		}
		return serve == null ? "hooks" : serve + ", hooks";
	}

	private Task view(TaskRecord task) {
		boolean orphaned = task.status == TaskStatus.PENDING && !peersById.containsKey(task.assigneeId);
		return new Task(task.id, task.delegatorName, task.delegatorId, task.assigneeName, task.assigneeId,
				task.description, task.context, task.status, task.result, task.createdAt, task.finishedAt, orphaned);
	}

	/** A registered peer; mutable, guarded by the repository's lock. */
	private static final class PeerRecord {

		final String id;

		/** Changes only when a session that left yields its name to a live one. */
		String name;

		/** The name it asked for (its directory's); it takes it back when it can. */
		final String wantedName;

		final Instant registeredAt;

		final Set<String> topics = new TreeSet<>();

		/**
		 * Unread messages its serve is delivering into the session (the inbox socket) and
		 * has not yet seen confirmed: hooks and notices leave them out.
		 */
		final Set<String> held = new HashSet<>();

		/** Its session keys: the one it registered with, and those its hooks named. */
		final Set<String> sessionKeys = new LinkedHashSet<>();

		/** Unread messages by id, in arrival order. */
		final LinkedHashMap<String, Delivery> inbox = new LinkedHashMap<>();

		/** The sequence number of the last message put in the inbox. */
		long lastSequence;

		/** Its open push stream, if any. */
		InboxStream stream;

		final List<CompletableFuture<Void>> mailWaiters = new ArrayList<>();

		Long pid;

		String cwd;

		String repo;

		String branch;

		String summary;

		Long clientPid;

		/** How its serve delivers mail into the session, as it last reported. */
		String delivery;

		boolean hooksSeen;

		String secretHash;

		Instant lastSeen;

		/** When it left or was removed; {@code null} while live. */
		Instant awaySince;

		PeerRecord(String id, String name, String wantedName, Instant registeredAt) {
			this.id = id;
			this.name = name;
			this.wantedName = wantedName;
			this.registeredAt = registeredAt;
			this.lastSeen = registeredAt;
		}

		boolean isLive() {
			return awaySince == null;
		}

	}

	/** A delegated task; mutable, guarded by the repository's lock. */
	private static final class TaskRecord {

		final String id;

		/** The ids and names change only when a peer of the same session takes over. */
		String delegatorId;

		String delegatorName;

		String assigneeId;

		String assigneeName;

		final String description;

		final String context;

		final Instant createdAt;

		TaskStatus status = TaskStatus.PENDING;

		String result;

		Instant finishedAt;

		TaskRecord(String id, String delegatorId, String delegatorName, String assigneeId, String assigneeName,
				String description, String context, Instant createdAt) {
			this.id = id;
			this.delegatorId = delegatorId;
			this.delegatorName = delegatorName;
			this.assigneeId = assigneeId;
			this.assigneeName = assigneeName;
			this.description = description;
			this.context = context;
			this.createdAt = createdAt;
		}

	}

}
