package dev.mycelium.broker;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Task;

/**
 * The recent broker-wide events (joins, leaves, messages, tasks), for {@code GET
 * /api/events}. A bounded ring: a reader that falls further behind than it holds misses
 * the oldest, and memory never grows with readers or with their speed. The repository
 * publishes while holding its lock, so ids follow the order in which things happened.
 */
final class BrokerEventLog {

	private final int capacity;

	private final ArrayDeque<BrokerEvent> recent;

	private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

	private long lastId;

	BrokerEventLog(int capacity) {
		this.capacity = capacity;
		this.recent = new ArrayDeque<>(Math.min(capacity, 1024));
	}

	void publish(String type, Instant at, Peer peer, Message message, List<String> recipients, Task task) {
		synchronized (this) {
			recent.addLast(new BrokerEvent(++lastId, type, at, peer, message, recipients, task));
			if (recent.size() > capacity) {
				recent.removeFirst();
			}
		}
		listeners.forEach(Runnable::run);
	}

	/** Up to {@code max} events after {@code id}, oldest first. */
	synchronized List<BrokerEvent> after(long id, int max) {
		List<BrokerEvent> next = new ArrayList<>();
		if (recent.isEmpty() || recent.peekLast().id() <= id) {
			return next;
		}
		for (BrokerEvent event : recent) {
			if (event.id() > id) {
				next.add(event);
				if (next.size() == max) {
					break;
				}
			}
		}
		return next;
	}

	synchronized long lastId() {
		return lastId;
	}

	/** {@code listener} runs after each event; it must return at once. */
	void addListener(Runnable listener) {
		listeners.add(listener);
	}

	void removeListener(Runnable listener) {
		listeners.remove(listener);
	}

}
