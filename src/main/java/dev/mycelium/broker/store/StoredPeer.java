package dev.mycelium.broker.store;

import java.time.Instant;
import java.util.List;

/**
 * A peer as a store keeps it. Immutable: a store replaces the record when something
 * changes.
 *
 * @param name unique ignoring case among the peers the store knows; changes when a
 * session that left yields it to a live one
 * @param wantedName the name it asked for (its directory's); it takes it back when it can
 * @param topics its subscriptions, sorted
 * @param sessionKeys the key it registered with, and those its hooks named
 * @param delivery how its serve delivers mail into the session, as it last reported
 * @param secretHash the SHA-256 of its current secret; {@code null} once it left
 * @param awaySince when it left or was removed; {@code null} while live
 * @param host the machine its session runs on, as its broker named it; {@code null} when
 * the store does not keep it (SQLite, a store of one machine: every peer is on the
 * broker's own)
 */
public record StoredPeer(String id, String name, String wantedName, Instant registeredAt, List<String> topics,
		List<String> sessionKeys, Long pid, String cwd, String repo, String branch, String summary, Long clientPid,
		String delivery, boolean hooksSeen, String secretHash, Instant lastSeen, Instant awaySince, String host) {

	public StoredPeer {
		topics = List.copyOf(topics);
		sessionKeys = List.copyOf(sessionKeys);
	}

	public boolean isLive() {
		return awaySince == null;
	}

	public StoredPeer withName(String newName) {
		return new StoredPeer(id, newName, wantedName, registeredAt, topics, sessionKeys, pid, cwd, repo, branch,
				summary, clientPid, delivery, hooksSeen, secretHash, lastSeen, awaySince, host);
	}

	public StoredPeer withLastSeen(Instant seen) {
		return new StoredPeer(id, name, wantedName, registeredAt, topics, sessionKeys, pid, cwd, repo, branch, summary,
				clientPid, delivery, hooksSeen, secretHash, seen, awaySince, host);
	}

	public StoredPeer withTopics(List<String> newTopics) {
		return new StoredPeer(id, name, wantedName, registeredAt, newTopics, sessionKeys, pid, cwd, repo, branch,
				summary, clientPid, delivery, hooksSeen, secretHash, lastSeen, awaySince, host);
	}

	public StoredPeer withSessionKeys(List<String> keys) {
		return new StoredPeer(id, name, wantedName, registeredAt, topics, keys, pid, cwd, repo, branch, summary,
				clientPid, delivery, hooksSeen, secretHash, lastSeen, awaySince, host);
	}

	public StoredPeer withHooksSeen() {
		return new StoredPeer(id, name, wantedName, registeredAt, topics, sessionKeys, pid, cwd, repo, branch, summary,
				clientPid, delivery, true, secretHash, lastSeen, awaySince, host);
	}

	public StoredPeer withDetails(String newSummary, String newBranch, String newDelivery) {
		return new StoredPeer(id, name, wantedName, registeredAt, topics, sessionKeys, pid, cwd, repo, newBranch,
				newSummary, clientPid, newDelivery, hooksSeen, secretHash, lastSeen, awaySince, host);
	}

	/** Away because it left, not for silence: only registering again brings it back. */
	public boolean hasLeft() {
		return !isLive() && secretHash == null;
	}

	/** Back from away: a request with its secret is a sign of life. */
	public StoredPeer back(Instant at) {
		return new StoredPeer(id, name, wantedName, registeredAt, topics, sessionKeys, pid, cwd, repo, branch, summary,
				clientPid, delivery, hooksSeen, secretHash, at, null, host);
	}

	/**
	 * Away: left ({@code keepSecret} false) or removed for silence (its secret still
	 * brings it back). What its serve held or reported ends with it.
	 */
	public StoredPeer away(Instant at, boolean keepSecret) {
		return new StoredPeer(id, name, wantedName, registeredAt, topics, sessionKeys, pid, cwd, repo, branch, summary,
				clientPid, null, hooksSeen, keepSecret ? secretHash : null, lastSeen, at, host);
	}

	/**
	 * Registered again (a new serve of the same session): a new secret, fresh details.
	 */
	public StoredPeer resumed(Registering again, String newName) {
		return new StoredPeer(id, newName, wantedName, registeredAt, topics, sessionKeys, again.pid(), again.cwd(),
				again.repo(), again.branch(), again.summary() != null ? again.summary() : summary, again.clientPid(),
				null, hooksSeen, again.secretHash(), again.at(), null, again.host() != null ? again.host() : host);
	}

}
