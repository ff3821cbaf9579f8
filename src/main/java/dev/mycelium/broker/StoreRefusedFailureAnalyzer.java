package dev.mycelium.broker;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.mycelium.broker.store.StoreRefusedException;

/**
 * A broker that cannot start on its store says why in its own sentence, the one the store
 * wrote, instead of the hundred lines of a stack trace in which Spring wraps it (the
 * store is opened while Tomcat starts, for the filters that authenticate). Registered in
 * {@code META-INF/spring.factories}; Spring Boot loads it only when a start fails.
 */
class StoreRefusedFailureAnalyzer extends AbstractFailureAnalyzer<StoreRefusedException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StoreRefusedException cause) {
		// The sentence says what to do itself: no separate action.
		return new FailureAnalysis(cause.getMessage(), null, cause);
	}

}
