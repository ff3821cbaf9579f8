package dev.mycelium.broker.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.mycelium.broker.dashboard.BrokerHttp.Answer;
import dev.mycelium.broker.dashboard.BrokerHttp.Peer;
import dev.mycelium.broker.RawHttp;
import dev.mycelium.protocol.DashboardLogin;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's login and the exception it makes to the broker's security rules, over
 * plain HTTP with every header under the test's control: codes that work once and for a
 * minute, the cookie they become, what that cookie may do and from where, and the
 * security headers of every dashboard answer.
 */
class DashboardIntegrationTests extends DashboardBrokerTest {

	@Test
	void aLoginCodeNeedsTheTokenAndIsNotForPeers() {
		Peer peer = http.register(unique("agent"), null, null, null);

		Answer noToken = http.request("POST", "/api/dashboard/login-codes", Map.of(), null);
		Answer asPeer = http.api("POST", "/api/dashboard/login-codes", null, peer.secret());
		Answer withCookie = http.request("POST", "/api/dashboard/login-codes", Map.of("Cookie", http.signIn()), null);
		DashboardLogin login = http.loginCode();

		assertThat(noToken.status()).isEqualTo(401);
		assertThat(withCookie.status()).as("a session does not make codes").isEqualTo(401);
		assertThat(asPeer.status()).isEqualTo(403);
		assertThat(asPeer.header("Content-Type")).startsWith("application/problem+json");
		assertThat(asPeer.json().path("code").asString()).isEqualTo("forbidden");
		assertThat(asPeer.json().path("detail").asString()).contains("mycelium dashboard");
		assertThat(login.code()).matches("[A-Za-z0-9_-]{22}");
		assertThat(login.path()).isEqualTo("/login?code=" + login.code());
		assertThat(Duration.between(clock.instant(), login.expiresAt())).isBetween(Duration.ofSeconds(55),
				Duration.ofSeconds(60));
	}

	@Test
	void aCodeBecomesAnHttpOnlySameSiteStrictCookieOnce() {
		DashboardLogin login = http.loginCode();

		Answer first = http.request("GET", login.path(), Map.of(), null);
		Answer second = http.request("GET", login.path(), Map.of(), null);

		assertThat(first.status()).isEqualTo(303);
		assertThat(first.header("Location")).isEqualTo("/");
		assertThat(first.header("Cache-Control")).contains("no-store");
		String cookie = first.header("Set-Cookie");
		assertThat(cookie).startsWith("mycelium-dashboard-" + port + "=")
			.contains("; Path=/")
			.contains("; HttpOnly")
			.contains("; SameSite=Strict")
			.contains("; Max-Age=43200")
			.doesNotContainIgnoringCase("Domain=");
		assertThat(http.request("GET", "/api/peers", Map.of("Cookie", cookie.split(";")[0]), null).status())
			.isEqualTo(200);
		assertThat(second.status()).as("the second use").isEqualTo(401);
		assertThat(second.headers().firstValue("Set-Cookie")).isEmpty();
		assertThat(second.body()).as("the page, which says how to sign in").contains("mycelium dashboard");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void neitherTheCodeNorTheSessionGoesIntoTheLog(CapturedOutput output) {
		DashboardLogin login = http.loginCode();
		Answer used = http.request("GET", login.path(), Map.of(), null);
		http.request("GET", login.path(), Map.of(), null);
		String session = used.header("Set-Cookie").split(";")[0].split("=", 2)[1];

		assertThat(output.getAll()).contains("Dashboard login code issued", "Dashboard login refused")
			.doesNotContain(login.code())
			.doesNotContain(session);
	}

	@Test
	void aWrongCodeOrNoneOpensNothing() {
		http.loginCode();

		for (String path : List.of("/login?code=not-the-code", "/login?code=", "/login")) {
			Answer answer = http.request("GET", path, Map.of(), null);
			assertThat(answer.status()).as(path).isEqualTo(401);
			assertThat(answer.headers().firstValue("Set-Cookie")).as(path).isEmpty();
		}
	}

	@Test
	void aCodeWorksWithinItsMinuteAndNotAtIt() {
		DashboardLogin early = http.loginCode();
		DashboardLogin late = http.loginCode();

		clock.advance(Duration.ofSeconds(59));
		Answer withinTheMinute = http.request("GET", early.path(), Map.of(), null);
		clock.advance(Duration.ofSeconds(1));
		Answer atTheMinute = http.request("GET", late.path(), Map.of(), null);

		assertThat(withinTheMinute.status()).isEqualTo(303);
		assertThat(atTheMinute.status()).isEqualTo(401);
		assertThat(atTheMinute.headers().firstValue("Set-Cookie")).isEmpty();
	}

	@Test
	void withoutTheCookieThereIsNoData() throws Exception {
		Peer peer = http.register(unique("secret-project"), "github.com/acme/secret", "main", "hush");
		String made = "mycelium-dashboard-" + port + "=made-up";

		for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("Cookie", made))) {
			for (String path : List.of("/api/peers", "/api/broker", "/api/tasks", "/api/topics",
					"/api/peers/" + peer.id())) {
				Answer answer = http.request("GET", path, headers, null);
				assertThat(answer.status()).as(path).isEqualTo(401);
				assertThat(answer.body()).as(path).doesNotContain(peer.name());
			}
			assertThat(openStream("/api/events", headers).statusCode()).isEqualTo(401);
			Answer send = http.request("POST", "/api/peers/" + peer.id() + "/messages", headers,
					Map.of("body", "sneaky"));
			assertThat(send.status()).isEqualTo(401);
		}
		Answer page = http.request("GET", "/", Map.of(), null);
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.body()).contains("mycelium dashboard").doesNotContain(peer.name());
		assertThat(http.unread(peer)).isEmpty();
	}

	@Test
	void theCookieReadsWhatThePageShowsAndSendsAsTheOperator() throws Exception {
		Peer peer = http.register(unique("reader"), "github.com/acme/shop", "main", "cart API");
		Map<String, String> browser = Map.of("Cookie", http.signIn());

		for (String path : List.of("/api/peers", "/api/broker", "/api/tasks", "/api/topics",
				"/api/peers/" + peer.id())) {
			assertThat(http.request("GET", path, browser, null).status()).as(path).isEqualTo(200);
		}
		assertThat(http.request("GET", "/api/peers", browser, null).body()).contains(peer.name());
		HttpResponse<InputStream> events = openStream("/api/events", browser);
		assertThat(events.statusCode()).isEqualTo(200);
		assertThat(events.headers().firstValue("Content-Type"))
			.hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
		events.body().close();
		Answer sent = http.request("POST", "/api/peers/" + peer.id() + "/messages", browser,
				Map.of("body", "from the page"));

		assertThat(sent.status()).isEqualTo(201);
		assertThat(http.unread(peer)).singleElement().satisfies(message -> {
			assertThat(message.body()).isEqualTo("from the page");
			assertThat(message.from()).as("the operator, like mycelium send").startsWith("cli:");
			assertThat(message.fromId()).isNull();
		});
	}

	@Test
	void theCookieIsNoTokenForAnythingElse() {
		Peer peer = http.register(unique("target"), null, null, null);
		Map<String, String> browser = Map.of("Cookie", http.signIn());

		List<Answer> attempts = List.of(http.request("POST", "/api/broker/shutdown", browser, null),
				http.request("POST", "/api/dashboard/login-codes", browser, null),
				http.request("POST", "/api/peers", browser, Map.of("name", unique("intruder"))),
				http.request("DELETE", "/api/peers/" + peer.id(), browser, null),
				http.request("GET", "/api/peers/" + peer.id() + "/messages", browser, null),
				http.request("GET", "/api/peers/" + peer.id() + "/outbox", browser, null),
				http.request("PUT", "/api/topics/news/subscribers/" + peer.id(), browser, null),
				http.request("POST", "/api/broadcasts", browser, Map.of("body", "all of you")),
				http.request("GET", "/actuator/env", browser, null),
				http.request("POST", "/api/peers/a/../../broker/shutdown", browser, null));

		assertThat(attempts).allSatisfy(answer -> assertThat(answer.status()).as(answer.body()).isIn(400, 401, 404));
		assertThat(http.api("GET", "/api/broker", null, null).status()).as("still running").isEqualTo(200);
		assertThat(http.unread(peer)).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://localhost:3000", "https://evil.example", "null", "http://localhost",
			"https://localhost:PORT", "http://localhost:PORT.evil.example", "http://evil.example:PORT" })
	void aForeignOriginIsRefusedEvenWithTheCookie(String originPattern) {
		String origin = originPattern.replace("PORT", String.valueOf(port));
		Peer peer = http.register(unique("victim"), null, null, null);
		Map<String, String> page = Map.of("Cookie", http.signIn(), "Origin", origin);

		List<Answer> answers = List.of(http.request("GET", "/api/peers", page, null),
				http.request("POST", "/api/peers/" + peer.id() + "/messages", page, Map.of("body", "injected")),
				http.request("GET", "/", page, null), http.request("GET", "/dashboard/app.js", page, null));

		assertThat(answers).allSatisfy(answer -> {
			assertThat(answer.status()).isEqualTo(403);
			assertThat(answer.json().path("code").asString()).isEqualTo("forbidden_origin");
			assertThat(answer.headers().map().keySet())
				.noneMatch(header -> header.toLowerCase().startsWith("access-control-"));
		});
		assertThat(http.unread(peer)).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "localhost", "127.0.0.1", "[::1]" })
	void theBrokersOwnOriginMaySendWithTheCookieOnly(String host) {
		Peer peer = http.register(unique("own"), null, null, null);
		String origin = "http://" + host + ":" + port;

		Answer withCookie = http.request("POST", "/api/peers/" + peer.id() + "/messages",
				Map.of("Cookie", http.signIn(), "Origin", origin), Map.of("body", "from the page"));
		Answer withoutCookie = http.request("POST", "/api/peers/" + peer.id() + "/messages", Map.of("Origin", origin),
				Map.of("body", "from nowhere"));
		Answer withTheToken = http.api("GET", "/api/peers", null, null);
		Answer script = http.request("GET", "/dashboard/app.js", Map.of("Origin", origin), null);

		assertThat(withCookie.status()).isEqualTo(201);
		assertThat(withoutCookie.status()).isEqualTo(403);
		assertThat(withTheToken.status()).isEqualTo(200);
		assertThat(script.status()).as("module scripts come with Origin, signed in or not").isEqualTo(200);
		assertThat(http.unread(peer)).extracting(Message::body).containsExactly("from the page");
	}

	@Test
	void theOriginRuleForClientsOfTheApiIsUnchanged() {
		Answer tokenWithOwnOrigin = http.request("GET", "/api/peers", Map.of("Authorization",
				"Bearer " + new MyceliumHome(home).readToken().orElseThrow(), "Origin", "http://localhost:" + port),
				null);

		assertThat(tokenWithOwnOrigin.status()).as("the page never has the token: a request with it is no page's")
			.isEqualTo(403);
	}

	@Test
	void onlyThePagesOwnRequestsUseTheSession() {
		String cookie = http.signIn();

		Answer sameOrigin = http.request("GET", "/api/peers", Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-origin"),
				null);
		Answer sameSite = http.request("GET", "/api/peers", Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-site"),
				null);
		Answer crossSite = http.request("GET", "/api/peers", Map.of("Cookie", cookie, "Sec-Fetch-Site", "cross-site"),
				null);

		assertThat(sameOrigin.status()).isEqualTo(200);
		assertThat(sameSite.status()).as("another port of localhost, no Origin (a no-cors GET)").isEqualTo(401);
		assertThat(crossSite.status()).isEqualTo(401);
	}

	@Test
	void aSessionsMessageIsStillJsonOnly() {
		Peer peer = http.register(unique("formed"), null, null, null);
		Map<String, String> form = Map.of("Cookie", http.signIn(), "Origin", "http://localhost:" + port, "Content-Type",
				"text/plain");

		Answer answer = http.request("POST", "/api/peers/" + peer.id() + "/messages", form, "{\"body\":\"x\"}");

		assertThat(answer.status()).isEqualTo(415);
		assertThat(http.unread(peer)).isEmpty();
	}

	@Test
	void everyDashboardAnswerCarriesTheSecurityHeaders() {
		Map<String, String> browser = Map.of("Cookie", http.signIn());

		List<Answer> answers = List.of(http.request("GET", "/", Map.of(), null),
				http.request("GET", "/login?code=used-up", Map.of(), null),
				http.request("GET", "/dashboard/app.js", Map.of(), null),
				http.request("GET", "/dashboard/style.css", Map.of(), null),
				http.request("GET", "/", Map.of("Origin", "https://evil.example"), null),
				http.request("GET", "/api/peers", browser, null));

		assertThat(answers).allSatisfy(answer -> {
			assertThat(answer.header("Content-Security-Policy")).isEqualTo("default-src 'none'; script-src 'self'; "
					+ "style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
					+ "base-uri 'none'; form-action 'self'");
			assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
			assertThat(answer.header("Referrer-Policy")).isEqualTo("no-referrer");
			assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
			assertThat(answer.headers().map().keySet())
				.noneMatch(header -> header.toLowerCase().startsWith("access-control-"));
		});
		assertThat(answers.get(0).header("Content-Type")).isEqualTo("text/html;charset=UTF-8");
		assertThat(answers.get(2).header("Content-Type")).matches("(text|application)/javascript.*");
		assertThat(answers.get(3).header("Content-Type")).startsWith("text/css");
	}

	@Test
	void aPageThatDoesNotExistIsNotFound() {
		assertThat(http.request("GET", "/dashboard/nothing.js", Map.of(), null).status()).isEqualTo(404);
		assertThat(http.request("GET", "/dashboard/../application.properties", Map.of(), null).status()).isIn(400, 401,
				404);
	}

	@Test
	void dnsRebindingIsStillRefusedWithTheCookie() throws IOException {
		String cookie = http.signIn();

		for (String path : List.of("/", "/api/peers")) {
			String answer = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: evil.example:" + port
					+ "\r\nCookie: " + cookie + "\r\nConnection: close\r\n\r\n");
			assertThat(answer).startsWith("HTTP/1.1 403").contains("forbidden_host");
		}
	}

	/** A stream's status, without reading its body (it never ends). */
	private HttpResponse<InputStream> openStream(String path, Map<String, String> headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.base + path))
			.header("Accept", "text/event-stream");
		headers.forEach(request::header);
		HttpResponse<InputStream> response = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.build()
			.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		if (response.statusCode() != 200) {
			response.body().close();
		}
		return response;
	}

}
