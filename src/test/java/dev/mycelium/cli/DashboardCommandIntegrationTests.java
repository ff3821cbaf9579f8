package dev.mycelium.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.mycelium.MyceliumApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mycelium dashboard} against a real broker (in this JVM, on a random port, with a
 * temporary home): the link it prints works once in a browser's place, it opens a browser
 * only where there is a desktop, and says what is wrong when there is no broker.
 */
@SpringBootTest(classes = MyceliumApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "mycelium.host=localhost")
@ActiveProfiles("broker")
class DashboardCommandIntegrationTests {

	@TempDir
	static Path temporary;

	@LocalServerPort
	int port;

	@Value("${mycelium.home}")
	Path home;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	@DynamicPropertySource
	static void homeOfItsOwn(DynamicPropertyRegistry registry) {
		registry.add("mycelium.home", () -> temporary.resolve("home").toString());
	}

	/** What one command printed and how it exited. */
	record Run(int exitCode, String stdout, String stderr) {
	}

	@Test
	void noOpenPrintsALoginLinkThatWorksOnce() throws Exception {
		Run run = run(Map.of("DISPLAY", ":0"), "dashboard", "--no-open");

		assertThat(run.exitCode()).isZero();
		String url = run.stdout().strip();
		assertThat(url).matches("http://localhost:" + port + "/login\\?code=[A-Za-z0-9_-]{22}");
		assertThat(run.stderr()).containsPattern("works once, within (59|60) s").contains("until the broker stops");
		HttpResponse<String> first = get(url);
		HttpResponse<String> second = get(url);
		assertThat(first.statusCode()).isEqualTo(303);
		assertThat(first.headers().firstValue("Set-Cookie"))
			.hasValueSatisfying(cookie -> assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict"));
		assertThat(second.statusCode()).isEqualTo(401);
	}

	@Test
	void withADesktopTheLinkIsOpenedInTheBrowser() throws Exception {
		Path bin = fakeOpener("desktop");

		Run run = run(Map.of("DISPLAY", ":0", "PATH", bin.toString()), "dashboard");

		assertThat(run.exitCode()).isZero();
		assertThat(run.stderr()).contains("Opened in your browser");
		assertThat(Files.readString(bin.resolve("opened")).strip()).isEqualTo(run.stdout().strip());
		assertThat(get(run.stdout().strip()).statusCode()).as("opening did not use the code").isEqualTo(303);
	}

	@Test
	void withoutADisplayNothingIsOpened() throws IOException {
		Path bin = fakeOpener("headless");

		Run run = run(Map.of("PATH", bin.toString()), "dashboard");

		assertThat(run.exitCode()).isZero();
		assertThat(run.stdout()).startsWith("http://localhost:" + port + "/login?code=");
		assertThat(run.stderr()).contains("No desktop here");
		assertThat(bin.resolve("opened")).doesNotExist();
	}

	@Test
	void withoutABrokerItSaysSo() throws IOException {
		int nothingThere;
		try (ServerSocket socket = new ServerSocket(0)) {
			nothingThere = socket.getLocalPort();
		}

		Run run = run(Map.of("MYCELIUM_PORT", String.valueOf(nothingThere)), "dashboard", "--no-open");

		assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
		assertThat(run.stdout()).isEmpty();
		assertThat(run.stderr()).contains("No broker is running at localhost:" + nothingThere);
	}

	@Test
	void theHelpDescribesIt() {
		Run run = run(Map.of(), "dashboard", "--help");

		assertThat(run.exitCode()).isZero();
		assertThat(run.stdout()).contains("usage: mycelium dashboard", "--no-open", "one-time login link");
		assertThat(run(Map.of(), "--help").stdout())
			.containsPattern("(?m)^  dashboard +Open the broker's live dashboard");
	}

	/** The command in this JVM, with the broker of this test in its environment. */
	private Run run(Map<String, String> environment, String... args) {
		Map<String, String> all = new HashMap<>(Map.of("MYCELIUM_HOME", home.toString(), "MYCELIUM_PORT",
				String.valueOf(port), "PATH", "/nonexistent"));
		all.putAll(environment);
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int exitCode = Cli.run(new Console(new PrintWriter(out, true), new PrintWriter(err, true), all,
				Clock.systemUTC(), ZoneOffset.UTC), args);
		return new Run(exitCode, out.toString(), err.toString());
	}

	/** An xdg-open that only writes down what it was asked to open. */
	private static Path fakeOpener(String name) throws IOException {
		Path bin = Files.createDirectories(temporary.resolve(name));
		Path opener = bin.resolve("xdg-open");
		Files.writeString(opener, "#!/bin/sh\necho \"$1\" > \"$(dirname \"$0\")/opened\"\n");
		Files.setPosixFilePermissions(opener, PosixFilePermissions.fromString("rwx------"));
		return bin;
	}

	private HttpResponse<String> get(String url) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
