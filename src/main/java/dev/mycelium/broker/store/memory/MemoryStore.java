package dev.mycelium.broker.store.memory;

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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.ClaimStore;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.broker.store.Expired;
import dev.mycelium.broker.store.NameRule;
import dev.mycelium.broker.store.PeerRules;
import dev.mycelium.broker.store.Registered;
import dev.mycelium.broker.store.Registering;
import dev.mycelium.broker.store.RegistrationPlan;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.TaskStatus;

/**
 * Everything in this process, gone with it ({@code MYCELIUM_STORE=memory}). One lock
 * makes each step atomic: every step is a few map look-ups, far cheaper than the HTTP
 * exchange around it. Listeners are told outside the lock.
 */
public final class MemoryStore implements BrokerStore {

	private final Map<String, StoredPeer> peers = new HashMap<>();

	private final Map<String, String> peerIdBySessionKey = new HashMap<>();

	private final Map<String, String> peerIdBySecretHash = new HashMap<>();

	/** Unread messages per peer, by id in arrival order. */
	private final Map<String, LinkedHashMap<String, Delivery>> inboxes = new HashMap<>();

	private final Map<String, Set<String>> held = new HashMap<>();

	private final Map<String, Long> lastSequence = new HashMap<>();

	private final Map<String, StoredTask> tasks = new LinkedHashMap<>();

	private final List<Expired> expired = new ArrayList<>();

	private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

	private final MemoryClaims claims = new MemoryClaims();

	@Override
	public ClaimStore claims() {
		return claims;
	}

	@Override
	public String kind() {
		return "memory";
	}

	@Override
	public void onMail(Consumer<String> listener) {
		listeners.add(listener);
	}

	private void tell(Collection<String> peerIds) {
		for (String peerId : peerIds) {
			listeners.forEach(listener -> listener.accept(peerId));
		}
	}

	// ---- peers

	@Override
	public Registered register(Registering registering, Supplier<String> newId, NameRule names) {
		synchronized (this) {
			StoredPeer existing = Optional.ofNullable(registering.sessionKey())
				.map(peerIdBySessionKey::get)
				.map(peers::get)
				.orElse(null);
			if (existing != null && existing.secretHash() != null) {
				// The old secret stops working: a restarted session replaces the old one.
				peerIdBySecretHash.remove(existing.secretHash());
			}
			RegistrationPlan plan = RegistrationPlan.of(peers.values(), existing, registering, newId, names);
			if (plan.renamed() != null) {
				peers.put(plan.renamed().id(), plan.renamed());
			}
			StoredPeer peer = plan.peer();
			if (plan.resumed()) {
				// What the old serve held for its own delivery it will never confirm.
				held.remove(peer.id());
			}
			else {
				peer.sessionKeys().forEach(key -> peerIdBySessionKey.put(key, peer.id()));
			}
			peers.put(peer.id(), peer);
			peerIdBySecretHash.put(peer.secretHash(), peer.id());
			return plan.registered();
		}
	}

	@Override
	public synchronized Optional<StoredPeer> peer(String id) {
		return Optional.ofNullable(peers.get(id));
	}

	@Override
	public synchronized Optional<StoredPeer> peerBySecret(String secretHash) {
		return Optional.ofNullable(peerIdBySecretHash.get(secretHash)).map(peers::get);
	}

	@Override
	public synchronized Optional<StoredPeer> peerBySessionKey(String sessionKey) {
		return Optional.ofNullable(peerIdBySessionKey.get(sessionKey)).map(peers::get);
	}

	@Override
	public synchronized List<StoredPeer> peers() {
		return List.copyOf(peers.values());
	}

	@Override
	public synchronized Optional<StoredPeer> touch(String peerId, Instant at) {
		StoredPeer peer = peers.get(peerId);
		if (peer == null || peer.hasLeft()) {
			return Optional.empty();
		}
		StoredPeer touched = PeerRules.touched(peer, at);
		peers.put(peerId, touched);
		return Optional.of(touched);
	}

	@Override
	public synchronized Optional<StoredPeer> update(String peerId, PeerUpdate update) {
		return Optional.ofNullable(peers.computeIfPresent(peerId, (id, peer) -> PeerRules.updated(peer, update)));
	}

	@Override
	public synchronized Optional<StoredPeer> leave(String peerId, Instant at) {
		StoredPeer peer = peers.get(peerId);
		if (peer == null) {
			return Optional.empty();
		}
		if (peer.secretHash() != null) {
			peerIdBySecretHash.remove(peer.secretHash());
		}
		held.remove(peerId);
		StoredPeer away = peer.away(at, false);
		peers.put(peerId, away);
		return Optional.of(away);
	}

	@Override
	public Optional<StoredPeer> joinSession(String heirId, String sessionKey, String goneId) {
		List<String> woken = new ArrayList<>();
		StoredPeer result;
		synchronized (this) {
			StoredPeer heir = peers.get(heirId);
			if (heir == null) {
				return Optional.empty();
			}
			StoredPeer gone = goneId == null || goneId.equals(heirId) ? null : peers.get(goneId);
			if (gone != null) {
				LinkedHashMap<String, Delivery> inbox = inboxes.remove(gone.id());
				if (inbox != null && !inbox.isEmpty()) {
					for (Delivery delivery : inbox.values()) {
						deliver(PeerRules.readdressed(delivery.message(), heir));
					}
					woken.add(heir.id());
				}
				held.remove(gone.id());
				lastSequence.remove(gone.id());
				gone.sessionKeys().forEach(key -> peerIdBySessionKey.put(key, heir.id()));
				if (gone.secretHash() != null) {
					peerIdBySecretHash.remove(gone.secretHash());
				}
				tasks.replaceAll((id, task) -> task.takenOver(gone.id(), heir));
				peers.remove(gone.id());
			}
			peerIdBySessionKey.put(sessionKey, heir.id());
			result = PeerRules.joined(heir, gone, sessionKey);
			peers.put(heir.id(), result);
		}
		tell(woken);
		return Optional.of(result);
	}

	@Override
	public synchronized Map<String, Integer> unreadCounts() {
		Map<String, Integer> counts = new HashMap<>();
		inboxes.forEach((id, inbox) -> counts.put(id, inbox.size()));
		return counts;
	}

	@Override
	public synchronized int unreadCount(String peerId) {
		LinkedHashMap<String, Delivery> inbox = inboxes.get(peerId);
		return inbox == null ? 0 : inbox.size();
	}

	// ---- inboxes

	@Override
	public List<Appended> append(List<Message> messages, int maxUnread) {
		List<Appended> outcomes;
		synchronized (this) {
			outcomes = appendLocked(messages, maxUnread);
		}
		tellAppended(outcomes);
		return outcomes;
	}

	private List<Appended> appendLocked(List<Message> messages, int maxUnread) {
		List<Appended> outcomes = new ArrayList<>(messages.size());
		for (Message message : messages) {
			if (!peers.containsKey(message.toId())) {
				outcomes.add(new Appended(message, Appended.Outcome.GONE, 0));
			}
			else if (unreadCount(message.toId()) >= maxUnread) {
				outcomes.add(new Appended(message, Appended.Outcome.FULL, 0));
			}
			else {
				outcomes.add(new Appended(message, Appended.Outcome.APPENDED, deliver(message)));
			}
		}
		return outcomes;
	}

	/** Outside the lock: a listener may complete waiters that read the inbox at once. */
	private void tellAppended(List<Appended> outcomes) {
		Set<String> woken = new LinkedHashSet<>();
		outcomes.stream().filter(Appended::isAppended).forEach(a -> woken.add(a.message().toId()));
		tell(woken);
	}

	private long deliver(Message message) {
		long sequence = lastSequence.merge(message.toId(), 1L, Long::sum);
		inboxes.computeIfAbsent(message.toId(), id -> new LinkedHashMap<>())
			.put(message.id(), new Delivery(sequence, message));
		return sequence;
	}

	@Override
	public synchronized List<Delivery> unread(String peerId, boolean includeHeld) {
		LinkedHashMap<String, Delivery> inbox = inboxes.get(peerId);
		if (inbox == null) {
			return List.of();
		}
		Set<String> holds = held.getOrDefault(peerId, Set.of());
		return inbox.values()
			.stream()
			.filter(delivery -> includeHeld || !holds.contains(delivery.message().id()))
			.toList();
	}

	@Override
	public synchronized List<Delivery> unreadAfter(String peerId, long sequence, int max) {
		LinkedHashMap<String, Delivery> inbox = inboxes.get(peerId);
		if (inbox == null) {
			return List.of();
		}
		List<Delivery> next = new ArrayList<>(Math.min(max, inbox.size()));
		for (Delivery delivery : inbox.values()) {
			if (delivery.sequence() > sequence) {
				next.add(delivery);
				if (next.size() == max) {
					break;
				}
			}
		}
		return next;
	}

	@Override
	public synchronized int hold(String peerId, Collection<String> messageIds) {
		LinkedHashMap<String, Delivery> inbox = inboxes.getOrDefault(peerId, new LinkedHashMap<>());
		Set<String> holds = held.computeIfAbsent(peerId, id -> new HashSet<>());
		int count = 0;
		for (String id : messageIds) {
			if (id != null && inbox.containsKey(id) && holds.add(id)) {
				count++;
			}
		}
		return count;
	}

	@Override
	public synchronized int release(String peerId, Collection<String> messageIds) {
		Set<String> holds = held.getOrDefault(peerId, new HashSet<>());
		int count = 0;
		for (String id : messageIds) {
			if (id != null && holds.remove(id)) {
				count++;
			}
		}
		return count;
	}

	@Override
	public synchronized Set<String> held(String peerId) {
		return Set.copyOf(held.getOrDefault(peerId, Set.of()));
	}

	@Override
	public synchronized AcknowledgementResult acknowledge(String peerId, Collection<String> messageIds) {
		LinkedHashMap<String, Delivery> inbox = inboxes.getOrDefault(peerId, new LinkedHashMap<>());
		Set<String> holds = held.getOrDefault(peerId, new HashSet<>());
		int count = 0;
		for (String id : messageIds) {
			if (id != null && inbox.remove(id) != null) {
				holds.remove(id);
				count++;
			}
		}
		return new AcknowledgementResult(count, inbox.size());
	}

	@Override
	public synchronized List<Message> sentUnread(String senderId) {
		return inboxes.values()
			.stream()
			.flatMap(inbox -> inbox.values().stream())
			.map(Delivery::message)
			.filter(message -> senderId.equals(message.fromId()))
			.sorted(Comparator.comparing(Message::sentAt))
			.toList();
	}

	// ---- topics

	@Override
	public synchronized Optional<StoredPeer> subscribe(String peerId, String topic) {
		return Optional.ofNullable(peers.computeIfPresent(peerId, (id, peer) -> PeerRules.subscribed(peer, topic)));
	}

	@Override
	public synchronized boolean unsubscribe(String peerId, String topic) {
		StoredPeer peer = peers.get(peerId);
		if (peer == null || !peer.topics().contains(topic)) {
			return false;
		}
		peers.put(peerId, PeerRules.unsubscribed(peer, topic));
		return true;
	}

	// ---- tasks

	@Override
	public Appended delegate(StoredTask task, Message assignment, int maxUnread) {
		List<Appended> outcomes;
		synchronized (this) {
			outcomes = appendLocked(List.of(assignment), maxUnread);
			if (outcomes.get(0).isAppended()) {
				tasks.put(task.id(), task);
			}
		}
		tellAppended(outcomes);
		return outcomes.get(0);
	}

	@Override
	public Optional<StoredTask> report(String taskId, String assigneeId, TaskStatus status, String result, Instant at,
			Message notice) {
		StoredTask finished;
		List<Appended> outcomes;
		synchronized (this) {
			StoredTask task = tasks.get(taskId);
			if (task == null || task.status() != TaskStatus.PENDING || !task.assigneeId().equals(assigneeId)) {
				return Optional.empty();
			}
			finished = task.finished(status, result, at);
			tasks.put(taskId, finished);
			outcomes = appendLocked(List.of(notice), Integer.MAX_VALUE);
		}
		tellAppended(outcomes);
		return Optional.of(finished);
	}

	@Override
	public synchronized Optional<StoredTask> task(String taskId) {
		return Optional.ofNullable(tasks.get(taskId));
	}

	@Override
	public synchronized List<StoredTask> tasks() {
		return List.copyOf(tasks.values());
	}

	// ---- liveness and expiry

	@Override
	public synchronized List<StoredPeer> removeSilent(Instant silentSince, Instant at) {
		List<StoredPeer> removed = new ArrayList<>();
		for (StoredPeer peer : List.copyOf(peers.values())) {
			if (peer.isLive() && peer.lastSeen().isBefore(silentSince)) {
				StoredPeer away = peer.away(at, true);
				peers.put(peer.id(), away);
				held.remove(peer.id());
				removed.add(away);
			}
		}
		return removed;
	}

	@Override
	public synchronized List<StoredPeer> expire(Instant awayBefore, Instant sentBefore) {
		List<StoredPeer> forgotten = new ArrayList<>();
		for (Iterator<StoredPeer> it = peers.values().iterator(); it.hasNext();) {
			StoredPeer peer = it.next();
			if (!peer.isLive() && peer.awaySince().isBefore(awayBefore)) {
				LinkedHashMap<String, Delivery> inbox = inboxes.remove(peer.id());
				if (inbox != null) {
					inbox.values().forEach(d -> expired.add(new Expired(peer.id(), d.message())));
				}
				held.remove(peer.id());
				lastSequence.remove(peer.id());
				peer.sessionKeys().forEach(key -> peerIdBySessionKey.remove(key, peer.id()));
				if (peer.secretHash() != null) {
					peerIdBySecretHash.remove(peer.secretHash());
				}
				forgotten.add(peer);
				it.remove();
			}
		}
		inboxes.forEach((peerId, inbox) -> {
			for (Iterator<Delivery> it = inbox.values().iterator(); it.hasNext();) {
				Message message = it.next().message();
				if (message.sentAt().isBefore(sentBefore)) {
					expired.add(new Expired(peerId, message));
					held.getOrDefault(peerId, new HashSet<>()).remove(message.id());
					it.remove();
				}
			}
		});
		return forgotten;
	}

	@Override
	public synchronized List<Expired> expired(int max) {
		return List.copyOf(expired.subList(0, Math.min(max, expired.size())));
	}

	@Override
	public boolean settleExpired(Collection<Expired> settled, List<Message> notices) {
		List<Appended> outcomes;
		synchronized (this) {
			expired.removeAll(settled);
			outcomes = appendLocked(notices, Integer.MAX_VALUE);
		}
		tellAppended(outcomes);
		return true;
	}

	@Override
	public void close() {
		// Nothing to release: the state goes with the process.
	}

}
