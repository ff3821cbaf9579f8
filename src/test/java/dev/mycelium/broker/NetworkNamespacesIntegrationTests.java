package dev.mycelium.broker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.store.redis.RedisServer;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two machines for real, made by the test with {@code ip netns}: hosts {@code host-a} and
 * {@code host-b} each in a network namespace of its own, their brokers on their own
 * loopback, and Redis in a third namespace, reached over veth pairs at its own addresses
 * (198.18.77.0/24, the range set aside for network tests: nothing leaves the test's
 * namespaces). Sessions speak to their own machine's broker only ({@code curl} inside the
 * namespace). Messages, a broadcast and a task cross; push arrives on the other machine;
 * a machine cut off from Redis answers 503 until its link is back, without losing
 * anything; a machine whose broker dies leaves the other alone. Needs root (CI runs as
 * root); elsewhere it is skipped, saying why.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@Needs({ Tool.IP, Tool.REDIS_SERVER, Tool.CURL })
class NetworkNamespacesIntegrationTests {

	private static final String NET = "198.18.77.";

	@TempDir
	Path temporary;

	private final String tag = Long.toString(ProcessHandle.current().pid() % 100_000, 36);

	private final List<String> namespaces = new ArrayList<>();

	private final List<Process> started = new ArrayList<>();

	@AfterEach
	void removeEverything() throws Exception {
		for (int i = started.size() - 1; i >= 0; i--) {
			Process process = started.get(i);
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		for (String namespace : namespaces) {
			run("ip", "netns", "del", namespace);
		}
	}

	@Test
	void twoMachinesInNamespacesShareARedisInAThird() throws Exception {
		String redisNs = namespace("r");
		String a = namespace("a");
		String b = namespace("b");
		link(a, redisNs, NET + "2", NET + "1");
		link(b, redisNs, NET + "6", NET + "5");
		int redisPort = RedisServer.freePort();
		Path redisDir = Files.createDirectories(temporary.resolve("redis"));
		List<String> redisCommand = List.of("ip", "netns", "exec", redisNs, RedisServer.executable(), "--port",
				String.valueOf(redisPort), "--bind", NET + "1", NET + "5", "--protected-mode", "no", "--dir",
				redisDir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--logfile",
				redisDir.resolve("redis.log").toString());
		Process redis = startRedis(redisCommand, redisDir);

		Machine hostA = new Machine("host-a", a, "redis://" + NET + "1:" + redisPort).start();
		Machine hostB = new Machine("host-b", b, "redis://" + NET + "5:" + redisPort).start();
		JsonNode alice = hostA.register("alice");
		JsonNode bob = hostB.register("bob");

		JsonNode all = hostA.call("GET", "/api/peers?scope=all", null, secret(alice)).json();
		assertThat(all.toString()).contains("\"name\":\"alice\"", "\"host\":\"host-a\"", "\"name\":\"bob\"",
				"\"host\":\"host-b\"");
		assertThat(hostA.call("GET", "/api/peers?scope=machine", null, secret(alice)).body()).doesNotContain("bob");

		BlockingQueue<String> bobsPush = hostB.follow(bob);
		assertThat(
				hostA.call("POST", "/api/peers/bob/messages", "{\"body\":\"across the wire\"}", secret(alice)).status())
			.isEqualTo(201);
		assertThat(bobsPush.poll(10, TimeUnit.SECONDS)).as("pushed by host-b's broker").contains("across the wire");

		hostB.call("PUT", "/api/topics/deploys/subscribers/bob", null, secret(bob));
		assertThat(hostA
			.call("POST", "/api/broadcasts", "{\"body\":\"v2 is live\",\"topic\":\"deploys\",\"scope\":\"all\"}",
					secret(alice))
			.body()).contains("\"recipients\":[\"bob\"]");
		assertThat(bobsPush.poll(10, TimeUnit.SECONDS)).contains("v2 is live");
		String task = hostA
			.call("POST", "/api/tasks", "{\"to\":\"bob@host-b\",\"description\":\"review it\"}", secret(alice))
			.json()
			.path("id")
			.asString();
		assertThat(bobsPush.poll(10, TimeUnit.SECONDS)).contains("review it");
		assertThat(hostB
			.call("POST", "/api/tasks/" + task + "/result", "{\"status\":\"completed\",\"result\":\"ok\"}", secret(bob))
			.status()).isEqualTo(200);

		// host-a is cut off from Redis: its senders hear it within the step's timeout,
		// and once the link is back everything works again, nothing lost.
		run("ip", "netns", "exec", a, "ip", "link", "set", "v" + tag + "a", "down");
		Response cut = hostA.call("POST", "/api/peers/bob/messages", "{\"body\":\"into the void\"}", secret(alice));
		assertThat(cut.status()).isEqualTo(503);
		assertThat(cut.body()).contains("store_unavailable").contains("Redis at " + NET + "1:" + redisPort);
		run("ip", "netns", "exec", a, "ip", "link", "set", "v" + tag + "a", "up");
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> hostA.call("POST", "/api/peers/bob/messages", "{\"body\":\"back\"}", secret(alice))
				.status() == 201);
		assertThat(hostA.call("GET", "/api/peers/alice/messages", null, secret(alice)).body())
			.contains("completed: ok");

		// host-a's broker dies, Redis is killed and started again: host-b's mail is all
		// there.
		hostA.broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		redis.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		startRedis(redisCommand, redisDir);
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> hostB.call("GET", "/api/peers/bob/messages", null, secret(bob)).status() == 200);
		assertThat(hostB.call("GET", "/api/peers/bob/messages", null, secret(bob)).body()).contains("across the wire",
				"v2 is live", "review it", "back");
	}

	private static String secret(JsonNode registration) {
		return registration.path("secret").asString();
	}

	/** A machine: a namespace with its loopback, and a broker on it. */
	private final class Machine {

		final String host;

		final String namespace;

		final String redisUrl;

		final Path home;

		final int port = RedisServer.freePort();

		Process broker;

		Machine(String host, String namespace, String redisUrl) {
			this.host = host;
			this.namespace = namespace;
			this.redisUrl = redisUrl;
			this.home = temporary.resolve(host);
		}

		Machine start() throws IOException {
			Path log = temporary.resolve(host + ".log");
			ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", namespace,
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
					System.getProperty("java.class.path"), MyceliumApplication.class.getName(), "broker", "--port",
					String.valueOf(port), "--mycelium.liveness.sweep-interval=200ms")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile());
			builder.environment().put("MYCELIUM_HOME", home.toString());
			builder.environment().put("MYCELIUM_REDIS_URL", redisUrl);
			builder.environment().put("MYCELIUM_HOSTNAME", host);
			builder.environment().remove("MYCELIUM_STORE");
			broker = builder.start();
			started.add(broker);
			await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
				assertThat(broker.isAlive()).as("the broker of %s runs (see %s)", host, log).isTrue();
				return Files.exists(home.resolve("broker.json"))
						&& call("GET", "/actuator/health", null, null).body().contains("UP");
			});
			return this;
		}

		String token() {
			return new MyceliumHome(home).readToken().orElseThrow();
		}

		JsonNode register(String name) throws Exception {
			Response registered = call("POST", "/api/peers",
					"{\"name\":\"" + name + "\",\"cwd\":\"/work/" + name + "\",\"session_key\":\"key-" + name + "\"}",
					null);
			assertThat(registered.status()).as("registering %s: %s", name, registered.body()).isEqualTo(201);
			return registered.json();
		}

		/** A request from inside the machine to its own broker, on its loopback. */
		Response call(String method, String path, String body, String secret) throws Exception {
			List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "curl", "-s", "-m", "20",
					"-w", "\n%{http_code}", "-X", method, "-H", "Authorization: Bearer " + token()));
			if (secret != null) {
				command.addAll(List.of("-H", "Mycelium-Peer-Secret: " + secret));
			}
			if (body != null) {
				command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
			}
			command.add("http://127.0.0.1:" + port + path);
			String output = run(command.toArray(String[]::new));
			int last = output.lastIndexOf('\n');
			return new Response(Integer.parseInt(output.substring(last + 1).trim()), output.substring(0, last));
		}

		/**
		 * The data lines of a peer's SSE inbox stream, read by curl inside the machine.
		 */
		BlockingQueue<String> follow(JsonNode peer) throws IOException {
			Process curl = new ProcessBuilder("ip", "netns", "exec", namespace, "curl", "-s", "-N", "-H",
					"Authorization: Bearer " + token(), "-H", "Mycelium-Peer-Secret: " + secret(peer),
					"http://127.0.0.1:" + port + "/api/peers/" + peer.path("id").asString() + "/events")
				.redirectErrorStream(true)
				.start();
			started.add(curl);
			BlockingQueue<String> lines = new LinkedBlockingQueue<>();
			Thread reader = new Thread(() -> {
				try (BufferedReader in = new BufferedReader(
						new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
					for (String line; (line = in.readLine()) != null;) {
						if (line.startsWith("data:")) {
							lines.add(line);
						}
					}
				}
				catch (IOException ex) {
					// curl was stopped
				}
			}, "sse-" + host);
			reader.setDaemon(true);
			reader.start();
			return lines;
		}

	}

	private record Response(int status, String body) {

		JsonNode json() {
			return BrokerApi.JSON.readTree(body);
		}

	}

	private Process startRedis(List<String> command, Path dir) throws IOException {
		Process redis = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile()))
			.start();
		started.add(redis);
		long before = countReady(dir);
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> countReady(dir) > before || !redis.isAlive());
		assertThat(redis.isAlive()).as("redis-server runs: %s", Files.readString(dir.resolve("redis.out"))).isTrue();
		return redis;
	}

	private static long countReady(Path dir) throws IOException {
		Path log = dir.resolve("redis.log");
		return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("Ready to accept")).count()
				: 0;
	}

	/**
	 * A namespace with its loopback up; skips the test where namespaces are impossible.
	 */
	private String namespace(String suffix) throws Exception {
		String name = "myc" + tag + suffix;
		Process add = new ProcessBuilder("ip", "netns", "add", name).redirectErrorStream(true).start();
		String output = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		boolean made = add.waitFor(30, TimeUnit.SECONDS) && add.exitValue() == 0;
		Assumptions.assumeTrue(made || namespaces.size() > 0,
				() -> "network namespaces are not possible here (ip netns add: " + output.strip()
						+ "); they need root, as CI has");
		assertThat(made).as("ip netns add %s: %s", name, output).isTrue();
		namespaces.add(name);
		run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
		return name;
	}

	/** A veth pair between two namespaces, with an address at each end. */
	private void link(String from, String to, String fromAddress, String toAddress) throws Exception {
		String near = "v" + tag + from.substring(from.length() - 1);
		String far = "w" + tag + from.substring(from.length() - 1);
		run("ip", "link", "add", near, "netns", from, "type", "veth", "peer", "name", far, "netns", to);
		run("ip", "netns", "exec", from, "ip", "addr", "add", fromAddress + "/30", "dev", near);
		run("ip", "netns", "exec", to, "ip", "addr", "add", toAddress + "/30", "dev", far);
		run("ip", "netns", "exec", from, "ip", "link", "set", near, "up");
		run("ip", "netns", "exec", to, "ip", "link", "set", far, "up");
	}

	private static String run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
		return output;
	}

}
