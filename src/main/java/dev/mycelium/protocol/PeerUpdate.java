package dev.mycelium.protocol;

import jakarta.validation.constraints.Size;

/**
 * {@code PATCH /api/peers/{peer}}: what changed about a session. Each field is optional:
 * absent or null leaves it as it was; at least one must be given.
 *
 * @param summary what the session is working on
 * @param branch the checked-out branch; empty clears it (a detached HEAD)
 * @param delivery how new mail reaches the session's model, as {@code serve} found it
 * ({@code inbox socket}, {@code channel}, {@code tool notices}); empty clears it
 */
public record PeerUpdate(@Size(max = Names.MAX_SUMMARY) String summary, @Size(max = 256) String branch,
		@Size(max = 64) String delivery) {

	public static PeerUpdate summary(String summary) {
		return new PeerUpdate(summary, null, null);
	}

	public static PeerUpdate delivery(String delivery) {
		return new PeerUpdate(null, null, delivery);
	}

	public boolean isEmpty() {
		return summary == null && branch == null && delivery == null;
	}

}
