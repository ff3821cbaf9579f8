package dev.mycelium.broker.store;

/**
 * The broker cannot start on this store (a damaged or newer database, a Redis it cannot
 * use, another broker holding the home), said in one sentence that tells what to do. The
 * broker prints the sentence alone, without a stack trace, and exits; the store is left
 * as it was.
 */
public class StoreRefusedException extends IllegalStateException {

	public StoreRefusedException(String sentence) {
		super(sentence);
	}

	public StoreRefusedException(String sentence, Throwable cause) {
		super(sentence, cause);
	}

}
