package dev.mycelium.protocol;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code PATCH /api/peers/{peer}}: set what this session is working on, and the branch it
 * is on now when that changed.
 *
 * @param summary the new summary
 * @param branch the checked-out branch; absent or null leaves it as it was, empty clears
 * it (a detached HEAD)
 */
public record SummaryUpdate(@NotNull(message = "summary is required") @Size(max = Names.MAX_SUMMARY) String summary,
		@Size(max = 256) String branch) {

	public SummaryUpdate(String summary) {
		this(summary, null);
	}

}
