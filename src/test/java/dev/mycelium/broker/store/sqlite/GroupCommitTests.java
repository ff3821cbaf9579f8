package dev.mycelium.broker.store.sqlite;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.broker.store.Registering;
import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many requests writing at once share commits: each waits (yielding, then parked) for the
 * batch that carries its step, and must get its own answer, whether that batch committed
 * or failed.
 */
class GroupCommitTests {

	private static final int WRITERS = 16;

	private static final int SENDS_EACH = 300;

	private static final List<String> RECIPIENTS = List.of("r0000000", "r1111111", "r2222222", "r3333333");

	@TempDir
	Path directory;

	@Test
	void sixteenWritersAtOnceEachGetTheirOwnAnswerAndEverySendIsStoredInOrder() throws Exception {
		try (SqliteStore store = storeWithRecipients()) {
			Map<String, List<Long>> sequencesBySender = new ConcurrentHashMap<>();
			List<CompletableFuture<Void>> writers = startAtOnce(WRITERS, writer -> {
				List<Long> sequences = new ArrayList<>();
				for (int i = 0; i < SENDS_EACH; i++) {
					String to = RECIPIENTS.get(i % RECIPIENTS.size());
					String id = "w" + writer + "-" + i;
					List<Appended> answer = store.append(List.of(message(id, to)), 100_000);
					assertThat(answer).singleElement().satisfies(appended -> {
						assertThat(appended.isAppended()).isTrue();
						assertThat(appended.message().id()).as("its own answer").isEqualTo(id);
					});
					sequences.add(answer.get(0).sequence());
				}
				sequencesBySender.put("w" + writer, sequences);
			});
			CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

			assertThat(sequencesBySender.values().stream().flatMap(List::stream).distinct().count())
				.as("a sequence number each")
				.isEqualTo(WRITERS * SENDS_EACH);
			sequencesBySender.values().forEach(sequences -> assertThat(sequences).isSorted());
			int stored = 0;
			for (String recipient : RECIPIENTS) {
				List<Delivery> inbox = store.unread(recipient, true);
				stored += inbox.size();
				for (int writer = 0; writer < WRITERS; writer++) {
					String prefix = "w" + writer + "-";
					assertThat(inbox.stream()
						.map(delivery -> delivery.message().id())
						.filter(id -> id.startsWith(prefix))
						.map(id -> Integer.parseInt(id.substring(prefix.length())))
						.toList()).as("%s's messages to %s, in the order sent", prefix, recipient).isSorted();
				}
			}
			assertThat(stored).isEqualTo(WRITERS * SENDS_EACH);
		}
	}

	@Test
	void aBatchThatFailsAnswersEveryWriterWaitingOnItAndKeepsWhatTheStoreHad() throws Exception {
		try (SqliteStore store = storeWithRecipients()) {
			store.append(List.of(message("kept", RECIPIENTS.get(0))), 100_000);
			faults.fillDisk();
			Map<String, Throwable> refusals = new ConcurrentHashMap<>();
			List<CompletableFuture<Void>> writers = startAtOnce(WRITERS, writer -> {
				for (int i = 0; i < 20; i++) {
					Message large = message("w" + writer + "-" + i, RECIPIENTS.get(writer % RECIPIENTS.size()),
							"x".repeat(100_000));
					try {
						store.append(List.of(large), 100_000);
					}
					catch (StoreUnavailableException ex) {
						refusals.put(large.id(), ex);
					}
				}
			});
			CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

			assertThat(refusals).as("every send refused, none left waiting").hasSize(WRITERS * 20);
			assertThat(refusals.values()).allSatisfy(ex -> assertThat(ex).hasMessageContaining("the disk is full"));
			assertThat(store.unread(RECIPIENTS.get(0), true)).extracting(delivery -> delivery.message().id())
				.containsExactly("kept");
			assertThat(RECIPIENTS.stream().mapToInt(store::unreadCount).sum()).isEqualTo(1);
		}
	}

	private interface Writer {

		void run(int index) throws Exception;

	}

	/** Starts the writers together, so that their steps meet in the same commits. */
	private static List<CompletableFuture<Void>> startAtOnce(int count, Writer writer) {
		ExecutorService threads = Executors.newFixedThreadPool(count);
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<Void>> writers = new ArrayList<>();
		for (int index = 0; index < count; index++) {
			int writerIndex = index;
			writers.add(CompletableFuture.runAsync(() -> {
				try {
					start.await();
					writer.run(writerIndex);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}, threads));
		}
		start.countDown();
		CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new))
			.orTimeout(Duration.ofSeconds(90).toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((done, failure) -> threads.shutdownNow());
		return writers;
	}

	private final DiskFaults faults = new DiskFaults();

	private SqliteStore storeWithRecipients() {
		SqliteStore store = faults.open(directory.resolve("mycelium.db"));
		for (String id : RECIPIENTS) {
			store.register(new Registering("key-" + id, "peer-" + id, 1L, "/work/" + id, null, null, null, null,
					"hash-" + id, Instant.now(), null), () -> id, (wanted, n) -> wanted + "-" + n);
		}
		return store;
	}

	private static Message message(String id, String to) {
		return message(id, to, "body of " + id);
	}

	private static Message message(String id, String to, String body) {
		return new Message(id, MessageKind.DIRECT, "alice", "alice", "bob", to, null, body, null, null, Instant.now());
	}

}
