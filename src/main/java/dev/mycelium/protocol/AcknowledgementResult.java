package dev.mycelium.protocol;

/**
 * @param acknowledged how many of the given ids were unread and are now acknowledged (ids
 * acknowledged before are ignored, so acknowledging twice is harmless)
 * @param unread how many messages are still unread
 */
public record AcknowledgementResult(int acknowledged, int unread) {
}
