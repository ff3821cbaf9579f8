package dev.mycelium.protocol;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /api/broker}: which broker this is. The {@code instanceId} matches the one
 * in {@code MYCELIUM_HOME/broker.json}, which tells a client that the process on the port
 * is the broker of its own home.
 *
 * @param store where the broker keeps its state: {@code sqlite} (survives the broker) or
 * {@code memory} (gone with it)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BrokerInfo(String version, String instanceId, long pid, String host, int port, Instant startedAt,
		int peers, String store) {
}
