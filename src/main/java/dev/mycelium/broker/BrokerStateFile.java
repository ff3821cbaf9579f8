package dev.mycelium.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

import dev.mycelium.broker.store.StoreRefusedException;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.MyceliumHome;

/**
 * Makes this broker the only one of its {@code MYCELIUM_HOME}: holds {@code broker.lock}
 * for its whole life, writes {@code broker.json} atomically once the port is bound (so a
 * reader never sees a half-written file or a port not yet listening) and removes it on
 * shutdown.
 */
final class BrokerStateFile implements ApplicationListener<WebServerInitializedEvent>, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(BrokerStateFile.class);

	private final MyceliumHome home;

	private final JsonMapper json;

	private final String host;

	private final String version;

	private final String instanceId = Ids.shortId(12);

	private final Instant startedAt;

	private final Clock clock;

	private final FileChannel lockChannel;

	private final FileLock lock;

	private volatile int port;

	private final MachineName machineName;

	BrokerStateFile(MyceliumHome home, JsonMapper json, String host, MachineName machineName, String version,
			Clock clock) {
		this.home = home;
		this.json = json;
		this.host = host;
		this.machineName = machineName;
		this.version = version;
		this.clock = clock;
		this.startedAt = clock.instant();
		home.createDirectory();
		try {
			this.lockChannel = FileChannel.open(home.brokerLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock acquired;
			try {
				acquired = lockChannel.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				acquired = null;
			}
			if (acquired == null) {
				lockChannel.close();
				throw new StoreRefusedException("Another mycelium broker is already running for MYCELIUM_HOME="
						+ home.directory() + " (see " + home.brokerState() + "); stop it first or use another home.");
			}
			this.lock = acquired;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot lock " + home.brokerLock(), ex);
		}
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		this.port = event.getWebServer().getPort();
		BrokerState state = new BrokerState(ProcessHandle.current().pid(), host, port, instanceId, startedAt, version);
		try {
			Path temporary = Files.createTempFile(home.directory(), "broker", ".json.tmp");
			json.writeValue(temporary.toFile(), state);
			Files.move(temporary, home.brokerState(), StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + home.brokerState(), ex);
		}
		log.info("mycelium broker {} listening on {}:{} (MYCELIUM_HOME={})", version, host, port, home.directory());
	}

	/**
	 * @param unread the messages waiting in all inboxes
	 * @param recentMessages the messages sent in the last ten seconds
	 * @param store which store keeps the state
	 */
	BrokerInfo info(int livePeers, int unread, long recentMessages, String store) {
		long uptime = Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds());
		return new BrokerInfo(version, instanceId, ProcessHandle.current().pid(), host, port, startedAt, livePeers,
				machineName.get(), uptime, recentMessages, unread, store);
	}

	@Override
	public void close() throws IOException {
		try {
			Files.deleteIfExists(home.brokerState());
		}
		finally {
			lock.release();
			lockChannel.close();
		}
	}

}
