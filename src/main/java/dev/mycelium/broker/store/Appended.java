package dev.mycelium.broker.store;

import dev.mycelium.protocol.Message;

/**
 * What became of one message of an {@link BrokerStore#append append}.
 *
 * @param sequence its place in the recipient's inbox when {@link Outcome#APPENDED}
 */
public record Appended(Message message, Outcome outcome, long sequence) {

	public enum Outcome {

		APPENDED,
		/** The recipient's inbox already held as many unread messages as allowed. */
		FULL,
		/** The store no longer knows the recipient. */
		GONE

	}

	public boolean isAppended() {
		return outcome == Outcome.APPENDED;
	}

}
