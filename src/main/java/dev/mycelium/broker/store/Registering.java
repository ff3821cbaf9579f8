package dev.mycelium.broker.store;

import java.time.Instant;

/**
 * A session registering: what {@link BrokerStore#register} needs to resume the peer of
 * its session key or create one.
 *
 * @param sessionKey the session's key, or {@code null} for a peer nobody can resume
 * @param wantedName the name it asks for, already checked against the name rule
 * @param repo the normalised repository identity
 * @param secretHash the hash of the secret the answer hands out
 * @param host the machine the session runs on (the broker's): a shared store keeps it
 */
public record Registering(String sessionKey, String wantedName, Long pid, String cwd, String repo, String branch,
		String summary, Long clientPid, String secretHash, Instant at, String host) {
}
