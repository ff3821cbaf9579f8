package dev.mycelium.broker;

/**
 * A setting the broker will not start with (a host other machines could reach), in a
 * sentence that says what to do; printed alone by the broker
 * (RefusedToStartFailureAnalyzer).
 */
class SettingRefusedException extends IllegalStateException {

	SettingRefusedException(String sentence) {
		super(sentence);
	}

	SettingRefusedException(String sentence, Throwable cause) {
		super(sentence, cause);
	}

}
