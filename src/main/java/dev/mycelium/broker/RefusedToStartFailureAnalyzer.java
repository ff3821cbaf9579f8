package dev.mycelium.broker;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

import dev.mycelium.broker.store.StoreRefusedException;

/**
 * A broker that refuses to start (its store unusable, a setting it will not run with)
 * says why in its own sentence instead of inside the hundred lines of stack trace in
 * which Spring wraps it: the store and the request filter's settings are made while
 * Tomcat starts. Registered in {@code META-INF/spring.factories}; Spring Boot loads it
 * only when a start fails.
 */
class RefusedToStartFailureAnalyzer implements FailureAnalyzer {

	@Override
	public FailureAnalysis analyze(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof StoreRefusedException || cause instanceof SettingRefusedException) {
				// The sentence says what to do itself: no separate action.
				return new FailureAnalysis(cause.getMessage(), null, cause);
			}
		}
		return null;
	}

}
