package dev.mycelium.broker.dashboard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import dev.mycelium.Needs;
import dev.mycelium.Needs.Tool;
import dev.mycelium.broker.dashboard.BrokerHttp.Peer;
import dev.mycelium.protocol.DashboardLogin;
import dev.mycelium.protocol.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real headless Chromium against a real broker: what a person sees
 * after {@code mycelium dashboard}, live, without reloading; what a browser without the
 * login sees; what a page of another origin can do; the Content-Security-Policy at work;
 * the send form by keyboard; a narrow window. One browser for the class.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@Needs({ Tool.CHROMIUM, Tool.CHROMEDRIVER })
class DashboardBrowserIntegrationTests extends DashboardBrokerTest {

	/**
	 * The promise: what happens on the broker is on the screen within a second.
	 */
	private static final Duration LIVE = Duration.ofSeconds(1);

	private static Chromium chromium;

	@BeforeAll
	static void startChromium() throws IOException {
		chromium = Chromium.start();
	}

	@AfterAll
	static void stopChromium() {
		if (chromium != null) {
			chromium.close();
		}
	}

	@Test
	void theLoginLinkShowsThePeers() {
		Peer shop = http.register(unique("shop"), "github.com/acme/shop", "main", "cart API returns cents");
		Peer docs = http.register(unique("docs"), "github.com/acme/docs", "site", "the getting-started page");

		DashboardLogin login = signIn();

		assertThat(browser().getCurrentUrl()).as("the code left the address bar").isEqualTo(http.base + "/");
		awaitPeers(Duration.ofSeconds(5), shop.name(), docs.name());
		WebElement row = browser().findElement(By.cssSelector("#peers tr[data-peer='" + shop.name() + "']"));
		assertThat(row.getText()).contains(shop.id(), "github.com/acme/shop", "main", "cart API returns cents",
				"active", "push off", "0");
		assertThat(text("#figure-host")).isNotBlank().isNotEqualTo("–");
		assertThat(browser().findElement(By.id("signed-out")).isDisplayed()).isFalse();
		assertThat(login.code()).isNotBlank();
	}

	@Test
	void aPeerThatJoinsAndAMessageBetweenTwoAppearWithinASecondWithoutAReload() {
		signIn();
		chromium.script("window.notReloaded = true");

		Peer alice = http.register(unique("alice"), "github.com/acme/shop", "main", "checkout");
		await().atMost(LIVE).pollInterval(Duration.ofMillis(20)).until(() -> peerNames().contains(alice.name()));
		Peer bob = http.register(unique("bob"), "github.com/acme/shop", "pay", "payments");
		await().atMost(LIVE).pollInterval(Duration.ofMillis(20)).until(() -> peerNames().contains(bob.name()));
		String body = "the cart total is in cents " + unique("now");
		http.send(alice, bob, body);

		await().atMost(LIVE).pollInterval(Duration.ofMillis(20)).until(() -> text("#flow tbody").contains(body));
		WebElement row = browser().findElement(By.xpath("//table[@id='flow']//tr[td[contains(., '" + body + "')]]"));
		assertThat(row.getText()).contains("direct", alice.name(), bob.name());
		assertThat(chromium.script("return window.notReloaded")).isEqualTo(true);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(
					browser().findElement(By.cssSelector("#peers tr[data-peer='" + bob.name() + "'] td.number"))
						.getText())
				.isEqualTo("1"));
		assertThat(chromium.script("return document.getElementById('graph-table').textContent").toString())
			.contains(alice.name(), bob.name());
	}

	@Test
	void theFlowIsFilteredByPeerAndRepository() {
		signIn();
		Peer shop = http.register(unique("shop"), "github.com/acme/shop", "main", null);
		Peer shop2 = http.register(unique("shop"), "github.com/acme/shop", "review", null);
		Peer docs = http.register(unique("docs"), "github.com/acme/docs", "main", null);
		Peer docs2 = http.register(unique("docs"), "github.com/acme/docs", "review", null);
		String shopTalk = unique("shop-talk");
		String docsTalk = unique("docs-talk");
		http.send(shop, shop2, shopTalk);
		http.send(docs, docs2, docsTalk);
		await().atMost(Duration.ofSeconds(5)).until(() -> text("#flow tbody").contains(docsTalk));

		choose("filter-repo", "github.com/acme/docs");
		assertThat(text("#flow tbody")).contains(docsTalk).doesNotContain(shopTalk);
		choose("filter-repo", "");
		choose("filter-peer", shop.name());
		assertThat(text("#flow tbody")).contains(shopTalk).doesNotContain(docsTalk);
		choose("filter-peer", "");
		assertThat(text("#flow tbody")).contains(shopTalk, docsTalk);
	}

	@Test
	void aTasksStatusChangeShows() {
		signIn();
		Peer lead = http.register(unique("lead"), "github.com/acme/shop", "main", null);
		Peer dev = http.register(unique("dev"), "github.com/acme/shop", "tests", null);

		String task = http.delegate(lead, dev, "add a test for the cart total");
		await().atMost(LIVE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> taskRow("pending", task).contains("add a test for the cart total"));
		http.report(dev, task, "completed", "added CartTotalTests");

		await().atMost(LIVE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> taskRow("completed", task).contains("added CartTotalTests"));
		assertThat(taskRow("pending", task)).isEmpty();
		assertThat(text("#flow tbody")).contains("add a test for the cart total", "completed: added CartTotalTests");
	}

	@Test
	void aClaimAndTheEditItDeniedShowInTheFlowAndTheClaimsTable() {
		signIn();
		Peer api = http.register(unique("api"), "github.com/acme/claims", "main", null);
		Peer web = http.register(unique("web"), "github.com/acme/claims", "main", null);

		http.claim(api, "lib/**");
		await().atMost(LIVE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> text("#flow tbody").contains("claimed lib/** (exclusive)"));
		assertThat(http.preToolUse(web, "/src/" + web.name() + "/lib/cart.js").body()).contains("\"deny\"");

		await().atMost(LIVE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> text("#flow tbody")
				.contains("edit of lib/cart.js denied: lib/** is claimed by " + api.name()));
		await().atMost(LIVE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> text("#claims tbody").replace('\t', ' ')
				.contains("lib/** " + api.name() + " exclusive – " + web.name()));
		assertThat(text("#peers tbody")).as("the editor stays listed").contains(web.name());
	}

	@Test
	void anOrphanedTaskIsMarked() {
		signIn();
		Peer lead = http.register(unique("lead"), null, null, null);
		Peer gone = http.register(unique("gone"), null, null, null);
		String task = http.delegate(lead, gone, "a task nobody will do");

		http.api("DELETE", "/api/peers/" + gone.id(), null, gone.secret());
		// Left, but kept for its grace period: the task is orphaned once it is forgotten,
		// which the clock brings about at once.
		clock.advance(Duration.ofMinutes(11));

		await().atMost(Duration.ofSeconds(10)).until(() -> taskRow("pending", task).contains("orphaned"));
	}

	@Test
	void theLoginLinkFailsTheSecondTimeAndAfterItsMinute() {
		DashboardLogin used = signIn();

		signOutBrowser();
		browser().get(http.base + used.path());
		awaitSignedOut();
		assertThat(text("#signed-out")).contains("already used", "mycelium dashboard");
		DashboardLogin late = http.loginCode();
		clock.advance(Duration.ofSeconds(61));
		browser().get(http.base + late.path());
		awaitSignedOut();
		assertThat(text("#signed-out")).contains("mycelium dashboard");
		browser().get(http.base + "/");
		awaitSignedOut();
	}

	@Test
	void withoutTheCookieThePageShowsHowToSignInAndNoData() {
		Peer peer = http.register(unique("private"), "github.com/acme/private", "main", "nobody may read this");
		signOutBrowser();

		browser().get(http.base + "/");

		awaitSignedOut();
		assertThat(text("#signed-out")).contains("Run mycelium dashboard");
		assertThat(browser().getPageSource()).doesNotContain(peer.name()).doesNotContain("nobody may read this");
		assertThat(chromium.script("return fetch('/api/peers').then(r => r.status)")).isEqualTo(401L);
		assertThat(chromium.script("return fetch('/api/broker').then(r => r.status)")).isEqualTo(401L);
	}

	/**
	 * A page on another port of localhost is the same site: the SameSite cookie goes with
	 * its requests, and only the Origin rule (and Sec-Fetch-Site) keep it out.
	 */
	@Test
	void aPageOfAnotherOriginGetsNothingAndInjectsNothingEvenWithTheCookie() throws Exception {
		Peer victim = http.register(unique("victim"), null, null, null);
		signIn();
		String script = """
				window.results = {};
				const broker = 'http://localhost:%d';
				const send = (name, promise) => promise.then(r => results[name] = r.type + ' ' + r.status,
						e => results[name] = 'refused');
				send('read', fetch(broker + '/api/peers', {credentials: 'include'}));
				send('opaque', fetch(broker + '/api/peers', {credentials: 'include', mode: 'no-cors'}));
				send('inject', fetch(broker + '/api/peers/%s/messages', {method: 'POST', credentials: 'include',
						headers: {'Content-Type': 'application/json'}, body: JSON.stringify({body: 'injected'})}));
				send('form', fetch(broker + '/api/peers/%s/messages', {method: 'POST', credentials: 'include',
						mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: '{"body": "injected"}'}));
				const events = new EventSource(broker + '/api/events', {withCredentials: true});
				events.onerror = () => { results.events = 'refused'; events.close(); };
				events.onopen = () => results.events = 'open';
				""".formatted(port, victim.id(), victim.id());
		HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		evil.createContext("/", exchange -> {
			byte[] page = ("<!doctype html><title>elsewhere</title><script>" + script + "</script>")
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, page.length);
			exchange.getResponseBody().write(page);
			exchange.close();
		});
		evil.start();
		try {
			browser().get("http://localhost:" + evil.getAddress().getPort() + "/");

			await().atMost(Duration.ofSeconds(10))
				.until(() -> ((Map<?, ?>) chromium.script("return window.results")).size() == 5);
			Map<?, ?> results = (Map<?, ?>) chromium.script("return window.results");
			assertThat(results.get("read")).isEqualTo("refused");
			assertThat(results.get("inject")).isEqualTo("refused");
			assertThat(results.get("events")).isEqualTo("refused");
			// Opaque at best (nothing readable), or blocked outright by the browser.
			assertThat(results.get("opaque")).isIn("opaque 0", "refused");
			assertThat(results.get("form")).isIn("opaque 0", "refused");
			assertThat(http.unread(victim)).as("nothing was injected").isEmpty();
		}
		finally {
			evil.stop(0);
		}
	}

	@Test
	void theContentSecurityPolicyIsSentAndEnforced() {
		signIn();

		Object policy = chromium.script("return fetch('/').then(r => r.headers.get('Content-Security-Policy'))");
		chromium.script("""
				window.violations = [];
				document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective));
				const inline = document.createElement('script');
				inline.textContent = 'window.inlineRan = true';
				document.head.append(inline);
				const styled = document.createElement('div');
				styled.setAttribute('style', 'color: red');
				document.body.append(styled);
				""");

		assertThat(policy).isEqualTo(DashboardAccess.CONTENT_SECURITY_POLICY);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat((List<?>) chromium.script("return window.violations"))
				.anySatisfy(directive -> assertThat(directive.toString()).startsWith("script-src")));
		assertThat(chromium.script("return window.inlineRan === true")).isEqualTo(false);
		assertThat(chromium.console()).noneMatch(line -> line.contains("app.js") && line.contains("SEVERE"));
	}

	@Test
	void theSendFormWorksByKeyboardWithVisibleFocus() {
		Peer target = http.register(unique("keyboard"), "github.com/acme/shop", "main", null);
		signIn();
		awaitPeers(Duration.ofSeconds(5), target.name());
		WebElement select = browser().findElement(By.id("send-to"));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> select.findElements(By.cssSelector("option[value='" + target.id() + "']")).size() == 1);

		tabUntil("send-to");
		assertThat(focusOutline()).as("the focus is visible").isNotEqualTo("none");
		for (int i = 0; i < 100 && !target.id().equals(select.getAttribute("value")); i++) {
			new Actions(browser()).sendKeys(Keys.ARROW_DOWN).perform();
		}
		assertThat(select.getAttribute("value")).isEqualTo(target.id());
		new Actions(browser()).sendKeys(Keys.TAB).perform();
		assertThat(activeId()).isEqualTo("send-body");
		new Actions(browser()).sendKeys("typed, never clicked").perform();
		new Actions(browser()).sendKeys(Keys.TAB).perform();
		assertThat(activeId()).isEqualTo("send-button");
		assertThat(focusOutline()).isNotEqualTo("none");
		new Actions(browser()).sendKeys(Keys.ENTER).perform();

		await().atMost(Duration.ofSeconds(5))
			.until(() -> http.unread(target).stream().map(Message::body).toList().contains("typed, never clicked"));
		assertThat(http.unread(target)).singleElement()
			.satisfies(message -> assertThat(message.from()).startsWith("cli:"));
		await().atMost(Duration.ofSeconds(5)).until(() -> text("#send-status").startsWith("Sent to " + target.name()));
		assertThat(chromium.script("return document.getElementById('send-body').value")).isEqualTo("");
	}

	@Test
	void aNarrowWindowHasOneColumnAndNoSidewaysScrolling() {
		http.register(unique("narrow"), "github.com/acme/a-repository-with-a-long-name", "a-long-branch-name",
				"a summary long enough to need wrapping on a phone-sized window, and then some more words");
		signIn();
		try {
			chromium.viewport(new Dimension(400, 800));
			await().atMost(Duration.ofSeconds(5))
				.until(() -> ((Number) chromium.script("return window.innerWidth")).intValue() <= 400);

			long pageWidth = (Long) chromium.script("return document.documentElement.scrollWidth");
			long windowWidth = (Long) chromium.script("return window.innerWidth");
			assertThat(pageWidth).isLessThanOrEqualTo(windowWidth);
			Object columns = chromium.script(
					"return getComputedStyle(document.getElementById('app')).gridTemplateColumns.split(' ').length");
			assertThat(columns).isEqualTo(1L);
		}
		finally {
			chromium.viewport(Chromium.WINDOW);
		}
	}

	// ---- helpers

	private WebDriver browser() {
		return chromium.driver();
	}

	/** What {@code mycelium dashboard} prints, opened in the browser. */
	private DashboardLogin signIn() {
		DashboardLogin login = http.loginCode();
		browser().get(http.base + login.path());
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> assertThat(chromium.script("return document.documentElement.dataset.ready || ''"))
				.as(() -> "the dashboard is ready; its console: " + chromium.console())
				.isEqualTo("true"));
		return login;
	}

	private void signOutBrowser() {
		if (!browser().getCurrentUrl().startsWith(http.base)) {
			browser().get(http.base + "/dashboard/icon.svg");
		}
		browser().manage().deleteAllCookies();
	}

	private void awaitSignedOut() {
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(browser().findElement(By.id("signed-out")).isDisplayed())
				.as(() -> "signed out; the page says " + text("#connection") + "; its console: " + chromium.console())
				.isTrue());
		assertThat(browser().findElement(By.id("app")).isDisplayed()).isFalse();
		assertThat(peerNames()).isEmpty();
	}

	private void awaitPeers(Duration within, String... names) {
		await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> peerNames().containsAll(List.of(names)));
	}

	@SuppressWarnings("unchecked")
	private List<String> peerNames() {
		return (List<String>) chromium
			.script("return [...document.querySelectorAll('#peers tbody tr')].map(row => row.dataset.peer)");
	}

	private String text(String selector) {
		Object text = chromium.script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''",
				selector);
		return text == null ? "" : text.toString();
	}

	private String taskRow(String status, String task) {
		return text("#tasks tbody[data-status='" + status + "'] tr[data-task='" + task + "']");
	}

	private void choose(String select, String value) {
		chromium.script("const s = document.getElementById(arguments[0]); s.value = arguments[1];"
				+ " s.dispatchEvent(new Event('change'))", select, value);
	}

	private void tabUntil(String id) {
		// From the top of the page: the skip link is its first stop.
		chromium.script("document.querySelector('.skip').focus()");
		for (int i = 0; i < 40 && !id.equals(activeId()); i++) {
			new Actions(browser()).sendKeys(Keys.TAB).perform();
		}
		assertThat(activeId()).as("reached by Tab").isEqualTo(id);
	}

	private String activeId() {
		return (String) chromium.script("return document.activeElement.id");
	}

	private String focusOutline() {
		return (String) chromium.script("return getComputedStyle(document.activeElement).outlineStyle");
	}

}
