package dev.mycelium.broker.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardSessionsTests {

	private final MutableClock clock = new MutableClock(
			Clock.fixed(Instant.parse("2026-05-01T10:00:00Z"), ZoneOffset.UTC));

	private final DashboardSessions sessions = new DashboardSessions(clock, Duration.ofMinutes(1),
			Duration.ofHours(12));

	@Test
	void aCodeOpensOneSessionOnce() {
		DashboardSessions.Code code = sessions.issueCode();

		Optional<DashboardSessions.Session> first = sessions.redeem(code.code());
		Optional<DashboardSessions.Session> second = sessions.redeem(code.code());

		assertThat(first).isPresent();
		assertThat(sessions.isSignedIn(first.get().token())).isTrue();
		assertThat(second).as("a code works once").isEmpty();
	}

	@Test
	void aCodeWorksForItsMinuteAndNotAfter() {
		DashboardSessions.Code early = sessions.issueCode();
		DashboardSessions.Code late = sessions.issueCode();
		assertThat(early.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));

		clock.advance(Duration.ofSeconds(59));
		assertThat(sessions.redeem(early.code())).isPresent();
		clock.advance(Duration.ofSeconds(1));
		assertThat(sessions.redeem(late.code())).as("at its minute").isEmpty();
	}

	@Test
	void unknownCodesAndTokensOpenNothing() {
		sessions.issueCode();

		assertThat(sessions.redeem("not-a-code")).isEmpty();
		assertThat(sessions.redeem("")).isEmpty();
		assertThat(sessions.redeem(null)).isEmpty();
		assertThat(sessions.isSignedIn("not-a-session")).isFalse();
		assertThat(sessions.isSignedIn(null)).isFalse();
	}

	@Test
	void aSessionEndsAfterItsLifetimeOrWhenSignedOut() {
		String kept = sessions.redeem(sessions.issueCode().code()).orElseThrow().token();
		String ended = sessions.redeem(sessions.issueCode().code()).orElseThrow().token();

		sessions.signOut(ended);
		assertThat(sessions.isSignedIn(ended)).isFalse();
		clock.advance(Duration.ofHours(12).minusSeconds(1));
		assertThat(sessions.isSignedIn(kept)).isTrue();
		clock.advance(Duration.ofSeconds(1));
		assertThat(sessions.isSignedIn(kept)).isFalse();
	}

	@Test
	void codesAndSessionsAreRandomAndBounded() {
		List<String> codes = new ArrayList<>();
		for (int i = 0; i < DashboardSessions.MAX_CODES + 5; i++) {
			codes.add(sessions.issueCode().code());
		}

		assertThat(codes).doesNotHaveDuplicates().allMatch(code -> code.matches("[A-Za-z0-9_-]{22}"));
		assertThat(sessions.redeem(codes.get(0))).as("the oldest gave way").isEmpty();
		assertThat(sessions.redeem(codes.get(codes.size() - 1))).isPresent();
	}

}
