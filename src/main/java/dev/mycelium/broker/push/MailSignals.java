package dev.mycelium.broker.push;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Who in this process waits for a peer's mail: long-polls and the peer's open push
 * stream. The store tells {@link #mailArrived} after mail is stored (from this broker, or
 * later from another one sharing the store); nothing here is state that must survive.
 */
public final class MailSignals {

	private final Map<String, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

	private final Map<String, InboxStream> streams = new ConcurrentHashMap<>();

	/**
	 * Completes when mail arrives for the peer, or at once when {@code hasMail} says some
	 * is already there (asked after the waiter is in place, so no arrival is missed).
	 * Cancel it to stop waiting.
	 */
	public CompletableFuture<Void> mailArrival(String peerId, BooleanSupplier hasMail) {
		CompletableFuture<Void> arrival = new CompletableFuture<>();
		List<CompletableFuture<Void>> list = waiters.computeIfAbsent(peerId, id -> new CopyOnWriteArrayList<>());
		// Long-polls that timed out were cancelled: drop them so waiting costs nothing.
		list.removeIf(CompletableFuture::isDone);
		list.add(arrival);
		if (hasMail.getAsBoolean()) {
			list.remove(arrival);
			arrival.complete(null);
		}
		return arrival;
	}

	/** Wakes the peer's long-polls and its push stream. */
	public void mailArrived(String peerId) {
		InboxStream stream = streams.get(peerId);
		if (stream != null) {
			stream.mailArrived();
		}
		List<CompletableFuture<Void>> list = waiters.get(peerId);
		if (list != null && !list.isEmpty()) {
			for (CompletableFuture<Void> waiter : list) {
				list.remove(waiter);
				waiter.complete(null);
			}
		}
	}

	/**
	 * Makes {@code stream} the peer's push stream and tells it about the mail already
	 * waiting; closes the one it replaces.
	 */
	public void openStream(String peerId, InboxStream stream) {
		InboxStream replaced = streams.put(peerId, stream);
		stream.mailArrived();
		if (replaced != null && replaced != stream) {
			replaced.close();
		}
	}

	/** The stream ended; the peer no longer receives push (unless it opened another). */
	public void streamClosed(String peerId, InboxStream stream) {
		streams.remove(peerId, stream);
	}

	/** Ends the peer's push stream: it left or was removed. */
	public void closeStream(String peerId) {
		InboxStream stream = streams.remove(peerId);
		if (stream != null) {
			stream.close();
		}
	}

	public boolean hasStream(String peerId) {
		return streams.containsKey(peerId);
	}

}
