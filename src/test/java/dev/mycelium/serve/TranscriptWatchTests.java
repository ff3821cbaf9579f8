package dev.mycelium.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transcript is how serve knows that a message it gave Claude Code was queued and
 * then reached the model: lines the test writes as Claude Code writes them.
 */
class TranscriptWatchTests {

	private static final String FRAME = "0f0e0d0c-0b0a-4908-8706-050403020100";

	@TempDir
	Path config;

	private Path project;

	private Path transcript;

	@BeforeEach
	void aProjectWithATranscript() throws IOException {
		this.project = Path.of("/work/shop-api");
		this.transcript = this.config.resolve("projects/-work-shop-api/session-1.jsonl");
		Files.createDirectories(this.transcript.getParent());
		append(this.transcript, "{\"type\":\"user\",\"sessionId\":\"session-1\",\"message\":\"before\"}\n");
	}

	private TranscriptWatch watch() {
		return new TranscriptWatch(this.config, "session-1", this.project);
	}

	private static void append(Path file, String text) throws IOException {
		Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	private static String enqueue(String session, String messageId) {
		return "{\"type\":\"queue-operation\",\"operation\":\"enqueue\",\"sessionId\":\"" + session
				+ "\",\"content\":\"[mycelium message " + messageId
				+ "] direct message from alice, sent 10:00:00 UTC:\\n<mycelium-message id=\\\"" + messageId
				+ "\\\">\\nhi\\n</mycelium-message>\"}\n";
	}

	private static String inConversation(String session, String frameId) {
		return "{\"type\":\"user\",\"sessionId\":\"" + session + "\",\"msg_id\":\"" + frameId + "\"}\n";
	}

	@Test
	void whatWasThereBeforeTheMarkIsNotEvidence() throws IOException {
		append(this.transcript, enqueue("session-1", "aaaa") + inConversation("session-1", FRAME));
		TranscriptWatch watch = watch();

		watch.mark();
		TranscriptWatch.Evidence evidence = watch.scan();

		assertThat(evidence.transcriptFound()).isTrue();
		assertThat(evidence.enqueued()).isEmpty();
		assertThat(evidence.inConversation()).isEmpty();
	}

	@Test
	void aQueuedMessageAndAFrameInTheConversationAreSeenOnceWithTheirSession() throws IOException {
		TranscriptWatch watch = watch();
		watch.mark();

		append(this.transcript, enqueue("session-1", "aaaa"));
		assertThat(watch.scan().enqueued()).isEqualTo(Map.of("aaaa", Set.of("session-1")));

		append(this.transcript, inConversation("session-1", FRAME.toUpperCase()));
		TranscriptWatch.Evidence evidence = watch.scan();
		assertThat(evidence.enqueued()).as("read once").isEmpty();
		assertThat(evidence.inConversation()).isEqualTo(Map.of(FRAME, "session-1"));
		assertThat(watch.scan().inConversation()).isEmpty();
	}

	@Test
	void aLineStillBeingWrittenIsReadOnceItIsWhole() throws IOException {
		TranscriptWatch watch = watch();
		watch.mark();
		String line = enqueue("session-1", "aaaa");

		append(this.transcript, line.substring(0, 40));
		assertThat(watch.scan().enqueued()).isEmpty();
		append(this.transcript, line.substring(40));
		assertThat(watch.scan().enqueued()).containsOnlyKeys("aaaa");
	}

	@Test
	void anotherTranscriptOfTheProjectCountsWithItsOwnSession() throws IOException {
		TranscriptWatch watch = watch();
		watch.mark();

		append(this.transcript.resolveSibling("session-0.jsonl"), enqueue("session-0", "bbbb"));

		assertThat(watch.scan().enqueued()).isEqualTo(Map.of("bbbb", Set.of("session-0")));
	}

	@Test
	void aTranscriptRewrittenShorterIsReadAgainFromItsStart() throws IOException {
		append(this.transcript, enqueue("session-1", "oldd").repeat(3));
		TranscriptWatch watch = watch();
		watch.mark();

		Files.writeString(this.transcript, enqueue("session-1", "cccc"));

		assertThat(watch.scan().enqueued()).containsOnlyKeys("cccc");
	}

	@Test
	void noTranscriptIsNoEvidence() {
		TranscriptWatch watch = new TranscriptWatch(this.config, "another-session", Path.of("/elsewhere"));
		watch.mark();

		TranscriptWatch.Evidence evidence = watch.scan();

		assertThat(evidence.transcriptFound()).isFalse();
		assertThat(evidence.enqueued()).isEmpty();
	}

}
