package dev.mycelium.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@code MYCELIUM_HOME/claims-standing}, there while any claim stands. Every
 * edit of every session runs the {@code PreToolUse} hook; with no claim anywhere (the
 * usual case) the script finds no file and exits without starting {@code curl}: 7.5 ms
 * instead of 46 ms on a busy machine (bench/results/2026-12-03-claims-hook.md). A claim
 * made through another broker of a shared Redis shows here at the next sweep (5 s).
 */
final class ClaimsMarker {

	private static final Logger log = LoggerFactory.getLogger(ClaimsMarker.class);

	private final Path file;

	/** What the file says now, to touch the disk only when it changes. */
	private Boolean standing;

	ClaimsMarker(Path file) {
		this.file = file;
	}

	/** A marker no hook reads: for brokers in tests that have no home of their own. */
	static ClaimsMarker none() {
		return new ClaimsMarker(null);
	}

	synchronized void set(boolean anyClaim) {
		if (file == null || Boolean.valueOf(anyClaim).equals(standing)) {
			return;
		}
		try {
			if (anyClaim) {
				Files.write(file, new byte[0]);
			}
			else {
				Files.deleteIfExists(file);
			}
			standing = anyClaim;
		}
		catch (IOException ex) {
			// Without the file the hook lets edits through unasked: said, and tried again
			// at the next change or sweep.
			log.warn("Could not {} {}: {}", anyClaim ? "write" : "delete", file, ex.getMessage());
		}
	}

}
