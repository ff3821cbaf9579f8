package dev.mycelium.protocol;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A session's claim on files of its repository: while it stands, an edit of a matching
 * file by another session is denied ({@code exclusive}) or comes with a notice (shared).
 *
 * @param repo the repository identity the claim belongs to: every worktree and clone of
 * it, on every host, sees it
 * @param paths what it holds, relative to the repository's top directory: a path (that
 * file, or everything under that directory) or a glob ({@code *} within a directory,
 * {@code **} across directories)
 * @param expiresAt when it ends by itself; {@code null} for when its session ends
 * @param waiting the names of the sessions an edit was denied to, told when it ends
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Claim(String id, String repo, String holder, String holderId, List<String> paths, boolean exclusive,
		String reason, Instant claimedAt, Instant expiresAt, List<String> waiting) {

	/**
	 * How a claim reads in one line: {@code src/api/** (exclusive, by api: "reason")}.
	 */
	public String describe() {
		return String.join(", ", paths) + " (" + (exclusive ? "exclusive" : "shared") + ", by " + holder
				+ (reason == null || reason.isBlank() ? "" : ": \"" + reason + "\"") + ")";
	}

}
