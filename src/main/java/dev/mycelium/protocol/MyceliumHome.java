package dev.mycelium.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files under {@code MYCELIUM_HOME} that the broker and its clients share. The broker
 * creates them; clients only read.
 */
public record MyceliumHome(Path directory) {

	public Path token() {
		return directory.resolve("token");
	}

	public Path brokerState() {
		return directory.resolve("broker.json");
	}

	public Path brokerLock() {
		return directory.resolve("broker.lock");
	}

	public Path brokerLog() {
		return directory.resolve("broker.log");
	}

	public Path serveLog() {
		return directory.resolve("serve.log");
	}

	/** The API token, or empty when no broker has created it yet. */
	public Optional<String> readToken() {
		try {
			return Optional.of(Files.readString(token(), StandardCharsets.US_ASCII).trim());
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the mycelium token at " + token(), ex);
		}
	}

}
