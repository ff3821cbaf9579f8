package dev.mycelium.broker.store;

/**
 * The store could not do what was asked (a full disk, a read-only file, an I/O error) and
 * changed nothing: the request is answered 503, never with a silent loss.
 */
public class StoreUnavailableException extends RuntimeException {

	public StoreUnavailableException(String sentence, Throwable cause) {
		super(sentence, cause);
	}

}
