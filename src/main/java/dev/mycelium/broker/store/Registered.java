package dev.mycelium.broker.store;

/**
 * @param peer the peer after registration
 * @param resumed whether it existed (same session key) and was taken over
 */
public record Registered(StoredPeer peer, boolean resumed) {
}
