package dev.mycelium.protocol;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A delegated task. Tasks are never deleted because one side left.
 *
 * @param orphaned pending while its assignee is no longer registered: it may never be
 * done
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Task(String id, String from, String fromId, String to, String toId, String description, String context,
		TaskStatus status, String result, Instant createdAt, Instant finishedAt, boolean orphaned) {
}
