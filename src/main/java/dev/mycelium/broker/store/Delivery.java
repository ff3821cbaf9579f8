package dev.mycelium.broker.store;

import dev.mycelium.protocol.Message;

/**
 * A message in one inbox, with its place there: sequence numbers increase per inbox and
 * are never reused, so a push stream can say "everything after 41" and resume without
 * loss or repetition.
 */
public record Delivery(long sequence, Message message) {
}
