package dev.mycelium.broker.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may see the dashboard: the one-time login codes {@code mycelium dashboard} asks
 * for, and the browser sessions they open. In memory only, so a broker restart signs
 * every browser out; both kept hashed, so that a heap dump shows none that works.
 * Bounded: the oldest code or session gives way to a new one beyond the limit.
 */
final class DashboardSessions {

	/** More than anyone opens in a minute; a loop asking for codes cannot grow memory. */
	static final int MAX_CODES = 32;

	static final int MAX_SESSIONS = 64;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Clock clock;

	private final Duration codeLifetime;

	private final Duration sessionLifetime;

	/** Expiry by hash, oldest first. Guarded by this. */
	private final Map<String, Instant> codes = new LinkedHashMap<>();

	private final Map<String, Instant> sessions = new LinkedHashMap<>();

	DashboardSessions(Clock clock, Duration codeLifetime, Duration sessionLifetime) {
		this.clock = clock;
		this.codeLifetime = codeLifetime;
		this.sessionLifetime = sessionLifetime;
	}

	/** A login code and when it stops working. */
	record Code(String code, Instant expiresAt) {
	}

	/** A browser session: the cookie's value, and how long it lasts. */
	record Session(String token, Duration lifetime) {
	}

	synchronized Code issueCode() {
		Instant now = clock.instant();
		forgetExpired(codes, now);
		String code = random(16);
		Instant expiresAt = now.plus(codeLifetime);
		put(codes, hash(code), expiresAt, MAX_CODES);
		return new Code(code, expiresAt);
	}

	/**
	 * The session a code opens: once, and only before it expires. Empty for a code that
	 * is unknown, used or expired.
	 */
	synchronized Optional<Session> redeem(String code) {
		Instant now = clock.instant();
		forgetExpired(codes, now);
		if (code == null || codes.remove(hash(code)) == null) {
			return Optional.empty();
		}
		forgetExpired(sessions, now);
		String token = random(32);
		put(sessions, hash(token), now.plus(sessionLifetime), MAX_SESSIONS);
		return Optional.of(new Session(token, sessionLifetime));
	}

	synchronized boolean isSignedIn(String token) {
		if (token == null) {
			return false;
		}
		Instant expiresAt = sessions.get(hash(token));
		return expiresAt != null && clock.instant().isBefore(expiresAt);
	}

	synchronized void signOut(String token) {
		if (token != null) {
			sessions.remove(hash(token));
		}
	}

	private static void put(Map<String, Instant> entries, String key, Instant expiresAt, int max) {
		entries.put(key, expiresAt);
		Iterator<String> oldest = entries.keySet().iterator();
		while (entries.size() > max) {
			oldest.next();
			oldest.remove();
		}
	}

	private static void forgetExpired(Map<String, Instant> entries, Instant now) {
		entries.values().removeIf(expiresAt -> !now.isBefore(expiresAt));
	}

	private static String random(int bytes) {
		byte[] random = new byte[bytes];
		RANDOM.nextBytes(random);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

	private static String hash(String secret) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

}
