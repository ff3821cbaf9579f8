package dev.mycelium.protocol;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /api/broker}: which broker this is. The {@code instanceId} matches the one
 * in {@code MYCELIUM_HOME/broker.json}, which tells a client that the process on the port
 * is the broker of its own home.
 *
 * @param hostName the name of the machine the broker runs on (the host of its peers)
 * @param uptimeSeconds how long the broker has been running
 * @param messagesLastTenSeconds messages sent (direct, broadcast, task, result, expiry
 * notice) in the last ten seconds: a tenth of it is the rate per second. A count, not a
 * rate, because every {@code serve} reads this record, and a floating-point number would
 * load Jackson's float parser into each.
 * @param unread how many messages wait unread in all inboxes: the broker's queue depth
 * @param store where the broker keeps its state: {@code sqlite} (survives the broker),
 * {@code redis} (shared by the brokers of several machines, survives them) or
 * {@code memory} (gone with it)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BrokerInfo(String version, String instanceId, long pid, String host, int port, Instant startedAt,
		int peers, String hostName, long uptimeSeconds, long messagesLastTenSeconds, int unread, String store) {
}
