package dev.mycelium.broker.store.redis;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Redis store writes it reads back the same: messages and tasks as hash fields,
 * peers as JSON, times to the nanosecond. No Redis server: the codec is pure.
 */
class CodecTests {

	private static final Instant AT = Instant.parse("2026-05-01T10:00:00.123456789Z");

	/** Fields as Redis hands them back: name, value, name, value. */
	private static Map<String, String> asHash(List<String> fields) {
		Map<String, String> hash = new HashMap<>();
		for (int i = 0; i < fields.size(); i += 2) {
			hash.put(fields.get(i), fields.get(i + 1));
		}
		return hash;
	}

	@Test
	void aMessageWithEveryFieldComesBackWhole() {
		Message message = new Message("abcd", MessageKind.TASK_RESULT, "alice", "p-alice", "bob", "p-bob", "deploys",
				"line one\nline two é 🍄 \"quoted\"", "efgh", "task1", AT);

		assertThat(Codec.message(asHash(Codec.fields(message)))).isEqualTo(message);
	}

	@Test
	void absentFieldsAreNotWrittenAndComeBackAbsent() {
		Message message = new Message("abcd", MessageKind.BROADCAST, "alice", null, null, null, null, "", null, null,
				AT);

		List<String> fields = Codec.fields(message);

		assertThat(fields).doesNotContain("from_id", "to", "topic", "reply_to", "task_id");
		assertThat(Codec.message(asHash(fields))).isEqualTo(message);
	}

	@Test
	void aTaskComesBackWholeBeforeAndAfterItsResult() {
		StoredTask pending = new StoredTask("t1", "p-alice", "alice", "p-bob", "bob", "write docs", null,
				TaskStatus.PENDING, null, AT, null);
		StoredTask done = new StoredTask("t1", "p-alice", "alice", "p-bob", "bob", "write docs", "context",
				TaskStatus.COMPLETED, "done", AT, AT.plusSeconds(60));

		assertThat(Codec.task(asHash(Codec.fields(pending)))).isEqualTo(pending);
		assertThat(Codec.task(asHash(Codec.fields(done)))).isEqualTo(done);
	}

	@Test
	void aPeerComesBackWholeLiveOrAway() {
		StoredPeer live = new StoredPeer("p1", "alice", "alice", AT, List.of("deploys", "docs"), List.of("k1", "k2"),
				4242L, "/work/app", "github.com/acme/app", "main", "a summary", 4000L, "socket", true, "hash", AT, null,
				"host-a");
		StoredPeer away = new StoredPeer("p2", "bob-2", "bob", AT, List.of(), List.of(), null, null, null, null, null,
				null, null, false, null, AT, AT.plusSeconds(5), null);

		assertThat(Codec.peer(Codec.json(live))).isEqualTo(live);
		assertThat(Codec.peer(Codec.json(away))).isEqualTo(away);
	}

	@Test
	void timesKeepTheirNanosecondsAndSortAsText() {
		assertThat(Codec.time(Codec.time(AT))).isEqualTo(AT);
		assertThat(Codec.time(AT)).hasSize(20);
		assertThat(Codec.time(AT.plusNanos(1))).isGreaterThan(Codec.time(AT));
		assertThat(Codec.time((String) null)).isNull();
		assertThat(Codec.fromMicros(Codec.micros(AT))).isEqualTo(Instant.parse("2026-05-01T10:00:00.123456Z"));
		assertThat(Codec.time(Codec.time(Instant.EPOCH))).isEqualTo(Instant.EPOCH);
	}

}
