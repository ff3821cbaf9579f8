package dev.mycelium.broker;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The problem details the guard and Tomcat's valve write are, byte for byte, what Jackson
 * wrote for them before: the hand-written JSON escapes as Jackson does.
 */
class ProblemDetailsTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@ParameterizedTest
	@ValueSource(strings = { "The broker cannot read this request (an encoded '/' or '\\', a NUL).",
			"Send it as \"JSON\".", "tab\there, line\nthere, \r\b\f and \u0001\u001f", "naïve → ⏎ 😀", "" })
	void theJsonIsWhatJacksonWrites(String detail) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		body.put("title", "Bad Request");
		body.put("status", 400);
		body.put("detail", detail);
		body.put("code", "bad_request");

		assertThat(ProblemDetails.json(400, "bad_request", detail)).isEqualTo(JSON.writeValueAsString(body));
	}

	@ParameterizedTest
	@ValueSource(ints = { 401, 404, 413, 503, 599 })
	void theTitleIsTheReasonPhrase(int status) {
		String title = JSON.readTree(ProblemDetails.json(status, "x", "y")).path("title").asString();

		assertThat(title)
			.isEqualTo(status == 599 ? "Error" : org.springframework.http.HttpStatus.valueOf(status).getReasonPhrase());
	}

}
