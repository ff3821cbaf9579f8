package dev.mycelium.serve;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.ai.tool.annotation.ToolParam;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.ClaimRelease;
import dev.mycelium.protocol.ClaimRequest;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.TaskStatus;
import dev.mycelium.protocol.Topic;

/**
 * The twelve MCP tools, with the names and parameter names of the original Go mycelium
 * (hence {@code reply_to} and {@code task_id} as Java names: they are the schema's
 * names). Each answers with compact text a model can act on; a failure is an exception
 * whose message is one sentence saying what was wrong and what to do, which the MCP
 * server returns with {@code isError: true}.
 */
class MyceliumTools {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'")
		.withZone(ZoneOffset.UTC);

	private final BrokerClient client;

	private final PeerSession session;

	private final InboxDelivery delivery;

	MyceliumTools(BrokerClient client, PeerSession session, InboxDelivery delivery) {
		this.client = client;
		this.session = session;
		this.delivery = delivery;
	}

	@MyceliumTool(
			description = "List the other Claude Code sessions reachable through mycelium: name, id, repo, branch, summary, last seen.")
	String discover(@ToolParam(required = false,
			description = "'machine' (default): every session on this computer; 'repo': this git repository on any computer; 'all': every computer sharing the broker's Redis") String scope) {
		Scope parsed = parseScope(scope);
		// "Self" is the identity the call ran as: a broker restarted meanwhile gives this
		// session a new id on the way.
		List<Peer> listed = new ArrayList<>();
		List<Peer> others = session.call(identity -> {
			listed.clear();
			listed.addAll(client.peers(parsed, identity));
			return listed.stream().filter(peer -> !peer.id().equals(identity.id())).toList();
		});
		if (others.isEmpty()) {
			return "No other sessions (scope " + parsed.wireName() + ")."
					+ (parsed == Scope.REPO ? " Try scope 'machine'." : "");
		}
		Instant now = Instant.now();
		// Hosts only where the listing (this session included) spans several computers.
		boolean hosts = listed.stream().map(Peer::host).filter(host -> host != null).distinct().count() > 1;
		List<Claim> claims = standingClaims();
		return others.size() + (others.size() == 1 ? " other session" : " other sessions") + " (scope "
				+ parsed.wireName() + "):\n"
				+ others.stream()
					.map(peer -> describe(peer, now, hosts) + claimLines(claims, peer.id()))
					.collect(Collectors.joining("\n"));
	}

	@MyceliumTool(
			description = "Send a direct message to a session discover lists (rather than SendMessage: it waits in its inbox until read); returns the message id.")
	String signal(@ToolParam(description = "recipient session: name or id (see discover)") String to,
			@ToolParam(description = "message text") String body,
			@ToolParam(required = false, description = "id of the message this one answers") String reply_to) {
		Message sent = session.call(identity -> client.send(required(to, "to", "the recipient's name or id"),
				new DirectMessage(body, blankToNull(reply_to)), identity));
		session.sent(sent.id(), List.of(sent.to()), sent.body());
		return "Sent to " + sent.to() + " (message " + sent.id() + ")." + awayNote(sent);
	}

	/**
	 * An id may name a session that left: its mail waits for it, and the sender is told.
	 */
	private String awayNote(Message sent) {
		try {
			Peer recipient = client.peer(sent.toId());
			return Peer.AWAY.equals(recipient.state()) ? " " + MailText.leftNote(recipient.name()) : "";
		}
		catch (RuntimeException ex) {
			return "";
		}
	}

	@MyceliumTool(
			description = "Broadcast a mycelium message: with a topic to its subscribers, without one to every session in scope.")
	String sporulate(@ToolParam(description = "message text") String body,
			@ToolParam(required = false,
					description = "topic to broadcast on; omit to reach every session") String topic,
			@ToolParam(required = false,
					description = "'machine' (default), 'repo' (any computer) or 'all' (every computer)") String scope) {
		BroadcastResult result = session
			.call(identity -> client.broadcast(new Broadcast(body, blankToNull(topic), parseScope(scope)), identity));
		session.sent(result.id(), result.recipients(), body);
		String where = result.topic() != null ? " on topic " + result.topic() : "";
		StringBuilder text = new StringBuilder("Broadcast " + result.id() + where);
		if (result.reached() == 0) {
			text.append(" reached nobody")
				.append(result.topic() != null ? ": no other session is attached to it."
						: parseScope(scope) == Scope.REPO ? ": no other session is in this repository."
								: ": no other session is running.");
		}
		else {
			text.append(" reached ")
				.append(result.reached())
				.append(result.reached() == 1 ? " session: " : " sessions: ")
				.append(String.join(", ", result.recipients()))
				.append('.');
		}
		result.skipped()
			.forEach(skipped -> text.append("\nNot delivered to ")
				.append(skipped.peer())
				.append(": ")
				.append(skipped.reason())
				.append('.'));
		return text.toString();
	}

	@MyceliumTool(description = "Read your unread mycelium messages, oldest first, and mark them read.")
	String sense() {
		List<Message> unread = session.unread();
		if (unread.isEmpty()) {
			return "No unread messages.";
		}
		session.call(identity -> client.acknowledge(identity, unread.stream().map(Message::id).toList()));
		return unread.size() + (unread.size() == 1 ? " message:\n" : " messages, oldest first:\n")
				+ unread.stream().map(MyceliumTools::describe).collect(Collectors.joining("\n\n"));
	}

	@MyceliumTool(
			description = "Set what this session is working on, as other sessions see it; without a summary, show who this session is.")
	String identify(@ToolParam(required = false,
			description = "one line on what you are working on; omit to see your identity") String summary) {
		if (summary != null && !summary.isBlank()) {
			Peer peer = session.setSummary(summary.strip());
			return "Summary of " + peer.name() + " set: " + peer.summary();
		}
		// The heartbeat answers with this peer as the peer itself: a broker that forgot
		// it
		// (restarted) says so, and the session registers again, instead of "no such
		// peer".
		Peer self = session.call(client::heartbeat);
		Registration registration = session.registration();
		return "You are " + self.name() + " (id " + self.id() + ") in " + self.cwd()
				+ (self.repo() != null ? "\nRepo: " + self.repo() : "")
				+ (self.branch() != null ? "\nBranch: " + self.branch() : "") + "\nSummary: "
				+ (self.summary() != null ? self.summary() : "(none)") + "\nTopics: "
				+ (self.topics().isEmpty() ? "(none)" : String.join(", ", self.topics())) + "\nMail: "
				+ delivery.describe()
				+ (self.delivery() != null && self.delivery().contains("hooks")
						? "; Claude Code hooks show what else arrives" : "")
				+ "\nClaims: "
				+ Optional.of(claimLines(standingClaims(), self.id()))
					.filter(lines -> !lines.isEmpty())
					.orElse("(none; claim holds files for you)")
				+ (registration.resumed() ? "\n(This session resumed an earlier one, inbox included.)" : "");
	}

	@MyceliumTool(description = "Subscribe this session to a mycelium topic.")
	String attach(@ToolParam(description = "topic: letters, digits, '.', '_' or '-'") String topic) {
		Topic joined = session
			.call(identity -> client.subscribe(required(topic, "topic", "the topic's name"), identity));
		session.attached(joined.name());
		return "Attached to " + joined.name() + "; subscribers: " + String.join(", ", joined.subscribers()) + ".";
	}

	@MyceliumTool(description = "Unsubscribe this session from a mycelium topic.")
	String detach(@ToolParam(description = "topic to leave") String topic) {
		Topic left = session
			.call(identity -> client.unsubscribe(required(topic, "topic", "the topic's name"), identity));
		session.detached(left.name());
		return "Detached from " + left.name() + ".";
	}

	@MyceliumTool(
			description = "Delegate a task to another session; it is told at once and reports back with fruit. Returns the task id.")
	String nurture(@ToolParam(description = "assignee session: name or id") String to,
			@ToolParam(description = "what to do, self-contained") String description,
			@ToolParam(required = false, description = "background: files, commits, constraints") String context) {
		Task task = session.call(identity -> client.delegate(
				new TaskRequest(required(to, "to", "the assignee's name or id"), description, blankToNull(context)),
				identity));
		return "Delegated task " + task.id() + " to " + task.to() + "; you will get its result as a message.";
	}

	@MyceliumTool(description = "Report the outcome of a task delegated to you (once); the delegator is told at once.")
	String fruit(@ToolParam(description = "the task's id") String task_id,
			@ToolParam(description = "'completed' or 'failed'") String status,
			@ToolParam(description = "what was done, or why it failed") String result) {
		TaskStatus outcome = parseStatus(status);
		Task task = session.call(identity -> client.report(required(task_id, "task_id", "the id from the task message"),
				new TaskOutcome(outcome, result), identity));
		return "Task " + task.id() + " reported as " + task.status().wireName() + "; " + task.from()
				+ " has been told.";
	}

	@MyceliumTool(description = "List the tasks this session delegated and received, with status and result.")
	String survey() {
		record Mine(String self, List<Task> tasks) {
		}
		Mine mine = session.call(identity -> new Mine(identity.id(), client.tasks(identity.id())));
		List<Task> tasks = mine.tasks();
		List<Task> delegated = tasks.stream().filter(task -> mine.self().equals(task.fromId())).toList();
		List<Task> received = tasks.stream().filter(task -> mine.self().equals(task.toId())).toList();
		if (tasks.isEmpty()) {
			return "No tasks: none delegated by or to this session.";
		}
		return "Delegated by you (" + delegated.size() + "):"
				+ delegated.stream()
					.map(task -> "\n- " + describe(task, "→ " + task.to()))
					.collect(Collectors.joining())
				+ "\nAssigned to you (" + received.size() + "):"
				+ received.stream()
					.map(task -> "\n- " + describe(task, "← " + task.from()))
					.collect(Collectors.joining());
	}

	@MyceliumTool(
			description = "Claim files of this repository so other sessions' edits of them are denied until you release them or end.")
	String claim(@ToolParam(
			description = "files, directories or globs (src/api/**), relative to your directory") List<String> paths,
			@ToolParam(required = false, description = "why: what you are changing there") String reason,
			@ToolParam(required = false,
					description = "true: others may edit and are told you work there; default false: their edits are denied") Boolean shared,
			@ToolParam(required = false,
					description = "seconds until it ends by itself; default: when this session ends") Long ttl_seconds) {
		if (paths == null || paths.isEmpty()) {
			throw new IllegalArgumentException("paths is required: the files, directories or globs to claim.");
		}
		Claim claim = session.call(
				identity -> client.claim(new ClaimRequest(paths, blankToNull(reason), shared, ttl_seconds), identity));
		return "Claimed " + String.join(", ", claim.paths()) + " (" + (claim.exclusive() ? "exclusive" : "shared")
				+ ", id " + claim.id() + (claim.expiresAt() != null ? ", until " + TIME.format(claim.expiresAt()) : "")
				+ "). "
				+ (claim.exclusive() ? "Other sessions' edits there are denied"
						: "Other sessions editing there are told")
				+ " until you release it (release) or this session ends.";
	}

	@MyceliumTool(
			description = "Release this session's claims on files: those holding the given paths, or all of them.")
	String release(@ToolParam(required = false,
			description = "paths as claimed; omit to release every claim of this session") List<String> paths) {
		List<Claim> ended = session.call(identity -> client.release(new ClaimRelease(paths), identity));
		if (ended.isEmpty()) {
			return "This session holds no claims.";
		}
		List<String> told = ended.stream().flatMap(c -> c.waiting().stream()).distinct().toList();
		return "Released " + ended.stream().map(c -> String.join(", ", c.paths())).collect(Collectors.joining("; "))
				+ "." + (told.isEmpty() ? "" : " Told who waited: " + String.join(", ", told) + ".");
	}

	/** The claims that stand; none when they cannot be read (an older broker). */
	private List<Claim> standingClaims() {
		try {
			return client.claims();
		}
		catch (RuntimeException ex) {
			return List.of();
		}
	}

	private static String claimLines(List<Claim> claims, String peerId) {
		return claims.stream()
			.filter(claim -> claim.holderId().equals(peerId))
			.map(claim -> "\n  claims " + String.join(", ", claim.paths()) + " ("
					+ (claim.exclusive() ? "exclusive" : "shared")
					+ (claim.reason() != null ? ": " + claim.reason() : "") + ")")
			.collect(Collectors.joining());
	}

	// ---- text

	private static String describe(Peer peer, Instant now, boolean hosts) {
		StringBuilder line = new StringBuilder("- ").append(peer.name()).append(" (id ").append(peer.id()).append(')');
		if (hosts && peer.host() != null) {
			line.append(" · on ").append(peer.host());
		}
		if (peer.repo() != null) {
			line.append(" · repo ").append(peer.repo());
		}
		if (peer.branch() != null) {
			line.append(" · branch ").append(peer.branch());
		}
		line.append(" · ")
			.append(peer.state())
			.append(", seen ")
			.append(ago(peer.lastSeen(), now))
			.append(" · mail by ")
			.append(peer.delivery() != null ? peer.delivery() : peer.push() ? "push stream" : "polling");
		if (peer.summary() != null && !peer.summary().isBlank()) {
			line.append("\n  ").append(oneLine(peer.summary()));
		}
		return line.toString();
	}

	private static String describe(Message message) {
		String header = "[" + message.id() + "] " + switch (message.kind()) {
			case TASK -> "task " + message.taskId() + " from " + message.from();
			case TASK_RESULT -> "result of task " + message.taskId() + " from " + message.from();
			case BROADCAST ->
				"from " + message.from() + " on " + (message.topic() != null ? "topic " + message.topic() : "all");
			case EXPIRED -> "notice from mycelium";
			case CLAIM -> "claim notice from mycelium";
			case LOOP -> "notice from mycelium";
			case DIRECT ->
				"from " + message.from() + (message.replyTo() != null ? " (reply to " + message.replyTo() + ")" : "");
		} + " · " + TIME.format(message.sentAt());
		String hint = message.kind() == MessageKind.TASK
				? "\n(When done, call fruit with task_id " + message.taskId() + ".)" : "";
		return header + "\n" + message.body() + hint;
	}

	private static String describe(Task task, String counterpart) {
		String state = task.orphaned() ? "pending, orphaned (assignee gone)" : task.status().wireName();
		return task.id() + " " + counterpart + " · " + state + " · " + oneLine(task.description())
				+ (task.result() != null ? "\n  result: " + oneLine(task.result()) : "");
	}

	private static String ago(Instant then, Instant now) {
		long seconds = Math.max(0, Duration.between(then, now).toSeconds());
		return seconds < 120 ? seconds + "s ago" : seconds < 7200 ? seconds / 60 + "m ago" : seconds / 3600 + "h ago";
	}

	private static String oneLine(String text) {
		String line = text.strip().replaceAll("\\s+", " ");
		return line.length() <= 200 ? line : line.substring(0, 199) + "…";
	}

	// ---- arguments

	private static Scope parseScope(String scope) {
		try {
			return Scope.parse(scope);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(ex.getMessage() + ".");
		}
	}

	private static TaskStatus parseStatus(String status) {
		TaskStatus parsed = TaskStatus.parse(status == null ? "" : status.toLowerCase(Locale.ROOT));
		if (parsed == TaskStatus.PENDING) {
			throw new IllegalArgumentException("status must be 'completed' or 'failed', not 'pending'.");
		}
		return parsed;
	}

	private static String required(String value, String name, String what) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " is required: " + what + ".");
		}
		return value.strip();
	}

	private static String blankToNull(String value) {
		return value == null || value.isBlank() ? null : value;
	}

}
