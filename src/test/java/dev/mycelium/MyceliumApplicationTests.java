package dev.mycelium;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MyceliumApplicationTests {

	@Test
	void brokerOptionsBecomeSettings() {
		assertThat(MyceliumApplication
			.brokerArguments(new String[] { "--port", "7999", "--host=127.0.0.1", "--allow-remote", "--debug" }))
			.containsExactly("--mycelium.port=7999", "--mycelium.host=127.0.0.1", "--mycelium.allow-remote=true",
					"--debug");
	}

}
