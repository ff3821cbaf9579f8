package dev.mycelium.protocol;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The answer to a registration.
 *
 * @param id the broker-assigned peer id
 * @param name the peer's unique name
 * @param secret the peer secret: send it as {@code Mycelium-Peer-Secret} to act as this
 * peer
 * @param resumed whether an earlier registration with the same session key was taken over
 * @param peer the peer as others see it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Registration(String id, String name, String secret, boolean resumed, Peer peer) {
}
