package dev.mycelium.client;

/** No broker answers, and none could be started; the message says why and what to do. */
public final class BrokerUnavailableException extends RuntimeException {

	public BrokerUnavailableException(String message) {
		super(message);
	}

	public BrokerUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
