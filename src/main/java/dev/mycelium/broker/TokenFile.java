package dev.mycelium.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.protocol.MyceliumHome;

/**
 * Creates {@code MYCELIUM_HOME} (0700) and the API token in it (0600), or reads the token
 * a previous broker created, tightening permissions another tool may have loosened.
 */
final class TokenFile {

	private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

	private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

	private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

	private TokenFile() {
	}

	static void ensureHome(MyceliumHome home) {
		try {
			Files.createDirectories(home.directory());
			restrict(home.directory(), OWNER_ONLY_DIRECTORY);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create MYCELIUM_HOME at " + home.directory(), ex);
		}
	}

	/** The token, created on first use. */
	static String ensureToken(MyceliumHome home) {
		ensureHome(home);
		try {
			String existing = home.readToken().orElse("");
			if (!existing.isEmpty()) {
				restrict(home.token(), OWNER_ONLY_FILE);
				return existing;
			}
			String token = Ids.secret();
			Path temporary = Files.createTempFile(home.directory(), "token", ".tmp");
			restrict(temporary, OWNER_ONLY_FILE);
			Files.writeString(temporary, token + "\n", StandardCharsets.US_ASCII);
			try {
				Files.move(temporary, home.token(), StandardCopyOption.ATOMIC_MOVE);
			}
			catch (FileAlreadyExistsException ex) {
				Files.deleteIfExists(temporary);
				return home.readToken().orElseThrow();
			}
			log.info("Created the API token at {}", home.token());
			return token;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create the API token at " + home.token(), ex);
		}
	}

	private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
		if (!Files.getFileStore(path).supportsFileAttributeView("posix")) {
			return;
		}
		if (!Files.getPosixFilePermissions(path).equals(permissions)) {
			Files.setPosixFilePermissions(path, permissions);
		}
	}

}
