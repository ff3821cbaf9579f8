package dev.mycelium.broker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random identifiers and secrets. */
final class Ids {

	private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

	private static final SecureRandom RANDOM = new SecureRandom();

	private Ids() {
	}

	/** A short id a person can read and type, e.g. {@code k3m9x2qa}. */
	static String shortId(int length) {
		// One call to the shared generator per id: it synchronizes, and ids are made on
		// every send.
		byte[] random = new byte[length];
		RANDOM.nextBytes(random);
		char[] id = new char[length];
		for (int i = 0; i < length; i++) {
			id[i] = BASE32[random[i] & 31];
		}
		return new String(id);
	}

	/** 256 random bits, URL-safe. */
	static String secret() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** Secrets are kept hashed so that a heap dump or a log line never shows one. */
	static String hash(String secret) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

}
