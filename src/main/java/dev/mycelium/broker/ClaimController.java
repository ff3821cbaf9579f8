package dev.mycelium.broker;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.ClaimCheck;
import dev.mycelium.protocol.ClaimRelease;
import dev.mycelium.protocol.ClaimRequest;

/**
 * Claims on files: a session claims and releases its own ({@code POST}); everyone with
 * the token sees the claims that stand. An edit is checked by the {@code PreToolUse} hook
 * ({@link HookController}).
 */
@RestController
class ClaimController {

	private final ClaimService claims;

	ClaimController(ClaimService claims) {
		this.claims = claims;
	}

	@PostMapping("/api/claims")
	@ResponseStatus(HttpStatus.CREATED)
	Claim claim(@Valid @RequestBody ClaimRequest request, Caller caller) {
		return claims.claim(caller, request);
	}

	@GetMapping("/api/claims")
	List<Claim> claims() {
		return claims.claims();
	}

	/**
	 * For the git pre-commit guard: each staged file another session holds, and its
	 * claim.
	 */
	@PostMapping("/api/claims/check")
	Map<String, Claim> check(@Valid @RequestBody ClaimCheck check) {
		return claims.heldElsewhere(check);
	}

	@PostMapping("/api/claims/release")
	List<Claim> release(@Valid @RequestBody(required = false) ClaimRelease release, Caller caller) {
		return claims.release(caller, release == null ? new ClaimRelease(null) : release);
	}

}
