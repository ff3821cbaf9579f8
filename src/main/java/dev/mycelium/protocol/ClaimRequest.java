package dev.mycelium.protocol;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /api/claims}: a session claims paths of its repository.
 *
 * @param paths files, directories or globs, relative to the session's working directory
 * or absolute inside its repository
 * @param shared {@code true} for a notice to others instead of a refusal of their edits
 * @param ttlSeconds when it ends by itself; none: when the session ends or releases it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ClaimRequest(
		@NotEmpty(message = "paths is required: the files, directories or globs to claim") @Size(
				max = Names.MAX_CLAIM_PATHS,
				message = "paths holds at most " + Names.MAX_CLAIM_PATHS
						+ " entries; claim a directory instead of its files") List<@NotBlank(
								message = "a path must not be empty") @Size(max = 1024,
										message = "a path is at most 1024 characters") String> paths,
		@Size(max = 500, message = "reason is at most 500 characters") String reason, Boolean shared,
		@Positive(message = "ttl_seconds must be positive") @Max(value = Names.MAX_CLAIM_TTL_SECONDS,
				message = "ttl_seconds is at most " + Names.MAX_CLAIM_TTL_SECONDS
						+ " (a week); a claim without one lasts as long as its session") Long ttlSeconds) {
}
