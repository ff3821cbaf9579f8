package dev.mycelium.protocol;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /api/peers}: a session announcing itself. Every field is optional; a
 * session that registers again with the same {@code sessionKey} gets the same peer and
 * its inbox back.
 *
 * @param name the wanted name (default: the last segment of {@code cwd}); a clash gets
 * {@code -2}, {@code -3}
 * @param pid the session's process id, shown to the other peers
 * @param cwd the session's working directory
 * @param repo the repository identity: remote URL or git common directory
 * @param branch the checked-out branch
 * @param summary what the session is working on
 * @param sessionKey a stable key of the session: Claude Code's session id when it gives
 * one, else derived from the parent process and directory
 * @param clientPid the process id of the client that started the session (Claude Code):
 * its hooks name that process, so the broker can find the peer when they name a session
 * id it does not know
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PeerRegistration(@Pattern(regexp = Names.PEER_NAME, message = Names.PEER_NAME_RULE) String name,
		@PositiveOrZero Long pid, @Size(max = 4096) String cwd, @Size(max = 2048) String repo,
		@Size(max = 256) String branch, @Size(max = Names.MAX_SUMMARY) String summary,
		@Size(max = 256) String sessionKey, @PositiveOrZero Long clientPid) {

	public PeerRegistration(String name, Long pid, String cwd, String repo, String branch, String summary,
			String sessionKey) {
		this(name, pid, cwd, repo, branch, summary, sessionKey, null);
	}

}
