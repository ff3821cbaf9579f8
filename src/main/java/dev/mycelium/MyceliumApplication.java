package dev.mycelium;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import dev.mycelium.broker.BrokerConfiguration;
import dev.mycelium.client.ClientConfiguration;
import dev.mycelium.serve.ServeConfiguration;

/**
 * One jar, several roles: the first argument picks the command, and the command picks the
 * Spring profile. Each module's configuration is imported explicitly and guarded by its
 * profile, so a run loads only the module it needs.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ BrokerConfiguration.class, ClientConfiguration.class, ServeConfiguration.class })
public class MyceliumApplication {

	static final String USAGE = """
			usage: mycelium <command> [options]

			commands:
			  broker [--port N] [--host H] [--allow-remote]   run the broker in the foreground
			  serve [--channel]                                run the stdio MCP server of one Claude Code session
			""";

	public static void main(String[] args) {
		if (args.length == 0 || !args[0].equals("serve")) {
			// The AOT-generated context (pom.xml, process-aot) is the serve profile's.
			System.setProperty("spring.aot.enabled", "false");
		}
		if (args.length > 0 && args[0].equals("broker")) {
			SpringApplication application = new SpringApplication(MyceliumApplication.class);
			application.setAdditionalProfiles("broker");
			application.run(brokerArguments(Arrays.copyOfRange(args, 1, args.length)));
			return;
		}
		if (args.length > 0 && args[0].equals("serve")) {
			// Warming up validation, Tomcat and more on another thread: work serve
			// never needs, taken from the two cores its start has.
			if (System.getProperty("spring.backgroundpreinitializer.ignore") == null) {
				System.setProperty("spring.backgroundpreinitializer.ignore", "true");
			}
			SpringApplication application = new SpringApplication(MyceliumApplication.class);
			application.setAdditionalProfiles("serve");
			application.run(Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		if (args.length > 0 && Arrays.stream(args).anyMatch(arg -> arg.startsWith("--spring.profiles.active="))) {
			SpringApplication.run(MyceliumApplication.class, args);
			return;
		}
		boolean help = args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"));
		(help ? System.out : System.err).print(USAGE);
		System.exit(help ? 0 : 2);
	}

	/**
	 * {@code --port 7891} and {@code --port=7891} become {@code --mycelium.port=7891},
	 * and so on.
	 */
	static String[] brokerArguments(String[] args) {
		List<String> translated = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
			switch (option) {
				case "--port", "--host" -> {
					String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1)
							: (i + 1 < args.length ? args[++i] : "");
					translated.add("--mycelium." + option.substring(2) + "=" + value);
				}
				case "--allow-remote" -> translated.add("--mycelium.allow-remote=true");
				default -> translated.add(arg);
			}
		}
		return translated.toArray(String[]::new);
	}

}
