package dev.mycelium;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A log line names its level as the code logged it through SLF4J. */
class StandardErrorLoggingTests {

	private final StandardErrorLogging.Line line = new StandardErrorLogging.Line();

	@Test
	void anErrorReadsErrorAndCarriesItsStackTrace() {
		LogRecord record = new LogRecord(Level.SEVERE, "Could not {0}");
		record.setParameters(new Object[] { "write" });
		record.setLoggerName("dev.mycelium.broker.Sweeper");
		record.setThrown(new IllegalStateException("disk full"));

		String text = line.format(record);

		assertThat(text).contains("ERROR [")
			.contains("dev.mycelium.broker.Sweeper - Could not write")
			.contains("java.lang.IllegalStateException: disk full")
			.doesNotContain("SEVERE");
	}

	@Test
	void everyJdkLevelHasItsSlf4jName() {
		assertThat(StandardErrorLogging.Line.level(Level.SEVERE)).isEqualTo("ERROR");
		assertThat(StandardErrorLogging.Line.level(Level.WARNING)).isEqualTo("WARN");
		assertThat(StandardErrorLogging.Line.level(Level.INFO)).isEqualTo("INFO");
		assertThat(StandardErrorLogging.Line.level(Level.FINE)).isEqualTo("DEBUG");
		assertThat(StandardErrorLogging.Line.level(Level.FINEST)).isEqualTo("TRACE");
	}

}
