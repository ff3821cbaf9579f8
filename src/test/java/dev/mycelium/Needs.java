package dev.mycelium;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Debian packages an integration test drives. Without one, the test is skipped with a
 * sentence naming the package, so that a machine with only a JDK can still run the rest;
 * with {@code -Dmycelium.ci=true} (what {@code .ci/run} passes) the same sentence fails
 * the test instead, so that CI cannot go green by skipping.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@ExtendWith(NeedsExtension.class)
public @interface Needs {

	Tool[] value();

	/**
	 * A program a test runs, where it is looked for, and the package that installs it.
	 */
	enum Tool {

		CHROMIUM("chromium", "chromium", "/usr/bin/chromium"),
		CHROMEDRIVER("chromedriver", "chromium-driver", "/usr/bin/chromedriver"), TMUX("tmux", "tmux"),
		CURL("curl", "curl"), NPM("npm", "npm"),
		REDIS_SERVER("redis-server", "redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server"),
		OPENSSL("openssl", "openssl"), IP("ip", "iproute2");

		private final String command;

		private final String debianPackage;

		/** Fixed places: the tests run these paths, not whatever is first on the PATH. */
		private final List<Path> places;

		Tool(String command, String debianPackage, String... places) {
			this.command = command;
			this.debianPackage = debianPackage;
			this.places = Stream.of(places).map(Path::of).toList();
		}

		public String command() {
			return this.command;
		}

		public String debianPackage() {
			return this.debianPackage;
		}

		public boolean isInstalled() {
			if (!this.places.isEmpty()) {
				return this.places.stream().anyMatch(Files::isExecutable);
			}
			String path = System.getenv("PATH");
			return path != null && Stream.of(path.split(java.io.File.pathSeparator))
				.filter(directory -> !directory.isEmpty())
				.anyMatch(directory -> Files.isExecutable(Path.of(directory, this.command)));
		}

	}

}
