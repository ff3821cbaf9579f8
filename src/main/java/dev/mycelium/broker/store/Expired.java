package dev.mycelium.broker.store;

import dev.mycelium.protocol.Message;

/**
 * A message that left an inbox unread, expired or with its recipient forgotten, whose
 * sender has not been told yet. It stays in the store until
 * {@link BrokerStore#settleExpired} writes the notice, so a crash in between loses no
 * notice.
 */
public record Expired(String recipientId, Message message) {
}
