package dev.mycelium.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * RFC 9457 problem details, one shape wherever the broker refuses: {@link #of} for the
 * controllers' errors (Spring writes it), {@link #json} for the answers written before or
 * outside Spring MVC (the request guard, Tomcat's own errors). The JSON is written here
 * by hand: Tomcat's error valve has no object mapper, and five fields need none.
 */
final class ProblemDetails {

	private ProblemDetails() {
	}

	static ProblemDetail of(HttpStatus status, String code, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setProperty("code", code);
		return problem;
	}

	/**
	 * The problem as JSON: {@code type}, {@code title}, {@code status}, {@code detail},
	 * {@code code}.
	 */
	static String json(int status, String code, String detail) {
		HttpStatus known = HttpStatus.resolve(status);
		StringBuilder json = new StringBuilder(160 + detail.length());
		json.append("{\"type\":\"about:blank\",\"title\":");
		string(json, known != null ? known.getReasonPhrase() : "Error");
		json.append(",\"status\":").append(status).append(",\"detail\":");
		string(json, detail);
		json.append(",\"code\":");
		string(json, code);
		return json.append('}').toString();
	}

	/** Writes the problem as the whole answer, for a filter that answers itself. */
	static void write(HttpServletResponse response, HttpStatus status, String code, String detail) throws IOException {
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.getOutputStream().write(json(status.value(), code, detail).getBytes(StandardCharsets.UTF_8));
	}

	/** A JSON string, escaped as Jackson escapes it (so the bytes are the same). */
	private static void string(StringBuilder json, String text) {
		json.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				case '\b' -> json.append("\\b");
				case '\f' -> json.append("\\f");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04X", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
