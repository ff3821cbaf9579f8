package dev.mycelium.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

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

	public URI baseUri() {
		String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
		return URI.create("http://" + literal + ":" + port);
	}

	public MyceliumHome myceliumHome() {
		return new MyceliumHome(home);
	}

}
