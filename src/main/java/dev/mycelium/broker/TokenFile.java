package dev.mycelium.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.protocol.MyceliumHome;

/**
 * Creates the API token (0600) in {@code MYCELIUM_HOME} (0700), or reads the token a
 * previous broker created, tightening permissions another tool may have loosened.
 */
final class TokenFile {

	private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

	private TokenFile() {
	}

	/** The token, created on first use, and the curl config file that carries it. */
	static String ensureToken(MyceliumHome home) {
		String token = readOrCreate(home);
		writeCurlConfig(home, token);
		return token;
	}

	/**
	 * Rewritten at every start, with a temporary file and a rename, so that a hook never
	 * reads half a file.
	 */
	private static void writeCurlConfig(MyceliumHome home, String token) {
		try {
			Path temporary = Files.createTempFile(home.directory(), "curl", ".tmp");
			MyceliumHome.restrictToOwner(temporary);
			Files.writeString(temporary,
					"# mycelium's API token, for curl -K (written by the broker)\nheader = \"Authorization: Bearer "
							+ token + "\"\n",
					StandardCharsets.US_ASCII);
			Files.move(temporary, home.curlConfig(), StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + home.curlConfig(), ex);
		}
	}

	private static String readOrCreate(MyceliumHome home) {
		home.createDirectory();
		try {
			String existing = home.readToken().orElse("");
			if (!existing.isEmpty()) {
				MyceliumHome.restrictToOwner(home.token());
				return existing;
			}
			String token = Ids.secret();
			Path temporary = Files.createTempFile(home.directory(), "token", ".tmp");
			MyceliumHome.restrictToOwner(temporary);
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

}
