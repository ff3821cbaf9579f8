package dev.mycelium.broker.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A step's Lua: the shared functions, then its own. */
record Script(String text, String sha) {

	static Script load(String name) {
		String text = resource("common.lua") + "\n" + resource(name + ".lua");
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
			return new Script(text, HexFormat.of().formatHex(digest));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String resource(String name) {
		try (InputStream in = Script.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("The jar lacks the Redis step " + name);
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
