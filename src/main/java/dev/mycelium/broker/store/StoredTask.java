package dev.mycelium.broker.store;

import java.time.Instant;

import dev.mycelium.protocol.TaskStatus;

/**
 * A delegated task as a store keeps it. The ids and names of its two sides change only
 * when a peer of the same session takes over from one that left.
 */
public record StoredTask(String id, String delegatorId, String delegatorName, String assigneeId, String assigneeName,
		String description, String context, TaskStatus status, String result, Instant createdAt, Instant finishedAt) {

	public StoredTask finished(TaskStatus newStatus, String newResult, Instant at) {
		return new StoredTask(id, delegatorId, delegatorName, assigneeId, assigneeName, description, context, newStatus,
				newResult, createdAt, at);
	}

	public StoredTask takenOver(String goneId, StoredPeer heir) {
		return new StoredTask(id, delegatorId.equals(goneId) ? heir.id() : delegatorId,
				delegatorId.equals(goneId) ? heir.name() : delegatorName,
				assigneeId.equals(goneId) ? heir.id() : assigneeId,
				assigneeId.equals(goneId) ? heir.name() : assigneeName, description, context, status, result, createdAt,
				finishedAt);
	}

}
