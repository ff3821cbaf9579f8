package dev.mycelium.protocol;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code MYCELIUM_HOME/broker.json}, written atomically by the broker once its port is
 * bound and removed when it stops.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BrokerState(long pid, String host, int port, String instanceId, Instant startedAt, String version) {
}
