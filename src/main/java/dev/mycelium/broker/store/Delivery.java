package dev.mycelium.broker.store;

import dev.mycelium.protocol.Message;

/**
 * A message in one inbox, with its place there: sequence numbers increase per inbox and
 * are not reused while the store is open, so a push stream can say "everything after 41"
 * and resume without loss or repetition (streams resume only within one broker's run).
 */
public record Delivery(long sequence, Message message) {
}
