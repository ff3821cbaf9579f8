package dev.mycelium.serve;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What serve decides for a message it wrote to Claude Code's inbox socket, from what the
 * transcript shows: acknowledged once the model has it, released for the other paths when
 * Claude Code did not queue it or kept it queued too long, otherwise still waited for. A
 * wrong decision loses a message (acknowledged unseen) or keeps it from the model.
 */
class PendingFramesTests {

	private static final UUID FRAME_A = UUID.fromString("00000000-0000-4000-8000-00000000000a");

	private static final UUID FRAME_B = UUID.fromString("00000000-0000-4000-8000-00000000000b");

	private final SteppingClock clock = new SteppingClock(Instant.parse("2026-05-01T10:00:00Z"));

	private final PendingFrames frames = new PendingFrames(this.clock, "session-1");

	private static TranscriptWatch.Evidence nothing() {
		return new TranscriptWatch.Evidence(Map.of(), Map.of(), true);
	}

	private static TranscriptWatch.Evidence queued(String messageId, String session) {
		return new TranscriptWatch.Evidence(Map.of(), Map.of(messageId, Set.of(session)), true);
	}

	private static TranscriptWatch.Evidence inConversation(UUID frame, String session) {
		return new TranscriptWatch.Evidence(Map.of(frame.toString(), session), Map.of(), true);
	}

	@Test
	void aFrameInTheConversationIsConfirmedOnce() {
		this.frames.add("aaaa", FRAME_A);
		this.frames.add("bbbb", FRAME_B);

		PendingFrames.Decision decision = this.frames.decide(inConversation(FRAME_A, "session-1"));

		assertThat(decision.confirmed()).containsExactly("aaaa");
		assertThat(decision.released()).isEmpty();
		assertThat(this.frames.messageIds()).containsExactly("bbbb");
		assertThat(this.frames.decide(inConversation(FRAME_A, "session-1")).confirmed()).isEmpty();
	}

	@Test
	void aFrameNotQueuedWithinTheWaitIsReleasedAndCountsAgainstTheSocket() {
		this.frames.add("aaaa", FRAME_A);

		this.clock.advance(PendingFrames.EVIDENCE_WAIT);
		assertThat(this.frames.decide(nothing()).released()).as("not before the wait is over").isEmpty();
		this.clock.advance(Duration.ofMillis(1));
		PendingFrames.Decision decision = this.frames.decide(nothing());

		assertThat(decision.released()).containsExactly("aaaa");
		assertThat(decision.silent()).containsExactly("aaaa");
		assertThat(decision.confirmed()).isEmpty();
		assertThat(this.frames.isEmpty()).isTrue();
	}

	@Test
	void withoutATranscriptAnOverdueFrameIsReleasedButNotBlamedOnTheSocket() {
		this.frames.add("aaaa", FRAME_A);
		this.clock.advance(PendingFrames.EVIDENCE_WAIT.plusSeconds(1));

		PendingFrames.Decision decision = this.frames.decide(new TranscriptWatch.Evidence(Map.of(), Map.of(), false));

		assertThat(decision.released()).containsExactly("aaaa");
		assertThat(decision.silent()).isEmpty();
	}

	@Test
	void aQueuedFrameWaitsForTheConversationUntilTheQueuedWait() {
		this.frames.add("aaaa", FRAME_A);
		assertThat(this.frames.decide(queued("aaaa", "session-1")).released()).isEmpty();

		this.clock.advance(PendingFrames.EVIDENCE_WAIT.plusMinutes(1));
		assertThat(this.frames.decide(nothing()).released()).as("queued: a long tool call may delay it").isEmpty();

		this.clock.advance(PendingFrames.QUEUED_WAIT);
		PendingFrames.Decision decision = this.frames.decide(nothing());
		assertThat(decision.queuedTooLong()).containsExactly("aaaa");
		assertThat(decision.released()).containsExactly("aaaa");
		assertThat(decision.silent()).isEmpty();
	}

	@Test
	void queuedInAnotherSessionIsNoProofButNoSocketFailureEither() {
		this.frames.add("aaaa", FRAME_A);
		this.frames.decide(queued("aaaa", "session-2"));
		this.clock.advance(PendingFrames.EVIDENCE_WAIT.plusSeconds(1));

		PendingFrames.Decision decision = this.frames.decide(nothing());

		assertThat(decision.released()).as("not queued here: the other paths bring it").containsExactly("aaaa");
		assertThat(decision.silent()).isEmpty();
	}

	@Test
	void aSessionItsOwnFramesEnteredCountsAsItsOwn() {
		// After a /clear the session id changes: a frame of this serve entering the
		// conversation under the new id makes the new id this session's.
		this.frames.add("aaaa", FRAME_A);
		this.frames.add("bbbb", FRAME_B);
		assertThat(this.frames.decide(inConversation(FRAME_A, "session-after-clear")).confirmed())
			.containsExactly("aaaa");

		this.frames.decide(queued("bbbb", "session-after-clear"));
		this.clock.advance(PendingFrames.EVIDENCE_WAIT.plusSeconds(1));

		assertThat(this.frames.decide(nothing()).released()).as("queued in its own session: it waits").isEmpty();
	}

	@Test
	void aLineWithoutASessionCountsForThisSession() {
		this.frames.add("aaaa", FRAME_A);
		this.frames.decide(queued("aaaa", ""));
		this.clock.advance(PendingFrames.EVIDENCE_WAIT.plusSeconds(1));

		assertThat(this.frames.decide(nothing()).released()).isEmpty();
	}

	@Test
	void whatTheBrokerNoLongerHoldsIsNoLongerWaitedFor() {
		this.frames.add("aaaa", FRAME_A);
		this.frames.add("bbbb", FRAME_B);
		Set<String> asked = Set.of("aaaa");
		this.frames.add("cccc", UUID.randomUUID());

		this.frames.removeReadElsewhere(asked, Set.of());

		assertThat(this.frames.messageIds()).as("bbbb and cccc were not asked about").containsExactly("bbbb", "cccc");
		assertThat(this.frames.contains("aaaa")).isFalse();
	}

	/** A clock the test moves. */
	private static final class SteppingClock extends Clock {

		private Instant now;

		SteppingClock(Instant start) {
			this.now = start;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
