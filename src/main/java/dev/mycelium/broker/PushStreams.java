package dev.mycelium.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import tools.jackson.databind.json.JsonMapper;

/**
 * The open push streams: each peer's inbox stream and the broker-wide event streams.
 * Closes them all when the broker stops, before the web server waits for requests to
 * finish (a stream never finishes by itself).
 */
@Component
class PushStreams implements SmartLifecycle {

	/** How many events a writer pulls at a time. */
	private static final int BATCH = 64;

	private final BrokerOperations broker;

	private final BrokerEventLog events;

	private final JsonMapper json;

	/** This broker's instance, the prefix of every event id. */
	private final String epoch = Ids.shortId(6);

	private final ExecutorService writers = Executors.newCachedThreadPool(new WriterThreads());

	private final Set<SseStream> open = ConcurrentHashMap.newKeySet();

	private volatile boolean running;

	private final WakeBudget wakes;

	PushStreams(BrokerOperations broker, BrokerEventLog events, JsonMapper json, WakeBudget wakes) {
		this.broker = broker;
		this.wakes = wakes;
		this.events = events;
		this.json = json;
	}

	/**
	 * The caller's inbox: every unread message after {@code lastEventId} (all of them
	 * without one, or with an id from another broker), then each new one as it arrives.
	 */
	SseEmitter inbox(Caller caller, String peerRef, String lastEventId) {
		String peerId = caller.peerId();
		long after = SseStream.positionOf(lastEventId, epoch, 0);
		SseEmitter emitter = new SseEmitter(0L);
		SseStream stream = new SseStream(emitter, epoch, after,
				position -> broker.unreadAfter(peerId, position, BATCH)
					.stream()
					// Whether it may wake an idle session is decided as it is pushed.
					.map(delivery -> new SseStream.Item(delivery.sequence(), "message",
							peerId == null ? delivery.message() : wakes.pushed(peerId, delivery.message())))
					.toList(),
				writers, json);
		stream.onClose(() -> {
			open.remove(stream);
			if (peerId != null) {
				broker.closeStream(peerId, stream);
			}
		});
		if (peerId != null) {
			// A session following its inbox is alive while the stream is: it need not
			// heartbeat as well (an idle serve then sends no request at all).
			stream.onHeartbeat(() -> broker.streamAlive(peerId));
		}
		broker.openStream(caller, peerRef, stream);
		track(stream);
		return emitter;
	}

	/**
	 * Broker-wide events after {@code lastEventId}; without one, only what happens from
	 * now on.
	 */
	SseEmitter events(String lastEventId) {
		long after = SseStream.positionOf(lastEventId, epoch, lastEventId == null ? events.lastId() : 0);
		SseEmitter emitter = new SseEmitter(0L);
		SseStream stream = new SseStream(emitter, epoch, after,
				position -> events.after(position, BATCH)
					.stream()
					.map(event -> new SseStream.Item(event.id(), event.type(), event))
					.toList(),
				writers, json);
		Runnable listener = stream::mailArrived;
		events.addListener(listener);
		stream.onClose(() -> {
			open.remove(stream);
			events.removeListener(listener);
		});
		track(stream);
		stream.mailArrived();
		return emitter;
	}

	private void track(SseStream stream) {
		open.add(stream);
		if (!running) {
			stream.close();
			return;
		}
		// The response headers go out with the first write: without one now, a client
		// would wait for them until the first event or heartbeat.
		stream.heartbeat();
	}

	@Scheduled(fixedDelayString = "${mycelium.push.heartbeat:15s}",
			initialDelayString = "${mycelium.push.heartbeat:15s}")
	void heartbeat() {
		open.forEach(SseStream::heartbeat);
	}

	int openCount() {
		return open.size();
	}

	@Override
	public void start() {
		running = true;
	}

	@Override
	public void stop() {
		running = false;
		open.forEach(SseStream::close);
		writers.shutdown();
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	private static final class WriterThreads implements java.util.concurrent.ThreadFactory {

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public Thread newThread(Runnable runnable) {
			Thread thread = new Thread(runnable, "mycelium-push-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
