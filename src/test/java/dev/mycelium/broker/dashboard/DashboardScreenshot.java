package dev.mycelium.broker.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.openqa.selenium.OutputType;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.broker.dashboard.BrokerHttp.Peer;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MyceliumHome;

import static org.awaitility.Awaitility.await;

/**
 * Takes {@code docs/dashboard.png}: a broker with five sessions, topics, tasks in every
 * state and messages flowing, in Chromium at 1280×800; and prints two figures on the way,
 * the page's load time after the login link and how long a message takes from the
 * broker's answer to the screen. A tool run by hand, not a test:
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath
 * java -cp target/test-classes:target/classes:$(cat target/test.classpath) \
 *     dev.mycelium.broker.dashboard.DashboardScreenshot docs/dashboard.png
 * </pre>
 */
public final class DashboardScreenshot {

	private DashboardScreenshot() {
	}

	public static void main(String[] args) throws Exception {
		Path output = Path.of(args.length > 0 ? args[0] : "docs/dashboard.png");
		Path root = Files.createTempDirectory("mycelium-screenshot");
		Path home = root.resolve("home");
		ConfigurableApplicationContext broker = new SpringApplicationBuilder(MyceliumApplication.class)
			.profiles("broker")
			.run("--mycelium.port=0", "--mycelium.host=localhost", "--mycelium.home=" + home,
					"--logging.level.root=warn",
					// A session that left is forgotten at once: its open task shows
					// orphaned.
					"--mycelium.liveness.grace=1s");
		List<CompletableFuture<HttpResponse<InputStream>>> streams = new ArrayList<>();
		try (Chromium chromium = Chromium.start()) {
			int port = Integer.parseInt(broker.getEnvironment().getProperty("local.server.port"));
			BrokerHttp http = new BrokerHttp(port, new MyceliumHome(home).readToken().orElseThrow());
			Peer api = http.register("shop-api", "github.com/acme/shop", "main",
					"cart API: totals in cents; checkout answers 409 on a stale cart");
			Peer web = http.register("shop-web", "github.com/acme/shop", "checkout-page",
					"checkout page: address form, wiring the new totals");
			Peer tests = http.register("shop-tests", "github.com/acme/shop", "e2e", "end-to-end tests of checkout");
			Peer docs = http.register("docs", "github.com/acme/docs", "getting-started",
					"the getting-started guide, screenshots of the CLI");
			Peer infra = http.register("infra", "github.com/acme/infra", "redis-failover",
					"Redis failover for the session store");
			Peer old = http.register("infra-old", "github.com/acme/infra", "main", "the session before a restart");
			// Two sessions receive push: an open inbox stream, as serve keeps; each says
			// how mail reaches its model, as serve and the hooks do.
			streams.add(inboxStream(http, api));
			streams.add(inboxStream(http, web));
			Map<Peer, String> delivery = Map.of(api, "inbox socket, hooks", web, "inbox socket, hooks", tests,
					"tool notices, hooks", docs, "inbox socket", infra, "channel");
			delivery.forEach((peer, way) -> http.api("PATCH", "/api/peers/" + peer.id(), Map.of("delivery", way),
					peer.secret()));
			for (Peer peer : List.of(api, web, tests)) {
				http.subscribe(peer, "checkout");
			}
			for (Peer peer : List.of(docs, infra, api)) {
				http.subscribe(peer, "releases");
			}
			String done = http.delegate(web, api, "expose total_cents in GET /cart");
			http.report(api, done, "completed", "added, see commit 3f2a1c9");
			String failed = http.delegate(infra, docs, "document the Redis failover");
			http.report(docs, failed, "failed", "needs the runbook first");
			http.delegate(docs, old, "re-run the CLI screenshots");
			http.api("DELETE", "/api/peers/" + old.id(), null, old.secret());

			long start = System.nanoTime();
			chromium.driver().get(http.base + http.loginCode().path());
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> "true".equals(chromium.script("return document.documentElement.dataset.ready || ''")));
			System.out.printf("page load after the login link: %d ms%n", (System.nanoTime() - start) / 1_000_000);
			chromium.script("""
					window.seen = {};
					new MutationObserver(() => {
						for (const row of document.querySelectorAll('#flow tbody tr')) {
							const text = row.lastElementChild.textContent;
							if (!(text in seen)) seen[text] = Date.now();
						}
					}).observe(document.querySelector('#flow tbody'), {childList: true});
					window.arrived = {};
					new EventSource('/api/events').addEventListener('message',
						e => arrived[JSON.parse(e.data).message.body] = Date.now());
					""");

			http.delegate(api, tests, "an e2e test for the 409 on a stale cart");
			http.broadcast(api, "checkout", "heads-up: /cart now returns total_cents; totals are integers");
			http.broadcast(infra, "releases", "Redis failover goes out Thursday; sessions reconnect by themselves");
			List<Long> latencies = new ArrayList<>();
			List<Long> arrivals = new ArrayList<>();
			String[][] talk = { { "web", "api", "is total_cents in the PR yet?" },
					{ "api", "web", "yes, merged: total_cents on GET /cart and on the order" },
					{ "tests", "api", "409 on stale carts: does it say which item changed?" },
					{ "api", "tests", "it lists the changed item ids under 'stale'" },
					{ "docs", "web", "can I take a screenshot of the new checkout page?" },
					{ "web", "docs", "after 3 pm, the address form is half done" },
					{ "infra", "api", "the session store fails over in under 2 s; retry once on 503" },
					{ "api", "infra", "thanks, retry added" },
					{ "tests", "web", "the e2e suite needs #checkout-submit" },
					{ "web", "tests", "renamed it, sorry: #place-order" } };
			Map<String, Peer> peers = Map.of("api", api, "web", web, "tests", tests, "docs", docs, "infra", infra);
			for (int round = 0; round < 3; round++) {
				for (String[] line : talk) {
					String body = round == 0 ? line[2] : line[2] + " (" + (round + 1) + ")";
					// Apart by more than the page's 100 ms between draws: the latency of
					// one
					// message, not of a burst.
					await().pollDelay(Duration.ofMillis(150)).until(() -> true);
					long sent = System.currentTimeMillis();
					http.send(peers.get(line[0]), peers.get(line[1]), body);
					await().atMost(Duration.ofSeconds(5))
						.pollInterval(Duration.ofMillis(5))
						.until(() -> chromium.script("return window.seen[arguments[0]] || 0", body) instanceof Long seen
								&& seen > 0);
					latencies.add((Long) chromium.script("return window.seen[arguments[0]]", body) - sent);
					arrivals.add((Long) chromium.script("return window.arrived[arguments[0]] || 0", body) - sent);
				}
			}
			long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
			long[] streamed = arrivals.stream().mapToLong(Long::longValue).sorted().toArray();
			System.out.printf(
					"message to screen over %d messages: median %d ms, max %d ms (to the page's event stream: median %d ms)%n",
					sorted.length, sorted[sorted.length / 2], sorted[sorted.length - 1], streamed[streamed.length / 2]);
			// The newest rows: every kind of message.
			String task = http.delegate(tests, web, "give the place-order button a stable id");
			http.broadcast(docs, "releases", "the getting-started guide now shows mycelium dashboard");
			http.report(web, task, "completed", "#place-order, documented in the README");
			await().atMost(Duration.ofSeconds(5))
				.until(() -> chromium.script("return document.querySelector('#flow tbody').textContent")
					.toString()
					.contains("#place-order, documented"));
			await().atMost(Duration.ofSeconds(10))
				.until(() -> chromium.script("return document.querySelector('#tasks').textContent")
					.toString()
					.contains("orphaned"));
			// Some mail read, some still waiting: the unread column and the queue depth.
			http.api("POST", "/api/peers/" + api.id() + "/messages/ack",
					Map.of("ids", http.unread(api).stream().map(Message::id).limit(8).toList()), api.secret());
			await().atMost(Duration.ofSeconds(10))
				.until(() -> chromium.script("return document.getElementById('figure-rate').textContent")
					.toString()
					.matches("[1-9].*"));
			chromium.script("window.scrollTo(0, 0)");
			Files.createDirectories(output.toAbsolutePath().getParent());
			Files.write(output, chromium.driver().getScreenshotAs(OutputType.BYTES));
			System.out.printf("wrote %s (%dx%d)%n", output, Chromium.WINDOW.width, Chromium.WINDOW.height);
		}
		finally {
			streams.forEach(stream -> stream.thenAccept(response -> {
				try {
					response.body().close();
				}
				catch (IOException ex) {
					// closed already
				}
			}));
			broker.close();
			FileSystemUtils.deleteRecursively(root);
		}
	}

	/** A peer's open inbox stream: how {@code serve --channel} receives push. */
	private static CompletableFuture<HttpResponse<InputStream>> inboxStream(BrokerHttp http, Peer peer) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(http.base + "/api/peers/" + peer.id() + "/events"))
			.header("Authorization", "Bearer " + http.token())
			.header("Mycelium-Peer-Secret", peer.secret())
			.header("Accept", "text/event-stream")
			.build();
		return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
	}

}
