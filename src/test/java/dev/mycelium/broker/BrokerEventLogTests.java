package dev.mycelium.broker;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mycelium.protocol.BrokerEvent;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerEventLogTests {

	private static final Instant START = Instant.parse("2026-05-01T10:00:00Z");

	private final BrokerEventLog events = new BrokerEventLog(100);

	@Test
	void recentMessagesAreThoseOfTheLastTenSeconds() {
		for (int second = 0; second < 10; second++) {
			for (int i = 0; i < second; i++) {
				events.publish(BrokerEvent.MESSAGE, START.plusSeconds(second), null, null, null, null);
			}
		}
		events.publish(BrokerEvent.BROADCAST, START.plusSeconds(9), null, null, List.of("a", "b"), null);
		events.publish(BrokerEvent.TASK_CREATED, START.plusSeconds(9), null, null, null, null);
		events.publish(BrokerEvent.TASK_REPORTED, START.plusSeconds(9), null, null, null, null);
		events.publish(BrokerEvent.PEER_JOINED, START.plusSeconds(9), null, null, null, null);

		// 0 + 1 + … + 9 = 45 messages, a broadcast, a task and its result.
		assertThat(events.recentMessages(START.plusSeconds(9).plusMillis(500))).isEqualTo(48);
		assertThat(events.recentMessages(START.plusSeconds(10))).as("second 0 is out of the window").isEqualTo(48);
		assertThat(events.recentMessages(START.plusSeconds(11))).as("second 1 is too").isEqualTo(47);
		assertThat(events.recentMessages(START.plusSeconds(19))).isZero();
		assertThat(events.recentMessages(START.plusSeconds(60))).isZero();
	}

	@Test
	void aSlotIsReusedForALaterSecond() {
		events.publish(BrokerEvent.MESSAGE, START, null, null, null, null);
		events.publish(BrokerEvent.MESSAGE, START.plusSeconds(11), null, null, null, null);

		assertThat(events.recentMessages(START.plusSeconds(11))).isEqualTo(1);
	}

}
