package dev.mycelium.broker;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker's own figures in {@code GET /api/broker}: what the dashboard's header shows.
 */
class BrokerFiguresIntegrationTests extends BrokerIntegrationTest {

	@Test
	void queueDepthIsTheUnreadMailOfEveryInbox() {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		int before = info().unread();

		api.send(alice, bob, "one");
		api.send(alice, bob, "two");
		api.send(bob, alice, "three");
		int sent = info().unread();
		api.ack(bob, api.unread(bob).stream().map(Message::id).toList());
		int read = info().unread();

		assertThat(sent).isEqualTo(before + 3);
		assertThat(read).isEqualTo(before + 1);
	}

	@Test
	void recentMessagesUptimeAndHostAreShown() {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		for (int i = 0; i < 20; i++) {
			api.send(alice, bob, "message " + i);
		}

		BrokerInfo info = info();

		assertThat(info.messagesLastTenSeconds()).isGreaterThanOrEqualTo(20);
		// The broker runs in this JVM: it cannot have been up longer, and its uptime goes
		// on.
		long jvmUptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
		assertThat(info.uptimeSeconds()).isBetween(0L, jvmUptime + 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> info().uptimeSeconds() > info.uptimeSeconds());
		assertThat(info.hostName()).isNotBlank();
		assertThat(info.peers()).isGreaterThanOrEqualTo(2);
		api.ack(bob, api.unread(bob).stream().map(Message::id).toList());
		assertThat(api.unread(bob)).isEqualTo(List.of());
	}

	private BrokerInfo info() {
		return api.get("/api/broker", null).as(BrokerInfo.class);
	}

}
