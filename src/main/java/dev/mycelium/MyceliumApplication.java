package dev.mycelium;

import java.util.Arrays;

import picocli.CommandLine.ParameterException;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import dev.mycelium.broker.BrokerConfiguration;
import dev.mycelium.cli.Cli;
import dev.mycelium.client.ClientConfiguration;
import dev.mycelium.serve.ServeConfiguration;

/**
 * One jar, several roles: the first argument picks the command. {@code broker} and
 * {@code serve} pick a Spring profile; each module's configuration is imported explicitly
 * and guarded by its profile, so a run loads only the module it needs. The other commands
 * are the command line ({@link Cli}), which starts no Spring context at all.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ BrokerConfiguration.class, ClientConfiguration.class, ServeConfiguration.class })
public class MyceliumApplication {

	public static void main(String[] args) {
		if (args.length == 0 || !args[0].equals("serve")) {
			// The AOT-generated context (pom.xml, process-aot) is the serve profile's.
			System.setProperty("spring.aot.enabled", "false");
		}
		if (startsSpring(args, "broker")) {
			String[] settings;
			try {
				settings = Cli.brokerArguments(Arrays.copyOfRange(args, 1, args.length));
			}
			catch (ParameterException ex) {
				// The command line says what was wrong, with the usage, and exits 2.
				System.exit(Cli.run(args));
				return;
			}
			// Tomcat's logging sets the JDK's two-line formatter on the console handler
			// unless told a formatter: Spring Boot's, the one every other line uses.
			if (System.getProperty("org.apache.juli.formatter") == null) {
				System.setProperty("org.apache.juli.formatter",
						"org.springframework.boot.logging.java.SimpleFormatter");
			}
			SpringApplication application = new SpringApplication(MyceliumApplication.class);
			application.setAdditionalProfiles("broker");
			application.run(settings);
			return;
		}
		if (startsSpring(args, "serve")) {
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
		// Everything else (status, send, tail, stop, help, a mistake) runs without
		// Spring:
		// a context would cost seconds for commands that should answer at once.
		System.exit(Cli.run(args));
	}

	/** {@code broker --help} describes the command rather than starting a broker. */
	private static boolean startsSpring(String[] args, String command) {
		return args.length > 0 && args[0].equals(command)
				&& Arrays.stream(args).noneMatch(arg -> arg.equals("--help") || arg.equals("-h"));
	}

}
