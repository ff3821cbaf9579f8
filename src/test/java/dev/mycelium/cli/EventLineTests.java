package dev.mycelium.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

class EventLineTests {

	private static final Instant AT = Instant.parse("2026-11-24T14:02:11Z");

	@Test
	void peersJoiningAndLeaving() {
		Peer feature = new Peer("k3m9x2qa", "shop-feature", 1L, "/src/shop-feature", "github.com/acme/shop", "feature",
				null, List.of(), AT, AT, Peer.ACTIVE, 0, false, null, "laptop");

		assertThat(line(event(BrokerEvent.PEER_JOINED, feature, null, null, null)))
			.hasValue("14:02:11  + shop-feature joined (repo github.com/acme/shop, branch feature)");
		assertThat(line(event(BrokerEvent.PEER_LEFT, feature, null, null, null)))
			.hasValue("14:02:11  - shop-feature left");
		assertThat(line(event(BrokerEvent.PEER_REMOVED, feature, null, null, null)))
			.hasValue("14:02:11  - shop-feature removed (silent too long)");
	}

	@Test
	void messagesAndBroadcastsOnOneLineCutToTheWidth() {
		Message direct = message(MessageKind.DIRECT, "shop", "docs", null, "cart API returns cents now\nsee 4f2a1c");
		Message broadcast = message(MessageKind.BROADCAST, "shop", null, "deploys", "v2 is deployed");
		Message expired = message(MessageKind.EXPIRED, "mycelium", "shop", null, "1 message to docs expired unread");

		assertThat(line(event(BrokerEvent.MESSAGE, null, direct, null, null)))
			.hasValue("14:02:11  shop → docs  cart API returns cents now⏎see 4f2a1c");
		assertThat(line(event(BrokerEvent.MESSAGE, null, expired, null, null)))
			.hasValue("14:02:11  mycelium → shop  [expired] 1 message to docs expired unread");
		assertThat(line(event(BrokerEvent.BROADCAST, null, broadcast, List.of("api", "docs"), null)))
			.hasValue("14:02:11  shop → #deploys (api, docs)  v2 is deployed");
		assertThat(line(event(BrokerEvent.BROADCAST, null, broadcast, List.of("a", "b", "c", "d", "e"), null)))
			.hasValue("14:02:11  shop → #deploys (a, b, c +2 more)  v2 is deployed");
		assertThat(EventLine.of(event(BrokerEvent.MESSAGE, null, direct, null, null), ZoneOffset.UTC, 30))
			.hasValue("14:02:11  shop → docs  cart A…");
	}

	@Test
	void tasksAreShownOnceByTheirOwnEvents() {
		Task created = new Task("tq4v7xk2", "shop", "id1", "docs", "id2", "Document the cents change", null,
				TaskStatus.PENDING, null, AT, null, false);
		Task reported = new Task("tq4v7xk2", "shop", "id1", "docs", "id2", "Document the cents change", null,
				TaskStatus.COMPLETED, "README updated", AT, AT, false);

		assertThat(line(event(BrokerEvent.TASK_CREATED, null, null, null, created)))
			.hasValue("14:02:11  shop ⇒ docs  task tq4v7xk2: Document the cents change");
		assertThat(line(event(BrokerEvent.TASK_REPORTED, null, null, null, reported)))
			.hasValue("14:02:11  docs ⇒ shop  task tq4v7xk2 completed: README updated");
		assertThat(line(event(BrokerEvent.MESSAGE, null,
				message(MessageKind.TASK, "shop", "docs", null, "Document the cents change"), null, null)))
			.isEmpty();
	}

	@Test
	void anEventTypeFromANewerBrokerIsStillShown() {
		assertThat(line(event("peer_renamed", null, null, null, null))).hasValue("14:02:11  peer_renamed");
	}

	private static Optional<String> line(BrokerEvent event) {
		return EventLine.of(event, ZoneOffset.UTC, 200);
	}

	private static BrokerEvent event(String type, Peer peer, Message message, List<String> recipients, Task task) {
		return new BrokerEvent(1, type, AT, peer, message, recipients, task);
	}

	private static Message message(MessageKind kind, String from, String to, String topic, String body) {
		return new Message("m1", kind, from, "f1", to, "t1", topic, body, null, null, AT);
	}

}
