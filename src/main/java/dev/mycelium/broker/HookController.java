package dev.mycelium.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Scope;

/**
 * {@code POST /api/hooks}: Claude Code's hook events, forwarded as they are by the
 * plugin's hook script, answered with what the hook prints for the model: unread mail
 * that no other path is delivering ({@code additionalContext}), or 204 for nothing. What
 * a hook answer shows counts as read: Claude Code puts hook output into the model's
 * context. A prompt that holds framed mycelium messages (the inbox socket's deliveries)
 * confirms those as read too. {@code PreToolUse} of an editing tool asks about claims: an
 * edit of a file another session holds is denied ({@link ClaimService#edit}).
 */
@RestController
class HookController {

	/** Claude Code takes up to 10,000 characters of additional context. */
	static final int MAX_CONTEXT = 9000;

	/** A message longer than this is shown cut, and left unread for sense. */
	private static final int PREVIEW = 2000;

	/**
	 * Serve starts beside the session (about a second): give it this long to register.
	 * Claude Code waits for the hook, so no longer: a session that resumes an earlier one
	 * is known at once (and its mail is what matters), a new one has none yet.
	 */
	private static final Duration SESSION_START_WAIT = Duration.ofMillis(1500);

	private static final String JOINING = "mycelium: this Claude Code session is joining the mycelium message bus"
			+ " (its MCP server is starting; identify shows its name, discover the other sessions). Messages from"
			+ " other sessions arrive here by themselves; answer with mycelium's tools (signal, sporulate, fruit).";

	private final BrokerOperations broker;

	private final ClaimService claims;

	private final WakeBudget wakes;

	HookController(BrokerOperations broker, ClaimService claims, WakeBudget wakes) {
		this.broker = broker;
		this.claims = claims;
		this.wakes = wakes;
	}

	/** The fields of a hook event that matter here; the rest is skipped unread. */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record HookEvent(String sessionId, String hookEventName, String prompt, String source, String toolName,
			Map<String, Object> toolInput) {

		/** The file an editing tool is about to change, or {@code null}. */
		String editedFile() {
			if (toolName == null || !EDITING_TOOLS.contains(toolName) || toolInput == null) {
				return null;
			}
			Object path = toolInput.containsKey("file_path") ? toolInput.get("file_path")
					: toolInput.get("notebook_path");
			return path instanceof String text ? text : null;
		}

	}

	/** Claude Code's tools that change a file named in their input. */
	static final Set<String> EDITING_TOOLS = Set.of("Edit", "Write", "MultiEdit", "NotebookEdit");

	@PostMapping("/api/hooks")
	ResponseEntity<Map<String, Object>> hook(@RequestBody HookEvent event,
			@RequestHeader(name = "Mycelium-Claude-Pid", required = false) String claudePid) {
		String name = event.hookEventName() == null ? "" : event.hookEventName();
		if (name.equals("PreToolUse") && (event.editedFile() == null || !claims.any())) {
			// Every edit of every session asks: with no claim at all, answer at once.
			return ResponseEntity.noContent().build();
		}
		Long clientPid = parsePid(claudePid);
		Optional<Caller> session = broker.hookSession(event.sessionId(), clientPid);
		if (session.isEmpty() && name.equals("SessionStart")) {
			session = awaitRegistration(event.sessionId(), clientPid);
			if (session.isEmpty()) {
				return answer(name, JOINING);
			}
		}
		if (session.isEmpty()) {
			return ResponseEntity.noContent().build();
		}
		Caller peer = session.get();
		if (name.equals("PreToolUse")) {
			return edit(peer, event.editedFile());
		}
		String context = switch (name) {
			case "SessionStart" -> sessionStart(peer);
			case "UserPromptSubmit" -> {
				confirm(peer, event.prompt());
				yield newMail(peer);
			}
			case "PostToolUse" -> newMail(peer);
			default -> null;
		};
		if (context == null) {
			return ResponseEntity.noContent().build();
		}
		return answer(name, context);
	}

	/**
	 * An edit of a file another session holds is denied, with the sentence the model
	 * reads; under a shared claim it goes ahead with a notice.
	 */
	private ResponseEntity<Map<String, Object>> edit(Caller peer, String file) {
		ClaimService.EditVerdict verdict = claims.edit(peer, file);
		if (verdict.denial() != null) {
			return ResponseEntity.ok(Map.of("hookSpecificOutput", Map.of("hookEventName", "PreToolUse",
					"permissionDecision", "deny", "permissionDecisionReason", verdict.denial())));
		}
		if (verdict.notice() != null) {
			return answer("PreToolUse", verdict.notice());
		}
		return ResponseEntity.noContent().build();
	}

	private static ResponseEntity<Map<String, Object>> answer(String event, String context) {
		return ResponseEntity
			.ok(Map.of("hookSpecificOutput", Map.of("hookEventName", event, "additionalContext", context)));
	}

	/**
	 * The session's prompt shows messages the inbox socket delivered: the model has them.
	 */
	private void confirm(Caller peer, String prompt) {
		Set<String> shown = MailText.messageIds(prompt);
		if (shown.isEmpty()) {
			// Typed by a person: the sessions it talks to may wake it again.
			if (prompt != null && !prompt.isBlank()) {
				wakes.personSpoke(peer.peerId());
			}
			return;
		}
		Set<String> held = broker.held(peer, peer.peerId());
		List<String> delivered = shown.stream().filter(held::contains).toList();
		if (!delivered.isEmpty()) {
			broker.acknowledge(peer, peer.peerId(), delivered);
		}
	}

	private String sessionStart(Caller peer) {
		Peer self = broker.peer(peer.peerId());
		List<Peer> others = broker.peers(Scope.MACHINE, peer)
			.stream()
			.filter(other -> !other.id().equals(self.id()))
			.toList();
		String who = "mycelium: this Claude Code session is " + self.name() + " (id " + self.id()
				+ ") on the mycelium message bus; "
				+ (others.isEmpty() ? "no other session is connected yet."
						: others.size() + (others.size() == 1 ? " other session: " : " other sessions: ")
								+ others.stream().map(Peer::name).limit(12).collect(Collectors.joining(", "))
								+ (others.size() > 12 ? ", …" : "") + " (discover describes them).")
				+ " Messages from them arrive here by themselves; answer with mycelium's tools (signal, sporulate, fruit).";
		String mail = newMail(peer);
		return mail == null ? who : who + "\n\n" + mail;
	}

	/**
	 * Unread mail no other path is delivering, as much as fits, oldest first; what is
	 * shown in full is marked read.
	 */
	private String newMail(Caller peer) {
		List<Message> unread = broker.unread(peer, peer.peerId(), false);
		if (unread.isEmpty()) {
			return null;
		}
		StringBuilder shown = new StringBuilder();
		List<String> read = new ArrayList<>();
		int left = MAX_CONTEXT - 400;
		for (Message message : unread) {
			String frame = MailText.frame(message);
			if (frame.length() <= left) {
				shown.append("\n\n").append(frame);
				read.add(message.id());
				left -= frame.length() + 2;
			}
			else if (shown.isEmpty()) {
				shown.append("\n\n").append(cut(message));
				left = 0;
			}
			else {
				break;
			}
		}
		if (!read.isEmpty()) {
			broker.acknowledge(peer, peer.peerId(), read);
		}
		int more = unread.size() - read.size();
		String count = read.size() + (read.size() == 1 ? " new message" : " new messages");
		return "mycelium: " + (read.isEmpty() ? "a new message" : count) + " for " + peer.name()
				+ (read.isEmpty() ? "" : " (now marked read)") + ":" + shown
				+ (more > 0 ? "\n\n" + more + (more == 1 ? " more unread message" : " more unread messages")
						+ ": call mycelium's sense tool to read " + (more == 1 ? "it." : "them.") : "");
	}

	/** A message too long for a hook: the start of it, and where the rest is. */
	private static String cut(Message message) {
		String body = message.body();
		Message preview = new Message(message.id(), message.kind(), message.from(), message.fromId(), message.to(),
				message.toId(), message.topic(), body.substring(0, Math.min(body.length(), PREVIEW)) + " …",
				message.replyTo(), message.taskId(), message.sentAt());
		return MailText.frame(preview) + "\n(This is only its start: " + body.length()
				+ " characters in all. sense shows it whole; it stays unread until then.)";
	}

	/**
	 * SessionStart runs as the session starts, beside serve: wait briefly for it to
	 * register. A session without mycelium just costs this wait once.
	 */
	private Optional<Caller> awaitRegistration(String sessionId, Long clientPid) {
		Instant deadline = Instant.now().plus(SESSION_START_WAIT);
		Optional<Caller> session = Optional.empty();
		while (session.isEmpty() && Instant.now().isBefore(deadline)) {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return Optional.empty();
			}
			session = broker.hookSession(sessionId, clientPid);
		}
		return session;
	}

	private static Long parsePid(String pid) {
		if (pid == null || pid.isBlank()) {
			return null;
		}
		try {
			long value = Long.parseLong(pid.trim());
			return value > 0 ? value : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
