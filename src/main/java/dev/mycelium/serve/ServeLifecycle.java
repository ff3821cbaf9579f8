package dev.mycelium.serve;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * The session's life: register at once (in the background, so the MCP handshake never
 * waits for a broker to start), heartbeat, and exit when the session ends, whichever way
 * it ends: standard input closed, the parent process (Claude Code) gone, or a signal.
 * Leaving the broker happens on shutdown, which every one of those reaches.
 */
final class ServeLifecycle implements ApplicationRunner, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ServeLifecycle.class);

	private final PeerSession session;

	private final StdioSessionTransport transport;

	private final InboxDelivery delivery;

	private final Duration heartbeatInterval;

	/** Daemon threads only: they must never keep the process alive after the session. */
	private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "mycelium-heartbeat");
		thread.setDaemon(true);
		return thread;
	});

	ServeLifecycle(PeerSession session, StdioSessionTransport transport, InboxDelivery delivery,
			Duration heartbeatInterval) {
		this.session = session;
		this.transport = transport;
		this.delivery = delivery;
		this.heartbeatInterval = heartbeatInterval;
	}

	@Override
	public void run(ApplicationArguments args) {
		session.connectInBackground();
		delivery.start();
		heartbeats.scheduleWithFixedDelay(this::heartbeat, heartbeatInterval.toMillis(), heartbeatInterval.toMillis(),
				TimeUnit.MILLISECONDS);
		transport.closed().thenRun(() -> exit("standard input closed"));
		ProcessHandle.current()
			.parent()
			.ifPresent(parent -> parent.onExit().thenRun(() -> exit("parent process " + parent.pid() + " ended")));
	}

	private void heartbeat() {
		try {
			session.heartbeat(delivery.following());
		}
		catch (RuntimeException ex) {
			log.warn("Heartbeat failed: {}", ex.getMessage());
		}
	}

	/**
	 * Exits on a new daemon thread: {@code System.exit} on a thread the shutdown waits
	 * for would deadlock.
	 */
	private void exit(String why) {
		session.ending();
		log.info("Session over ({}): leaving and exiting", why);
		Thread exit = new Thread(() -> System.exit(0), "mycelium-exit");
		exit.setDaemon(true);
		exit.start();
	}

	@Override
	public void close() {
		session.ending();
		delivery.close();
		heartbeats.shutdownNow();
		session.leave();
	}

}
