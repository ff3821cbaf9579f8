package dev.mycelium.protocol;

/** {@code POST /api/tasks/{id}/result}: the assignee reports, once. */
public record TaskOutcome(TaskStatus status, String result) {
}
