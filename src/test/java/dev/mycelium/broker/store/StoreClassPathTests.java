package dev.mycelium.broker.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stores' libraries come without Spring Boot's JDBC, DataSource, Flyway or Redis
 * auto-configuration (Lettuce alone, no Spring Data Redis): the broker opens the database
 * itself, so nothing about it can run in {@code serve} (one JVM per Claude Code session)
 * or in a command-line run with a Spring context. Adding such a starter would put its
 * auto-configuration into every profile: this test says so before a session's start-up
 * pays for it.
 */
class StoreClassPathTests {

	@Test
	void noAutoConfigurationForDataSourcesMigrationsOrRedisIsOnTheClassPath() throws IOException {
		List<String> found = new ArrayList<>();
		for (URL imports : Collections.list(getClass().getClassLoader()
			.getResources("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))) {
			try (InputStream in = imports.openStream()) {
				new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
					.filter(line -> line.matches("(?i).*(jdbc|datasource|flyway|liquibase|\\.sql\\.|redis|lettuce).*"))
					.forEach(found::add);
			}
		}
		assertThat(found).isEmpty();
	}

}
