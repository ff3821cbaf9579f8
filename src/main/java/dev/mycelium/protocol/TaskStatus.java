package dev.mycelium.protocol;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A delegated task moves once from {@code pending} to {@code completed} or
 * {@code failed}.
 */
public enum TaskStatus {

	PENDING, COMPLETED, FAILED;

	@JsonValue
	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * @throws IllegalArgumentException naming the accepted values
	 */
	@JsonCreator
	public static TaskStatus parse(String text) {
		for (TaskStatus status : values()) {
			if (text != null && status.wireName().equalsIgnoreCase(text.trim())) {
				return status;
			}
		}
		throw new IllegalArgumentException("status must be 'completed' or 'failed', not '" + text + "'");
	}

}
