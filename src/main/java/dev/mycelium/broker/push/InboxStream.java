package dev.mycelium.broker.push;

/**
 * A peer's open push stream, as the broker's signals see it. Both methods must return at
 * once: the stream pulls the messages itself, on its own thread.
 */
public interface InboxStream {

	/** New mail (or the backlog, on opening): pull what comes after what was sent. */
	void mailArrived();

	/** Ends the stream: the peer left, was removed, or opened a newer one. */
	void close();

}
