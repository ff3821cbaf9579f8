package dev.mycelium.broker;

import dev.mycelium.protocol.Message;

/**
 * A message in one inbox, with its place there: sequence numbers increase per inbox, so a
 * push stream can say "everything after 41" and resume without loss or repetition.
 */
record Delivery(long sequence, Message message) {
}
