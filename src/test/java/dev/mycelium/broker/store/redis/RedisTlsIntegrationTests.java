package dev.mycelium.broker.store.redis;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.store.Appended;
import dev.mycelium.broker.store.Registered;
import dev.mycelium.broker.store.Registering;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code rediss://} with an ACL user and password: Debian's {@code redis-server} with TLS
 * only ({@code --port 0 --tls-port}), a self-signed certificate the test makes with
 * {@code openssl}, the default user switched off. The store trusts the certificate given
 * as {@code MYCELIUM_REDIS_CA} and speaks; a wrong password, or a certificate it was not
 * told to trust, stops it with a sentence that never repeats the password.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@Needs({ Tool.REDIS_SERVER, Tool.OPENSSL })
class RedisTlsIntegrationTests {

	private static final String PASSWORD = "s3cret-Pa55";

	@TempDir
	static Path directory;

	private static RedisServer redis;

	private static Path certificate;

	@BeforeAll
	static void startRedisWithTls() throws Exception {
		certificate = directory.resolve("cert.pem");
		Path key = directory.resolve("key.pem");
		Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
				key.toString(), "-out", certificate.toString(), "-days", "1", "-subj", "/CN=localhost", "-addext",
				"subjectAltName=DNS:localhost,IP:127.0.0.1")
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("openssl.out").toFile())
			.start();
		assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(openssl.exitValue()).as("openssl made a certificate").isZero();
		int port = RedisServer.freePort();
		redis = RedisServer.start(directory.resolve("redis"), "127.0.0.1", port, "--port", "0", "--tls-port",
				String.valueOf(port), "--tls-cert-file", certificate.toString(), "--tls-key-file", key.toString(),
				"--tls-ca-cert-file", certificate.toString(), "--tls-auth-clients", "no", "--user", "mycelium", "on",
				">" + PASSWORD, "~*", "&*", "+@all", "--user", "default", "off");
	}

	@AfterAll
	static void stopRedis() {
		if (redis != null) {
			redis.close();
		}
	}

	private static String url(String password) {
		return "rediss://mycelium:" + password + "@localhost:" + redis.port();
	}

	@Test
	void anAclUserOverTlsWithTheCertificateGivenStoresAndReads() {
		try (RedisStore store = RedisStore.open(url(PASSWORD), certificate)) {
			Instant now = Instant.now();
			Registered bob = store.register(
					new Registering("k-bob", "bob", 1L, "/work/bob", null, null, null, null, "hash", now, "server"),
					() -> "bobbbbbb", (wanted, n) -> wanted + "-" + n);
			Message message = new Message("m000000001", MessageKind.DIRECT, "cli:root", null, "bob", bob.peer().id(),
					null, "over TLS", null, null, now);

			assertThat(store.append(List.of(message), 10)).extracting(Appended::outcome)
				.containsExactly(Appended.Outcome.APPENDED);
			assertThat(store.unread(bob.peer().id(), false)).extracting(d -> d.message()).containsExactly(message);
			assertThat(store.peer(bob.peer().id()))
				.hasValueSatisfying(peer -> assertThat(peer.host()).isEqualTo("server"));
		}
	}

	@Test
	void aWrongPasswordIsRefusedWithASentenceThatKeepsThePasswordOut() {
		assertThatIllegalStateException().isThrownBy(() -> RedisStore.open(url("wrong-guess"), certificate))
			.withMessageContaining("cannot use its Redis at localhost:" + redis.port())
			.withMessageContaining("MYCELIUM_REDIS_URL")
			.satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("wrong-guess"));
	}

	@Test
	void aCertificateNobodyTrustsIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> RedisStore.open(url(PASSWORD), null))
			.withMessageContaining("cannot reach its Redis at localhost:" + redis.port())
			.withMessageContaining("MYCELIUM_REDIS_CA")
			.satisfies(ex -> assertThat(ex.getMessage()).doesNotContain(PASSWORD));
	}

}
