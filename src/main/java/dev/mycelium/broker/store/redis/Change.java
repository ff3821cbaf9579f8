package dev.mycelium.broker.store.redis;

/**
 * A change of peers computed from a snapshot: the steps to commit, and the step's answer.
 */
record Change<T>(Steps steps, T result) {

	static <T> Change<T> none(T result) {
		return new Change<>(new Steps(), result);
	}

}
