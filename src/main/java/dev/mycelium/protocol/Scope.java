package dev.mycelium.protocol;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which peers a listing or a broadcast covers: every peer on this machine, only the peers
 * working in the same git repository (worktrees and clones included, on any machine), or
 * every peer of every machine sharing the store. With a store of one machine (memory,
 * SQLite) {@code all} is {@code machine}.
 */
public enum Scope {

	MACHINE, REPO, ALL;

	@JsonValue
	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Parses a scope as a user types it; {@code null} or blank means {@link #MACHINE}.
	 * @throws IllegalArgumentException naming the accepted values
	 */
	@JsonCreator
	public static Scope parse(String text) {
		if (text == null || text.isBlank()) {
			return MACHINE;
		}
		for (Scope scope : values()) {
			if (scope.wireName().equalsIgnoreCase(text.trim())) {
				return scope;
			}
		}
		throw new IllegalArgumentException("scope must be 'machine', 'repo' or 'all', not '" + text + "'");
	}

}
