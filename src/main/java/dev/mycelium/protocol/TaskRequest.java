package dev.mycelium.protocol;

import jakarta.validation.constraints.NotBlank;

/** {@code POST /api/tasks}: delegate a task to a peer, by name or id. */
public record TaskRequest(@NotBlank(message = "to is required: name the peer (name or id) to delegate to") String to,
		@NotBlank(
				message = "description is required and must not be empty: what the assignee should do") String description,
		String context) {
}
