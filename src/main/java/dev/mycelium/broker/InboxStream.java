package dev.mycelium.broker;

/**
 * A peer's open push stream, as the repository sees it. The repository calls it while
 * holding its lock, so both methods must return at once: the stream pulls the messages
 * itself, on its own thread.
 */
interface InboxStream {

	/** New mail (or the backlog, on opening): pull what comes after what was sent. */
	void mailArrived();

	/** Ends the stream: the peer left, was removed, or opened a newer one. */
	void close();

}
