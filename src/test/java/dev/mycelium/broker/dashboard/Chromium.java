package dev.mycelium.broker.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import org.springframework.util.FileSystemUtils;

/**
 * A headless Chromium driven by Selenium: Debian's {@code chromium} and
 * {@code chromium-driver}, never a download. It runs with a new empty profile and the
 * flags that keep it off the network (this machine has none beyond its package
 * registries); closing it stops the browser and the driver, and removes the profile.
 */
final class Chromium implements AutoCloseable {

	static final Path BROWSER = Path.of("/usr/bin/chromium");

	static final Path DRIVER = Path.of("/usr/bin/chromedriver");

	static final Dimension WINDOW = new Dimension(1280, 800);

	private final Path profile;

	private final ChromeDriverService service;

	private final ChromeDriver driver;

	private Chromium(Path profile, ChromeDriverService service, ChromeDriver driver) {
		this.profile = profile;
		this.service = service;
		this.driver = driver;
	}

	/**
	 * @throws IllegalStateException when Chromium or ChromeDriver is missing (a test that
	 * starts one says so with {@code @Needs}, which skips it first)
	 */
	static Chromium start() throws IOException {
		if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
			throw new IllegalStateException("The dashboard's browser tests need Debian's Chromium and ChromeDriver ("
					+ BROWSER + ", " + DRIVER + "): apt-get install -y chromium chromium-driver (.ci/run does).");
		}
		Path profile = Files.createTempDirectory("mycelium-chromium");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
			.usingAnyFreePort()
			.withTimeout(Duration.ofSeconds(60))
			.build();
		service.sendOutputTo(OutputStream.nullOutputStream());
		ChromeOptions options = new ChromeOptions();
		options.setBinary(BROWSER.toFile());
		// As root, without a sandbox; no GPU, and nothing that reaches for the network by
		// itself (it would knock on this machine's closed network many times a second).
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
				"--user-data-dir=" + profile, "--window-size=" + WINDOW.width + "," + WINDOW.height);
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		try {
			ChromeDriver driver = new ChromeDriver(service, options);
			driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
			Chromium chromium = new Chromium(profile, service, driver);
			chromium.viewport(WINDOW);
			return chromium;
		}
		catch (RuntimeException ex) {
			service.stop();
			FileSystemUtils.deleteRecursively(profile.toFile());
			throw ex;
		}
	}

	ChromeDriver driver() {
		return driver;
	}

	/**
	 * Sizes the window so that the page gets {@code size} (the window's own frame, even
	 * headless, takes some of it).
	 */
	void viewport(Dimension size) {
		driver.manage().window().setSize(size);
		long width = ((Number) script("return window.innerWidth")).longValue();
		long height = ((Number) script("return window.innerHeight")).longValue();
		driver.manage().window().setSize(new Dimension(2 * size.width - (int) width, 2 * size.height - (int) height));
	}

	Object script(String script, Object... arguments) {
		return ((JavascriptExecutor) driver).executeScript(script, arguments);
	}

	/** What the page wrote to its console: kept for an assertion's message. */
	List<String> console() {
		return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList();
	}

	@Override
	public void close() {
		try {
			driver.quit();
		}
		finally {
			service.stop();
			// A browser process that outlived the driver (a crash) is this test's too.
			ProcessHandle.current()
				.descendants()
				.filter(process -> process.info().command().map(command -> command.contains("chrom")).orElse(false))
				.forEach(ProcessHandle::destroyForcibly);
			try {
				FileSystemUtils.deleteRecursively(profile);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

}
