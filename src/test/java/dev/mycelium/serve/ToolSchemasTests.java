package dev.mycelium.serve;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The schemas a session serves come from {@code tool-schemas.json}; what Spring AI would
 * generate from the annotations is the reference. A changed parameter or description
 * without a regenerated file fails here, with the file's new content.
 */
class ToolSchemasTests {

	private final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	/** Only its methods are read: no tool is called here. */
	private final MyceliumTools tools = new MyceliumTools(null, null, null);

	@Test
	void theStoredSchemasAreWhatSpringAiGeneratesFromTheAnnotations() throws IOException {
		Map<String, JsonNode> generated = new LinkedHashMap<>();
		for (ToolDefinition definition : generatedDefinitions()) {
			generated.put(definition.name(), json.readTree(definition.inputSchema()));
		}
		Map<String, JsonNode> stored;
		try (InputStream in = ToolSchemas.class.getResourceAsStream(ToolSchemas.RESOURCE)) {
			assertThat(in).as(ToolSchemas.RESOURCE).isNotNull();
			stored = json.readerForMapOf(JsonNode.class).readValue(in);
		}
		if (!stored.equals(generated)) {
			fail("src/main/resources/dev/mycelium/serve/" + ToolSchemas.RESOURCE
					+ " does not match the tools' annotations; write this into it:\n"
					+ json.writeValueAsString(generated));
		}
	}

	@Test
	void theServedDefinitionsAreSpringAisOwnNamesDescriptionsAndSchemas() {
		List<ToolDefinition> served = Arrays.stream(ToolSchemas.callbacks(tools, json))
			.map(ToolCallback::getToolDefinition)
			.toList();
		List<ToolDefinition> reference = generatedDefinitions();
		assertThat(served).extracting(ToolDefinition::name)
			.containsExactly("attach", "claim", "detach", "discover", "fruit", "identify", "nurture", "release",
					"sense", "signal", "sporulate", "survey");
		assertThat(served).extracting(ToolDefinition::name)
			.containsExactlyInAnyOrderElementsOf(reference.stream().map(ToolDefinition::name).toList());
		for (ToolDefinition definition : served) {
			ToolDefinition expected = reference.stream()
				.filter(candidate -> candidate.name().equals(definition.name()))
				.findFirst()
				.orElseThrow();
			assertThat(definition.description()).isEqualTo(expected.description());
			assertThat(json.readTree(definition.inputSchema())).as(definition.name())
				.isEqualTo(json.readTree(expected.inputSchema()));
		}
	}

	private List<ToolDefinition> generatedDefinitions() {
		return Arrays.stream(MethodToolCallbackProvider.builder().toolObjects(tools).build().getToolCallbacks())
			.map(ToolCallback::getToolDefinition)
			.toList();
	}

}
