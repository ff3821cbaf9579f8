package dev.mycelium.protocol;

/** {@code POST /api/tasks}: delegate a task to a peer, by name or id. */
public record TaskRequest(String to, String description, String context) {
}
