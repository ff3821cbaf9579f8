package dev.mycelium.cli;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextTests {

	@Test
	void oneLineShowsLineBreaksAndDefusesControlCharacters() {
		assertThat(Text.oneLine("cart API\nreturns\r\ncents\tnow")).isEqualTo("cart API⏎returns⏎cents now");
		assertThat(Text.oneLine("red \u001b[31malert")).isEqualTo("red \uFFFD[31malert");
		assertThat(Text.oneLine(null)).isEmpty();
	}

	@Test
	void cutKeepsTheWidthAndMarksTheCut() {
		assertThat(Text.cut("building the cart page", 12)).isEqualTo("building th…").hasSize(12);
		assertThat(Text.cut("short", 12)).isEqualTo("short");
		assertThat(Text.cutStart("/home/alice/src/shop/.git", 12)).isEqualTo("…c/shop/.git").hasSize(12);
		assertThat(Text.cut("naïve 🍄 mycelium", 8)).isEqualTo("naïve 🍄…");
	}

	@Test
	void agesAndUptimesReadLikeAPersonWouldSayThem() {
		assertThat(Text.ago(Duration.ofSeconds(3))).isEqualTo("3s ago");
		assertThat(Text.ago(Duration.ofSeconds(-1))).isEqualTo("0s ago");
		assertThat(Text.ago(Duration.ofMinutes(4).plusSeconds(59))).isEqualTo("4m ago");
		assertThat(Text.ago(Duration.ofHours(2))).isEqualTo("2h ago");
		assertThat(Text.ago(Duration.ofDays(3))).isEqualTo("3d ago");
		assertThat(Text.uptime(Duration.ofSeconds(45))).isEqualTo("45s");
		assertThat(Text.uptime(Duration.ofSeconds(133))).isEqualTo("2m 13s");
		assertThat(Text.uptime(Duration.ofMinutes(192))).isEqualTo("3h 12m");
		assertThat(Text.uptime(Duration.ofHours(52))).isEqualTo("2d 4h");
	}

}
