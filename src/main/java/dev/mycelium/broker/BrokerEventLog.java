package dev.mycelium.broker;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Task;

/**
 * The recent broker-wide events (joins, leaves, messages, tasks), for {@code GET
 * /api/events}. A bounded ring: a reader that falls further behind than it holds misses
 * the oldest, and memory never grows with readers or with their speed. Ids are given
 * under this log's own lock, in the order events are published.
 * <p>
 * With a store shared by several brokers (Redis), each broker shares what happened on it
 * and {@linkplain #relay relays} what happened on the others, so {@code tail} and the
 * dashboard's flow on one machine show a message that another machine's session sent. Ids
 * are this broker's own; the messages-per-second figure counts every machine's, as the
 * unread figure beside it does.
 */
final class BrokerEventLog {

	/**
	 * The events that are a message sent: what the broker's messages per second count.
	 */
	private static final Set<String> MESSAGES = Set.of(BrokerEvent.MESSAGE, BrokerEvent.BROADCAST,
			BrokerEvent.TASK_CREATED, BrokerEvent.TASK_REPORTED);

	/** The window of {@link #recentMessages}, in seconds. */
	static final int RATE_WINDOW = 10;

	private final int capacity;

	private final ArrayDeque<BrokerEvent> recent;

	private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

	/** Where this broker's own events go for the other brokers (nowhere with one). */
	private volatile Consumer<BrokerEvent> sharing = event -> {
	};

	private long lastId;

	/**
	 * How many messages were sent in each of the last seconds, in the slot of the second
	 * ({@code secondOf}, modulo the length): a rate that costs the same however many
	 * messages flow.
	 */
	private final long[] messagesIn = new long[RATE_WINDOW + 1];

	private final long[] secondOf = new long[RATE_WINDOW + 1];

	BrokerEventLog(int capacity) {
		this.capacity = capacity;
		this.recent = new ArrayDeque<>(Math.min(capacity, 1024));
	}

	void publish(String type, Instant at, Peer peer, Message message, List<String> recipients, Task task) {
		publish(new BrokerEvent(0, type, at, peer, message, recipients, task));
	}

	/**
	 * A claim's event: made, ended, or in the way of {@code peer}'s edit of {@code path}.
	 */
	void publishClaim(String type, Instant at, Claim claim, Peer peer, String path) {
		publish(new BrokerEvent(0, type, at, peer, null, null, null, claim, path));
	}

	private void publish(BrokerEvent unnumbered) {
		BrokerEvent event;
		synchronized (this) {
			event = append(unnumbered);
		}
		listeners.forEach(Runnable::run);
		sharing.accept(event);
	}

	/** An event another broker shared: appended under an id of this broker. */
	void relay(BrokerEvent event) {
		synchronized (this) {
			append(event);
		}
		listeners.forEach(Runnable::run);
	}

	/** {@code sharer} gets each event of this broker after its readers were woken. */
	void shareWith(Consumer<BrokerEvent> sharer) {
		this.sharing = sharer;
	}

	private BrokerEvent append(BrokerEvent unnumbered) {
		BrokerEvent event = new BrokerEvent(++lastId, unnumbered.type(), unnumbered.at(), unnumbered.peer(),
				unnumbered.message(), unnumbered.recipients(), unnumbered.task(), unnumbered.claim(),
				unnumbered.path());
		String type = event.type();
		Instant at = event.at();
		recent.addLast(event);
		if (recent.size() > capacity) {
			recent.removeFirst();
		}
		if (MESSAGES.contains(type)) {
			long second = at.getEpochSecond();
			int slot = (int) Math.floorMod(second, (long) messagesIn.length);
			if (secondOf[slot] != second) {
				secondOf[slot] = second;
				messagesIn[slot] = 0;
			}
			messagesIn[slot]++;
		}
		return event;
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

	/**
	 * Messages sent in the {@link #RATE_WINDOW} seconds before {@code now} (the current
	 * second counts as one of them).
	 */
	synchronized long recentMessages(Instant now) {
		long current = now.getEpochSecond();
		long count = 0;
		for (int slot = 0; slot < messagesIn.length; slot++) {
			if (secondOf[slot] > current - RATE_WINDOW && secondOf[slot] <= current) {
				count += messagesIn[slot];
			}
		}
		return count;
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
