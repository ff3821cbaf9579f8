package dev.mycelium.broker;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.http.MediaType;

/**
 * Tomcat's own error answers as problem details: requests Tomcat refuses before any
 * filter or controller sees them (an encoded {@code /}, a {@code \}, a NUL, a URL or
 * headers over 8 KB, two {@code Host} headers) and anything else that reaches Tomcat's
 * error page. Without it they are Tomcat's HTML page, which no client of the broker
 * reads. Public with a no-argument constructor: Tomcat's host instantiates its error
 * report valve by class name.
 */
public final class ProblemReportValve extends ErrorReportValve {

	public ProblemReportValve() {
		setShowReport(false);
		setShowServerInfo(false);
	}

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		String[] codeAndDetail = describe(status);
		String body = ProblemDetails.json(status, codeAndDetail[0], codeAndDetail[1]);
		try {
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(body);
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// The connection is gone or the answer already started: nothing more to say.
		}
	}

	private static String[] describe(int status) {
		return switch (status) {
			case 400 -> new String[] { "bad_request",
					"The broker cannot read this request: its URL or headers are malformed or too large (an encoded"
							+ " '/' or '\\', a NUL, control characters, a URL or headers over 8 KB, two Host headers)."
							+ " Nothing was done." };
			case 404 -> new String[] { "no_such_route", "There is no such route; the README lists the routes." };
			case 405 -> new String[] { "method_not_allowed", "This route does not take this method." };
			case 408 -> new String[] { "request_timeout", "The request did not arrive in time." };
			case 413 -> new String[] { "too_large", "The request is larger than the broker accepts." };
			case 414 -> new String[] { "uri_too_long", "The URL is longer than the broker accepts (8 KB)." };
			case 431 -> new String[] { "headers_too_large", "The request headers are larger than the broker accepts." };
			case 501 -> new String[] { "not_implemented", "The broker does not implement this method." };
			case 505 -> new String[] { "http_version_not_supported", "Speak HTTP/1.1 to the broker." };
			default -> status >= 500
					? new String[] { "internal_error", "The broker failed unexpectedly; see MYCELIUM_HOME/broker.log." }
					: new String[] { "error", "The broker refused this request." };
		};
	}

}
