package dev.mycelium.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable store against the real broker process: many senders and receivers at once,
 * the broker killed with {@code SIGKILL} (or stopped) at a random moment, started again
 * on the same {@code MYCELIUM_HOME}. Every send the broker answered 201 is delivered
 * after the restart; a message comes twice only if its acknowledgement was never
 * answered; per sender and recipient, order is kept. Peers, their secrets, a subscription
 * and a pending task come back too.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DurabilityIntegrationTests {

	private static final int RECIPIENTS = 8;

	private final List<Process> started = new ArrayList<>();

	@TempDir
	Path temporary;

	private Path home;

	private int port;

	@AfterEach
	void stopBrokers() throws InterruptedException {
		for (Process process : started) {
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void aStormOfSendsSurvivesSigkillAtRandomPoints() throws Exception {
		home = temporary.resolve("home");
		port = freePort();
		Process broker = startBroker();
		Setup setup = setUp(16);
		Storm full = new Storm(setup, 16, 2000);

		// One whole storm of 16 x 2,000 with a kill somewhere in its middle...
		broker = killDuringStorm(broker, full, 0.2, 0.8, true);
		full.verify(api());
		assertSessionsCameBack(setup);

		// ...then a few shorter storms killed at other moments.
		for (int round = 0; round < 3; round++) {
			Storm shorter = new Storm(setup, 16, 150);
			broker = killDuringStorm(broker, shorter, 0.05, 0.95, true);
			shorter.verify(api());
		}
		assertSessionsCameBack(setup);
	}

	@Test
	void aStormOfSendsSurvivesAGracefulStop() throws Exception {
		home = temporary.resolve("home");
		port = freePort();
		Process broker = startBroker();
		Setup setup = setUp(8);
		Storm storm = new Storm(setup, 8, 400);

		killDuringStorm(broker, storm, 0.3, 0.7, false);

		storm.verify(api());
		assertSessionsCameBack(setup);
	}

	/** The peers of a storm, plus a subscription and a pending task that must survive. */
	private record Setup(List<BrokerApi.Agent> senders, List<BrokerApi.Agent> recipients, String taskId) {
	}

	private Setup setUp(int senders) {
		BrokerApi api = api();
		List<BrokerApi.Agent> from = new ArrayList<>();
		for (int i = 0; i < senders; i++) {
			from.add(api.register("sender" + i));
		}
		List<BrokerApi.Agent> to = new ArrayList<>();
		for (int i = 0; i < RECIPIENTS; i++) {
			to.add(api.register("recipient" + i));
		}
		api.exchange("PUT", "/api/topics/deploys/subscribers/" + to.get(0).id(), null, to.get(0).secret(), Map.of());
		BrokerApi.Response task = api.post("/api/tasks",
				Map.of("to", to.get(1).name(), "description", "survive the crash"), from.get(0).secret());
		assertThat(task.status()).isEqualTo(201);
		return new Setup(from, to, task.json().path("id").asString());
	}

	private void assertSessionsCameBack(Setup setup) {
		BrokerApi api = api();
		BrokerApi.Agent first = setup.recipients().get(0);
		assertThat(api.get("/api/topics", null).body()).contains("deploys").contains(first.name());
		assertThat(api.get("/api/tasks/" + setup.taskId(), null).json().path("status").asString()).isEqualTo("pending");
		JsonNode again = api
			.post("/api/peers",
					Map.of("name", first.name(), "cwd", "/work/" + first.name(), "session_key", "key-" + first.name()),
					null)
			.json();
		assertThat(again.path("resumed").asBoolean()).as("the session key resumes the same peer").isTrue();
		assertThat(again.path("id").asString()).isEqualTo(first.id());
		// The old secret stopped working: the storm's recipient takes the new one.
		setup.recipients().set(0, new BrokerApi.Agent(first.id(), first.name(), again.path("secret").asString()));
	}

	/**
	 * Runs the storm until a random share of its sends were answered, then kills the
	 * broker ({@code SIGKILL}) or stops it ({@code POST /api/broker/shutdown}, what
	 * {@code mycelium stop} does), and starts it again.
	 */
	private Process killDuringStorm(Process broker, Storm storm, double from, double to, boolean kill)
			throws Exception {
		int target = (int) (storm.total() * ThreadLocalRandom.current().nextDouble(from, to));
		storm.start(api());
		await().atMost(Duration.ofMinutes(3)).until(() -> storm.answered.size() >= target || storm.finished());
		if (kill) {
			broker.destroyForcibly();
		}
		else {
			api().post("/api/broker/shutdown", null, null);
		}
		assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
		storm.stop();
		return startBroker();
	}

	/**
	 * Senders send {@code perSender} messages each, round robin over the recipients,
	 * while the recipients long-poll, record and acknowledge what they get.
	 */
	private static final class Storm {

		private final Setup setup;

		private final int senders;

		private final int perSender;

		/** Bodies of the sends answered 201. */
		final Set<String> answered = ConcurrentHashMap.newKeySet();

		/** Ids whose acknowledgement was answered 200. */
		private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

		/** Per recipient, every message it was handed, in order. */
		private final Map<String, List<Message>> received = new ConcurrentHashMap<>();

		private final AtomicBoolean running = new AtomicBoolean();

		private final AtomicInteger sendersDone = new AtomicInteger();

		private final List<Thread> threads = new ArrayList<>();

		Storm(Setup setup, int senders, int perSender) {
			this.setup = setup;
			this.senders = senders;
			this.perSender = perSender;
			setup.recipients()
				.forEach(r -> received.put(r.id(), java.util.Collections.synchronizedList(new ArrayList<>())));
		}

		int total() {
			return senders * perSender;
		}

		boolean finished() {
			return sendersDone.get() == senders;
		}

		void start(BrokerApi api) {
			running.set(true);
			for (int s = 0; s < senders; s++) {
				BrokerApi.Agent sender = setup.senders().get(s);
				int index = s;
				threads.add(started(() -> {
					try {
						for (int n = 0; n < perSender && running.get(); n++) {
							BrokerApi.Agent recipient = setup.recipients().get((n + index) % RECIPIENTS);
							String body = "s" + index + "-" + n;
							if (api.send(sender, recipient, body).status() == 201) {
								answered.add(body);
							}
						}
					}
					catch (RuntimeException ex) {
						// The broker went away: this send is in doubt, the next ones
						// never made.
					}
					finally {
						sendersDone.incrementAndGet();
					}
				}));
			}
			for (BrokerApi.Agent recipient : setup.recipients()) {
				threads.add(started(() -> {
					try {
						while (running.get()) {
							receiveOnce(api, recipient, "?wait=1");
						}
					}
					catch (RuntimeException ex) {
						// The broker went away.
					}
				}));
			}
		}

		private static Thread started(Runnable work) {
			Thread thread = new Thread(work, "storm");
			thread.setDaemon(true);
			thread.start();
			return thread;
		}

		private boolean receiveOnce(BrokerApi api, BrokerApi.Agent recipient, String query) {
			BrokerApi.Response inbox = api.get("/api/peers/" + recipient.id() + "/messages" + query,
					recipient.secret());
			if (inbox.status() != 200) {
				throw new IllegalStateException("reading failed: " + inbox);
			}
			List<Message> messages = inbox.as(new tools.jackson.core.type.TypeReference<List<Message>>() {
			});
			if (messages.isEmpty()) {
				return false;
			}
			received.get(recipient.id()).addAll(messages);
			List<String> ids = messages.stream().map(Message::id).toList();
			if (api.ack(recipient, ids).status() == 200) {
				acknowledged.addAll(ids);
			}
			return true;
		}

		void stop() throws InterruptedException {
			running.set(false);
			for (Thread thread : threads) {
				thread.join(TimeUnit.SECONDS.toMillis(60));
			}
		}

		/** Drains every inbox on the restarted broker, then checks the three promises. */
		void verify(BrokerApi api) {
			Set<String> acknowledgedBeforeRestart = Set.copyOf(acknowledged);
			for (BrokerApi.Agent recipient : setup.recipients()) {
				while (receiveOnce(api, recipient, "")) {
					// until the inbox is empty
				}
			}
			Map<String, Integer> deliveries = new HashMap<>();
			Set<String> delivered = new java.util.HashSet<>();
			received.values().forEach(list -> list.forEach(m -> {
				deliveries.merge(m.id(), 1, Integer::sum);
				delivered.add(m.body());
			}));
			long repeats = deliveries.values().stream().filter(times -> times > 1).count();
			System.out.printf("storm: %d of %d sends answered 201, %d messages delivered, %d of them twice%n",
					answered.size(), total(), deliveries.size(), repeats);
			assertThat(answered).as("every send answered 201 is delivered").isSubsetOf(delivered);
			deliveries.forEach((id, times) -> {
				if (times > 1) {
					assertThat(acknowledgedBeforeRestart)
						.as("%s came %d times: only an unacknowledged one may", id, times)
						.doesNotContain(id);
				}
			});
			received.forEach((recipientId, list) -> {
				Map<String, Integer> lastBySender = new HashMap<>();
				Set<String> seen = new java.util.HashSet<>();
				for (Message m : list) {
					if (!seen.add(m.id()) || !m.body().matches("s[0-9]+-[0-9]+")) {
						// a repeat, or the task of the setup
						continue;
					}
					String[] parts = m.body().split("-");
					int n = Integer.parseInt(parts[1]);
					Integer last = lastBySender.put(parts[0], n);
					assertThat(last == null || last < n)
						.as("order from %s to %s: %d after %d", parts[0], recipientId, n, last)
						.isTrue();
				}
			});
		}

	}

	private BrokerApi api() {
		return new BrokerApi(port, new MyceliumHome(home).readToken().orElseThrow());
	}

	private Process startBroker() throws IOException {
		Path state = home.resolve("broker.json");
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
						System.getProperty("java.class.path"), MyceliumApplication.class.getName(), "broker", "--port",
						String.valueOf(port), "--mycelium.limits.max-inbox=100000"));
		Path log = temporary.resolve("broker-" + started.size() + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().put("MYCELIUM_HOME", home.toString());
		builder.environment().remove("MYCELIUM_STORE");
		Process process = builder.start();
		started.add(process);
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
			assertThat(process.isAlive()).as("the broker runs (see %s)", log).isTrue();
			if (!Files.exists(state)) {
				return false;
			}
			long pid = BrokerApi.JSON.readValue(state.toFile(), dev.mycelium.protocol.BrokerState.class).pid();
			return pid == process.pid();
		});
		return process;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
