package dev.mycelium.serve;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.client.EventStream;
import dev.mycelium.client.ServerSentEvent;
import dev.mycelium.protocol.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code serve --channel}: follows this peer's inbox stream and puts each message into
 * the session at once as a {@code notifications/claude/channel}, then acknowledges it —
 * only after the notification is on standard output, so a crash in between means the
 * message comes again, not that it is lost. A message that comes again after it was shown
 * (its acknowledgement did not reach the broker) is acknowledged, not shown twice. When
 * the stream breaks it reconnects with {@code Last-Event-ID}; when the broker is gone it
 * registers again, starting a broker if none runs.
 */
final class ChannelPush implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ChannelPush.class);

	private static final Duration FIRST_RETRY = Duration.ofMillis(100);

	private static final Duration LAST_RETRY = Duration.ofSeconds(2);

	/** Ids of messages already shown, to show none twice; bounded, oldest forgotten. */
	private final Set<String> shown = Collections.newSetFromMap(new LinkedHashMap<>() {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
			return size() > 10_000;
		}
	});

	private final PeerSession session;

	private final BrokerClient client;

	private final StdioSessionTransport transport;

	private final JsonMapper json;

	private final Thread thread = new Thread(this::run, "mycelium-channel");

	private volatile EventStream stream;

	private volatile boolean closed;

	private String lastEventId;

	ChannelPush(PeerSession session, BrokerClient client, StdioSessionTransport transport, JsonMapper json) {
		this.session = session;
		this.client = client;
		this.transport = transport;
		this.json = json;
		thread.setDaemon(true);
	}

	void start() {
		thread.start();
	}

	private void run() {
		// Claude Code listens for channel notifications once the handshake is over.
		transport.initialized().join();
		Duration retry = FIRST_RETRY;
		while (!closed) {
			try {
				stream = session.call(identity -> client.inboxEvents(identity, lastEventId));
				log.info("Channel push on: following the inbox stream");
				retry = FIRST_RETRY;
				pushLostNotice();
				ServerSentEvent event;
				while (!closed && (event = stream.next()) != null) {
					if ("message".equals(event.event())) {
						push(json.readValue(event.data(), Message.class));
					}
					lastEventId = event.id();
				}
			}
			catch (StdoutGoneException ex) {
				log.info("Standard output is closed: channel push stops");
				return;
			}
			catch (IOException | RuntimeException ex) {
				if (!closed) {
					log.info("Inbox stream interrupted ({}); reconnecting in {} ms", ex.getMessage(), retry.toMillis());
				}
			}
			finally {
				EventStream open = stream;
				if (open != null) {
					open.close();
				}
			}
			pause(retry);
			retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
		}
	}

	private void push(Message message) {
		if (!shown.contains(message.id())) {
			ChannelNotification notification = ChannelNotification.of(message);
			try {
				transport.writeNotification(ChannelNotification.METHOD, notification.params());
			}
			catch (IOException ex) {
				throw new StdoutGoneException(ex);
			}
			shown.add(message.id());
			log.debug("Pushed {} from {}", message.id(), message.from());
		}
		try {
			session.call(identity -> client.acknowledge(identity, List.of(message.id())));
		}
		catch (RuntimeException ex) {
			// It stays unread and comes again on the next stream; it will not be shown
			// twice.
			log.info("Could not acknowledge {} ({}); it will be acknowledged when it comes again", message.id(),
					ex.getMessage());
		}
	}

	/**
	 * After a broker died with mail this session sent: say so now, not at the next call.
	 */
	private void pushLostNotice() {
		String notice = session.takeLostNotice();
		if (notice != null) {
			try {
				transport.writeNotification(ChannelNotification.METHOD,
						new ChannelNotification(ChannelNotification.plainText("[mycelium] " + notice),
								Map.of("from", "mycelium", "kind", "lost"))
							.params());
			}
			catch (IOException ex) {
				throw new StdoutGoneException(ex);
			}
		}
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
