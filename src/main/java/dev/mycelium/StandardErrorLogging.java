package dev.mycelium;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.logging.LogFile;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.logging.LoggingSystemFactory;
import org.springframework.boot.logging.java.JavaLoggingSystem;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Logging for every command: the JDK's {@code java.util.logging} as Spring Boot sets it
 * up (levels in {@code logging-spring.properties}), every line to standard error, never
 * standard output, which is {@code serve}'s JSON-RPC and the command line's
 * {@code --json}. Logback and its XML configuration would cost every {@code serve} about
 * 400 classes to write a few lines. Standard error is whatever {@code System.err} is at
 * each line, unlike the JDK's {@code ConsoleHandler}, which keeps the stream it found
 * when it was made (a test capturing standard error would see nothing), and whose
 * formatter Tomcat replaces with the JDK's two-line one. The handler is added here rather
 * than named in the properties: the JDK loads named handlers from the system class
 * loader, which does not see this class in {@code java -jar mycelium.jar}.
 */
public final class StandardErrorLogging extends JavaLoggingSystem {

	public StandardErrorLogging(ClassLoader classLoader) {
		super(classLoader);
	}

	@Override
	protected void loadConfiguration(String location, @Nullable LogFile logFile) {
		// Reading a configuration resets every handler: only those it names are left,
		// the console handler of Spring Boot's file-logging configuration among them.
		super.loadConfiguration(location, logFile);
		Logger root = Logger.getLogger("");
		for (Handler handler : root.getHandlers()) {
			if (handler instanceof ConsoleHandler) {
				root.removeHandler(handler);
			}
		}
		root.addHandler(new StandardError());
	}

	/** Chosen before Spring Boot's own {@code JavaLoggingSystem}. */
	@Order(Ordered.HIGHEST_PRECEDENCE)
	public static final class Factory implements LoggingSystemFactory {

		@Override
		public LoggingSystem getLoggingSystem(ClassLoader classLoader) {
			return new StandardErrorLogging(classLoader);
		}

	}

	/** {@code 2026-12-03T14:38:00.123Z  WARN [main] dev.mycelium.broker.Sweeper - …}. */
	static final class Line extends Formatter {

		@Override
		public String format(LogRecord record) {
			StringBuilder line = new StringBuilder(160);
			line.append(Instant.ofEpochMilli(record.getMillis()))
				.append(' ')
				.append(String.format("%5s", level(record.getLevel())))
				.append(" [")
				.append(Thread.currentThread().getName())
				.append("] ")
				.append(record.getLoggerName())
				.append(" - ")
				.append(formatMessage(record))
				.append(System.lineSeparator());
			if (record.getThrown() != null) {
				StringWriter trace = new StringWriter();
				record.getThrown().printStackTrace(new PrintWriter(trace));
				line.append(trace);
			}
			return line.toString();
		}

		static String level(Level level) {
			int value = level.intValue();
			return value >= Level.SEVERE.intValue() ? "ERROR" : value >= Level.WARNING.intValue() ? "WARN"
					: value >= Level.INFO.intValue() ? "INFO" : value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
		}

	}

	private static final class StandardError extends Handler {

		StandardError() {
			setFormatter(new Line());
			setLevel(Level.ALL);
		}

		@Override
		public void publish(LogRecord record) {
			if (!isLoggable(record)) {
				return;
			}
			String line;
			try {
				line = getFormatter().format(record);
			}
			catch (RuntimeException ex) {
				reportError(null, ex, ErrorManager.FORMAT_FAILURE);
				return;
			}
			System.err.print(line);
			System.err.flush();
		}

		@Override
		public void flush() {
			System.err.flush();
		}

		@Override
		public void close() {
			flush();
		}

	}

}
