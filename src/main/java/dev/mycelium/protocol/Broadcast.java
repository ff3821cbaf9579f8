package dev.mycelium.protocol;

/**
 * {@code POST /api/broadcasts}: with a topic, to its subscribers; without, to every peer
 * in scope. Never to the sender itself.
 */
public record Broadcast(String body, String topic, Scope scope) {
}
