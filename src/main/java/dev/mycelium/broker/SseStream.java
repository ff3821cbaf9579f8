package dev.mycelium.broker;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.broker.push.InboxStream;
import dev.mycelium.broker.store.StoreUnavailableException;

/**
 * One open Server-Sent Events stream. It holds no events: it remembers the position of
 * the last one it wrote and pulls what comes after from its source (an inbox, the event
 * log) whenever told that something arrived. So a slow or stalled reader costs one
 * position, not a growing queue: its messages wait where they are, and when its
 * connection is finally found dead the stream closes. Writes happen on a writer thread,
 * never on the thread that delivered a message, so a blocked socket never slows a sender.
 */
final class SseStream implements InboxStream {

	/** What a source yields: the event's position (its SSE id), name and data. */
	record Item(long position, String name, Object data) {
	}

	/** The next few items after a position, oldest first; empty when none. */
	interface Source {

		List<Item> after(long position);

	}

	private final SseEmitter emitter;

	private final String epoch;

	private final Source source;

	private final Executor writers;

	private final JsonMapper json;

	private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();

	private final List<Runnable> heartbeatActions = new CopyOnWriteArrayList<>();

	/** Touched only by the writer, one writer at a time. */
	private long position;

	// Guarded by this.
	private boolean writing;

	private boolean again;

	private boolean heartbeatDue;

	private boolean closed;

	/**
	 * @param epoch the broker's instance, prefixed to every id: an id from another
	 * broker's stream must not skip anything in this one
	 * @param position the position of the last event the reader already has
	 */
	SseStream(SseEmitter emitter, String epoch, long position, Source source, Executor writers, JsonMapper json) {
		this.emitter = emitter;
		this.epoch = epoch;
		this.position = position;
		this.source = source;
		this.writers = writers;
		this.json = json;
		emitter.onCompletion(this::close);
		emitter.onTimeout(this::close);
		emitter.onError(error -> close());
	}

	/** The SSE id of the event at {@code position}. */
	static String eventId(String epoch, long position) {
		return epoch + "-" + position;
	}

	/**
	 * The position a reader's {@code Last-Event-ID} points at, when it came from this
	 * broker; else {@code fallback}.
	 */
	static long positionOf(String lastEventId, String epoch, long fallback) {
		if (lastEventId == null || !lastEventId.startsWith(epoch + "-")) {
			return fallback;
		}
		try {
			return Math.max(0, Long.parseLong(lastEventId.substring(epoch.length() + 1)));
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

	void onClose(Runnable action) {
		closeActions.add(action);
	}

	/**
	 * Runs after each heartbeat that reached the connection (or was replaced by events
	 * that did): the reader was still there.
	 */
	void onHeartbeat(Runnable action) {
		heartbeatActions.add(action);
	}

	@Override
	public void mailArrived() {
		schedule(false);
	}

	/** A comment line, so that a dead connection is noticed even when nothing happens. */
	void heartbeat() {
		schedule(true);
	}

	@Override
	public void close() {
		synchronized (this) {
			if (closed) {
				return;
			}
			closed = true;
		}
		try {
			emitter.complete();
		}
		catch (RuntimeException ex) {
			// already completed, or its connection is gone: nothing left to end
		}
		closeActions.forEach(Runnable::run);
	}

	private void schedule(boolean heartbeat) {
		synchronized (this) {
			if (closed) {
				return;
			}
			heartbeatDue |= heartbeat;
			if (writing) {
				again = true;
				return;
			}
			writing = true;
		}
		try {
			writers.execute(this::write);
		}
		catch (RejectedExecutionException ex) {
			close();
		}
	}

	private void write() {
		try {
			while (true) {
				boolean heartbeat;
				boolean due;
				synchronized (this) {
					if (closed) {
						writing = false;
						return;
					}
					heartbeat = heartbeatDue;
					heartbeatDue = false;
					due = heartbeat;
					again = false;
				}
				List<Item> items;
				try {
					while (!(items = source.after(position)).isEmpty()) {
						for (Item item : items) {
							emitter.send(SseEmitter.event()
								.id(eventId(epoch, item.position()))
								.name(item.name())
								.data(json.writeValueAsString(item.data())));
							position = item.position();
						}
						heartbeat = false;
					}
				}
				catch (StoreUnavailableException ex) {
					// The store cannot be read just now (its Redis is away): the stream
					// stays
					// open, and the next wake-up (every reader is woken when the store is
					// back) or heartbeat pulls again from where it was.
				}
				if (heartbeat) {
					emitter.send(SseEmitter.event().comment("heartbeat"));
				}
				if (due) {
					heartbeatActions.forEach(Runnable::run);
				}
				synchronized (this) {
					if (!again && !heartbeatDue) {
						writing = false;
						return;
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// The reader is gone (or the emitter already ended): its messages stay
			// unread.
			synchronized (this) {
				writing = false;
			}
			close();
		}
	}

}
