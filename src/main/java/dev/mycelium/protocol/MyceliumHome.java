package dev.mycelium.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The files under {@code MYCELIUM_HOME} that the broker and its clients share. The broker
 * creates them; clients only read.
 */
public record MyceliumHome(Path directory) {

	/**
	 * The user's home as the shell sees it: {@code HOME} when it is set, else the JVM's
	 * {@code user.home} (which the JVM takes from the password database and so ignores a
	 * {@code HOME} the user changed). The hook scripts go by {@code HOME}; so does every
	 * mycelium process, so that they all find the same {@code ~/.mycelium}.
	 */
	public static Path userHome(Map<String, String> environment) {
		String home = environment.get("HOME");
		if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
			return Path.of(home);
		}
		return Path.of(System.getProperty("user.home"));
	}

	public Path token() {
		return directory.resolve("token");
	}

	/**
	 * The token as a curl config file ({@code curl -K}), for the hooks and for people: a
	 * token on curl's command line would show in every user's process list.
	 */
	public Path curlConfig() {
		return directory.resolve("curl.conf");
	}

	public Path brokerState() {
		return directory.resolve("broker.json");
	}

	public Path brokerLock() {
		return directory.resolve("broker.lock");
	}

	/** The broker's durable store (SQLite), unless it runs with the memory store. */
	public Path database() {
		return directory.resolve("mycelium.db");
	}

	/**
	 * Exists while any claim on files stands: without it the plugin's {@code PreToolUse}
	 * hook answers every edit at once, without starting {@code curl}.
	 */
	public Path claimsStanding() {
		return directory.resolve("claims-standing");
	}

	public Path brokerLog() {
		return directory.resolve("broker.log");
	}

	public Path serveLog() {
		return directory.resolve("serve.log");
	}

	/**
	 * Creates the directory if needed, for its owner only (0700), tightening a looser
	 * one: it holds the API token.
	 */
	public void createDirectory() {
		try {
			Files.createDirectories(directory);
			restrict(directory, "rwx------");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create MYCELIUM_HOME at " + directory, ex);
		}
	}

	/** Makes a file readable and writable by its owner only (0600). */
	public static void restrictToOwner(Path file) throws IOException {
		restrict(file, "rw-------");
	}

	private static void restrict(Path path, String permissions) throws IOException {
		if (Files.getFileStore(path).supportsFileAttributeView("posix")
				&& !PosixFilePermissions.toString(Files.getPosixFilePermissions(path)).equals(permissions)) {
			Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
		}
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
