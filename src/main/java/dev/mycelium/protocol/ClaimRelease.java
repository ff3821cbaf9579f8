package dev.mycelium.protocol;

import java.util.List;

import jakarta.validation.constraints.Size;

/**
 * {@code POST /api/claims/release}: ends the caller's claims holding any of these paths,
 * spelled as they were claimed; none: every claim of the caller.
 */
public record ClaimRelease(@Size(max = Names.MAX_CLAIM_PATHS,
		message = "paths holds at most " + Names.MAX_CLAIM_PATHS + " entries") List<String> paths) {
}
