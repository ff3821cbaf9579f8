package dev.mycelium.broker.store.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mycelium.broker.store.StoredClaim;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.broker.store.StoredTask;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.TaskStatus;

/**
 * How records are written in Redis: a peer as one JSON document (only the broker reads
 * and writes it, whole), a message and a task as field-value pairs that the Lua steps can
 * read and change (a field that is {@code null} is left out). Times are 20 digits of
 * nanoseconds since the epoch, so that a script compares them as strings and Java gets
 * back the very instant it wrote.
 */
final class Codec {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Codec() {
	}

	static String time(Instant at) {
		return String.format("%020d", at.getEpochSecond() * 1_000_000_000L + at.getNano());
	}

	static Instant time(String text) {
		if (text == null) {
			return null;
		}
		long nanos = Long.parseLong(text);
		return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
	}

	/** Microseconds since the epoch: exact as a sorted-set score (a double). */
	static long micros(Instant at) {
		return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
	}

	static Instant fromMicros(double micros) {
		long value = (long) micros;
		return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
	}

	// ---- messages

	static List<String> fields(Message m) {
		List<String> fields = new ArrayList<>(22);
		put(fields, "id", m.id());
		put(fields, "kind", m.kind().wireName());
		put(fields, "from", m.from());
		put(fields, "from_id", m.fromId());
		put(fields, "to", m.to());
		put(fields, "to_id", m.toId());
		put(fields, "topic", m.topic());
		put(fields, "body", m.body());
		put(fields, "reply_to", m.replyTo());
		put(fields, "task_id", m.taskId());
		put(fields, "sent_at", time(m.sentAt()));
		return fields;
	}

	static Message message(Map<String, String> f) {
		return new Message(f.get("id"), MessageKind.parse(f.get("kind")), f.get("from"), f.get("from_id"), f.get("to"),
				f.get("to_id"), f.get("topic"), f.get("body"), f.get("reply_to"), f.get("task_id"),
				time(f.get("sent_at")));
	}

	// ---- tasks

	static List<String> fields(StoredTask t) {
		List<String> fields = new ArrayList<>(22);
		put(fields, "id", t.id());
		put(fields, "delegator_id", t.delegatorId());
		put(fields, "delegator_name", t.delegatorName());
		put(fields, "assignee_id", t.assigneeId());
		put(fields, "assignee_name", t.assigneeName());
		put(fields, "description", t.description());
		put(fields, "context", t.context());
		put(fields, "status", t.status().wireName());
		put(fields, "result", t.result());
		put(fields, "created_at", time(t.createdAt()));
		put(fields, "finished_at", t.finishedAt() == null ? null : time(t.finishedAt()));
		return fields;
	}

	static StoredTask task(Map<String, String> f) {
		return new StoredTask(f.get("id"), f.get("delegator_id"), f.get("delegator_name"), f.get("assignee_id"),
				f.get("assignee_name"), f.get("description"), f.get("context"), TaskStatus.parse(f.get("status")),
				f.get("result"), time(f.get("created_at")), time(f.get("finished_at")));
	}

	private static void put(List<String> fields, String name, String value) {
		if (value != null) {
			fields.add(name);
			fields.add(value);
		}
	}

	// ---- peers

	static String json(StoredPeer p) {
		ObjectNode node = JSON.createObjectNode();
		node.put("id", p.id());
		node.put("name", p.name());
		node.put("wanted_name", p.wantedName());
		node.put("registered_at", p.registeredAt().toString());
		ArrayNode topics = node.putArray("topics");
		p.topics().forEach(topics::add);
		ArrayNode keys = node.putArray("session_keys");
		p.sessionKeys().forEach(keys::add);
		if (p.pid() != null) {
			node.put("pid", p.pid());
		}
		node.put("cwd", p.cwd());
		node.put("repo", p.repo());
		node.put("branch", p.branch());
		node.put("summary", p.summary());
		if (p.clientPid() != null) {
			node.put("client_pid", p.clientPid());
		}
		node.put("delivery", p.delivery());
		node.put("hooks_seen", p.hooksSeen());
		node.put("secret_hash", p.secretHash());
		node.put("last_seen", p.lastSeen().toString());
		node.put("away_since", p.awaySince() == null ? null : p.awaySince().toString());
		node.put("host", p.host());
		return JSON.writeValueAsString(node);
	}

	static StoredPeer peer(String json) {
		JsonNode node = JSON.readTree(json);
		return new StoredPeer(text(node, "id"), text(node, "name"), text(node, "wanted_name"),
				instant(node, "registered_at"), strings(node, "topics"), strings(node, "session_keys"),
				number(node, "pid"), text(node, "cwd"), text(node, "repo"), text(node, "branch"), text(node, "summary"),
				number(node, "client_pid"), text(node, "delivery"), node.path("hooks_seen").asBoolean(false),
				text(node, "secret_hash"), instant(node, "last_seen"), instant(node, "away_since"), text(node, "host"));
	}

	// ---- claims (their waiters are a set of their own)

	static String json(StoredClaim c) {
		ObjectNode node = JSON.createObjectNode();
		node.put("id", c.id());
		node.put("repo", c.repo());
		node.put("holder_id", c.holderId());
		node.put("holder_name", c.holderName());
		ArrayNode patterns = node.putArray("patterns");
		c.patterns().forEach(patterns::add);
		node.put("exclusive", c.exclusive());
		node.put("reason", c.reason());
		node.put("claimed_at", c.claimedAt().toString());
		node.put("expires_at", c.expiresAt() == null ? null : c.expiresAt().toString());
		return JSON.writeValueAsString(node);
	}

	static StoredClaim claim(String json, Set<String> waiters) {
		JsonNode node = JSON.readTree(json);
		return new StoredClaim(text(node, "id"), text(node, "repo"), text(node, "holder_id"), text(node, "holder_name"),
				strings(node, "patterns"), node.path("exclusive").asBoolean(true), text(node, "reason"),
				instant(node, "claimed_at"), instant(node, "expires_at"), waiters);
	}

	private static String text(JsonNode node, String name) {
		JsonNode value = node.get(name);
		return value == null || value.isNull() ? null : value.asString();
	}

	private static Long number(JsonNode node, String name) {
		JsonNode value = node.get(name);
		return value == null || value.isNull() ? null : value.asLong();
	}

	private static Instant instant(JsonNode node, String name) {
		String text = text(node, name);
		return text == null ? null : Instant.parse(text);
	}

	private static List<String> strings(JsonNode node, String name) {
		List<String> values = new ArrayList<>();
		node.path(name).forEach(value -> values.add(value.asString()));
		return values;
	}

}
