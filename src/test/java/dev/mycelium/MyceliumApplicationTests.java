package dev.mycelium;

import org.junit.jupiter.api.Test;

import dev.mycelium.cli.Cli;

import static org.assertj.core.api.Assertions.assertThat;

class MyceliumApplicationTests {

	@Test
	void brokerOptionsBecomeSettings() {
		assertThat(Cli.brokerArguments("--port", "7999", "--host=127.0.0.1", "--store", "memory", "--allow-remote",
				"--debug"))
			.containsExactly("--mycelium.port=7999", "--mycelium.host=127.0.0.1", "--mycelium.store.type=memory",
					"--mycelium.allow-remote=true", "--debug");
	}

	@Test
	void argumentsThatAreNoBrokerOptionReachSpringAsTheyWere() {
		assertThat(Cli.brokerArguments("--logging.level.root=warn", "--store=redis"))
			.containsExactly("--mycelium.store.type=redis", "--logging.level.root=warn");
	}

}
