package dev.mycelium.serve;

import java.util.List;
import java.util.Map;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model that calls a tool wrongly is told in one sentence what was wrong, and the tool
 * does not run.
 */
class ToolArgumentsCheckTests {

	private static final Map<String, Object> SIGNAL = Map.of("type", "object", "properties",
			Map.of("to", Map.of("type", "string", "description", "the recipient's name"), "body",
					Map.of("type", "string", "description", "message text"), "urgent", Map.of("type", "boolean"),
					"limit", Map.of("type", "integer"), "ids", Map.of("type", "array")),
			"required", List.of("to", "body"), "additionalProperties", false);

	private final ToolArgumentsCheck check = new ToolArgumentsCheck();

	private ValidationResponse validate(Object arguments) {
		return this.check.validate(SIGNAL, arguments);
	}

	@Test
	void rightArgumentsPass() {
		assertThat(validate(Map.of("to", "bob", "body", "hi", "urgent", true, "limit", 3, "ids", List.of("a"))).valid())
			.isTrue();
		assertThat(validate(Map.of("to", "bob", "body", "hi", "limit", 3L)).valid()).as("a long is an integer")
			.isTrue();
	}

	@Test
	void aMissingRequiredParameterIsNamedWithWhatItIs() {
		ValidationResponse response = validate(Map.of("to", "bob"));

		assertThat(response.valid()).isFalse();
		assertThat(response.errorMessage()).isEqualTo("'body' is required (message text).");
	}

	@Test
	void anUnknownParameterIsRefusedWithTheKnownOnes() {
		ValidationResponse response = validate(Map.of("to", "bob", "body", "hi", "cc", "carol"));

		assertThat(response.valid()).isFalse();
		assertThat(response.errorMessage()).startsWith("'cc' is not a parameter of this tool; its parameters are ")
			.contains("to", "body", "urgent", "limit", "ids")
			.endsWith(".");
	}

	@Test
	void aToolWithoutParametersSaysItTakesNone() {
		ValidationResponse response = this.check
			.validate(Map.of("type", "object", "properties", Map.of(), "additionalProperties", false), Map.of("x", 1));

		assertThat(response.errorMessage()).isEqualTo("'x' is not a parameter of this tool; it takes none.");
	}

	@Test
	void aWronglyTypedParameterIsRefusedWithBothTypes() {
		assertThat(validate(Map.of("to", 42, "body", "hi")).errorMessage())
			.isEqualTo("'to' must be a string, not a number.");
		assertThat(validate(Map.of("to", "bob", "body", "hi", "urgent", "yes")).errorMessage())
			.isEqualTo("'urgent' must be a boolean, not a string.");
		assertThat(validate(Map.of("to", "bob", "body", "hi", "limit", 1.5)).errorMessage())
			.isEqualTo("'limit' must be an integer, not a number.");
		assertThat(validate(Map.of("to", "bob", "body", "hi", "ids", Map.of())).errorMessage())
			.isEqualTo("'ids' must be an array, not an object.");
	}

	@Test
	void argumentsThatAreNotAnObjectAreRefused() {
		assertThat(validate(List.of("bob", "hi")).errorMessage())
			.isEqualTo("the arguments must be a JSON object of named parameters.");
	}

	@Test
	void eachRefusalIsOneSentence() {
		for (Object wrong : List.of(Map.of(), Map.of("to", "bob", "body", "hi", "cc", 1), Map.of("to", 1, "body", "x"),
				"text")) {
			String sentence = validate(wrong).errorMessage();
			assertThat(sentence).endsWith(".").doesNotContain("\n");
			assertThat(sentence.substring(0, sentence.length() - 1)).doesNotContain(". ");
		}
	}

}
