package dev.mycelium.client;

/**
 * One Server-Sent Event as read from a stream.
 *
 * @param id its id ({@code null} when it had none)
 * @param event its name ({@code message} when it had none)
 * @param data its data lines, joined by newlines
 */
public record ServerSentEvent(String id, String event, String data) {
}
