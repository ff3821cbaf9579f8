package dev.mycelium.protocol;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A peer as the broker shows it.
 *
 * @param state {@code active}; {@code stale} when silent for a while; {@code away} when
 * it left or was removed but its unread mail is still kept for it
 * @param unread how many messages wait in its inbox
 * @param push whether it receives messages by real-time push
 * @param delivery how new mail reaches the session's model, e.g. {@code inbox socket,
 * hooks}; {@code null} when nothing but reading its inbox does
 * @param host the name of the machine its session runs on (brokers of several machines
 * share a Redis store); {@code null} from a broker older than that
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Peer(String id, String name, Long pid, String cwd, String repo, String branch, String summary,
		List<String> topics, Instant registeredAt, Instant lastSeen, String state, int unread, boolean push,
		String delivery, String host) {

	public static final String ACTIVE = "active";

	public static final String STALE = "stale";

	public static final String AWAY = "away";

}
