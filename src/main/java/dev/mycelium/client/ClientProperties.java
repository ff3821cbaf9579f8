package dev.mycelium.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.mycelium.protocol.MyceliumHome;

/**
 * Where the broker is, under {@code mycelium.*} ({@code MYCELIUM_HOME},
 * {@code MYCELIUM_HOST}, {@code MYCELIUM_PORT}).
 *
 * @param startTimeout how long to wait for a broker this client started to answer
 */
@ConfigurationProperties("mycelium")
public record ClientProperties(Path home, @DefaultValue("localhost") String host, @DefaultValue("7890") int port,
		@DefaultValue("90s") Duration startTimeout) {

	/**
	 * The settings from {@code MYCELIUM_HOME}, {@code MYCELIUM_HOST} and
	 * {@code MYCELIUM_PORT}, with the same defaults as {@code application.properties},
	 * for code that runs without a Spring context.
	 * @throws IllegalArgumentException when {@code MYCELIUM_PORT} is not a port number
	 */
	public static ClientProperties fromEnvironment(Map<String, String> environment) {
		Path home = setting(environment, "MYCELIUM_HOME").map(Path::of)
			.orElseGet(() -> MyceliumHome.userHome(environment).resolve(".mycelium"));
		String host = setting(environment, "MYCELIUM_HOST").orElse("localhost");
		String port = setting(environment, "MYCELIUM_PORT").orElse("7890");
		try {
			int number = Integer.parseInt(port);
			if (number < 0 || number > 65535) {
				throw new NumberFormatException(port);
			}
			return new ClientProperties(home, host, number, Duration.ofSeconds(90));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("MYCELIUM_PORT=" + port + " is not a port number (0-65535).", ex);
		}
	}

	private static Optional<String> setting(Map<String, String> environment, String name) {
		return Optional.ofNullable(environment.get(name)).map(String::trim).filter(value -> !value.isEmpty());
	}

	public URI baseUri() {
		String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
		return URI.create("http://" + literal + ":" + port);
	}

	public MyceliumHome myceliumHome() {
		return new MyceliumHome(home);
	}

}
