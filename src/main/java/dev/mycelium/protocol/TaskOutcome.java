package dev.mycelium.protocol;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** {@code POST /api/tasks/{id}/result}: the assignee reports, once. */
public record TaskOutcome(@NotNull(message = "status is required: 'completed' or 'failed'") TaskStatus status,
		@NotBlank(
				message = "result is required and must not be empty: what was done, or why it failed") String result) {
}
