package dev.mycelium.broker;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mycelium.protocol.BrokerEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BrokerEventLogTests {

	private static final Instant START = Instant.parse("2026-05-01T10:00:00Z");

	private final BrokerEventLog events = new BrokerEventLog(100);

	@Test
	void messagesPerSecondCountsTheMessagesOfTheLastTenSeconds() {
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
		assertThat(events.messagesPerSecond(START.plusSeconds(9).plusMillis(500))).isCloseTo(4.8, within(1e-9));
		assertThat(events.messagesPerSecond(START.plusSeconds(10))).as("second 0 is out of the window")
			.isCloseTo(4.8, within(1e-9));
		assertThat(events.messagesPerSecond(START.plusSeconds(11))).as("second 1 is too").isCloseTo(4.7, within(1e-9));
		assertThat(events.messagesPerSecond(START.plusSeconds(19))).isZero();
		assertThat(events.messagesPerSecond(START.plusSeconds(60))).isZero();
	}

	@Test
	void aSlotIsReusedForALaterSecond() {
		events.publish(BrokerEvent.MESSAGE, START, null, null, null, null);
		events.publish(BrokerEvent.MESSAGE, START.plusSeconds(11), null, null, null, null);

		assertThat(events.messagesPerSecond(START.plusSeconds(11))).isCloseTo(0.1, within(1e-9));
	}

}
