package dev.mycelium.broker;

import java.time.Instant;
import java.util.List;

import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

/**
 * The messages the broker writes itself (expiries, claims, loops): sent by
 * {@value BrokerService#BROKER_NAME}, with no sender id, so that nobody can answer or
 * forge them.
 */
final class Notices {

	private Notices() {
	}

	static Message notice(MessageKind kind, String toId, String toName, String body, Instant at) {
		return new Message(Ids.shortId(10), kind, BrokerService.BROKER_NAME, null, toName, toId, null, body, null, null,
				at);
	}

	/**
	 * Puts them in their inboxes whatever the inboxes' size (someone asked for them, or
	 * needs to know), and in the event stream.
	 */
	static void deliver(BrokerStore store, BrokerEventLog events, List<Message> notices, Instant at) {
		if (notices.isEmpty()) {
			return;
		}
		store.append(notices, Integer.MAX_VALUE);
		notices.forEach(notice -> events.publish(BrokerEvent.MESSAGE, at, null, notice, null, null));
	}

}
