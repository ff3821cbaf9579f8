package dev.mycelium.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.DefaultToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;
import org.springframework.ai.tool.method.MethodToolCallback;
import org.springframework.ai.tool.support.ToolUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * The tools' input schemas, generated from their {@code @ToolParam}s when the code
 * changes rather than at every start. Spring AI's {@code MethodToolCallbackProvider}
 * builds the same callbacks but derives each schema with victools' generator: 250 classes
 * and about 60 ms loaded into every session for ten schemas that never change between
 * builds. {@code ToolSchemasTests} fails when {@code tool-schemas.json} no longer matches
 * what that generator makes of {@link MyceliumTools}, and prints the file to write.
 */
final class ToolSchemas {

	static final String RESOURCE = "tool-schemas.json";

	private ToolSchemas() {
	}

	/** One callback per {@link MyceliumTool} method of {@code tools}, in name order. */
	static ToolCallback[] callbacks(Object tools, JsonMapper json) {
		Map<String, JsonNode> schemas = read(json);
		return toolMethods(tools.getClass()).map(method -> {
			String name = ToolUtils.getToolName(method);
			JsonNode schema = schemas.get(name);
			if (schema == null) {
				throw new IllegalStateException("No input schema for the tool " + name + " in " + RESOURCE);
			}
			return (ToolCallback) MethodToolCallback.builder()
				.toolDefinition(DefaultToolDefinition.builder()
					.name(name)
					.description(ToolUtils.getToolDescription(method))
					.inputSchema(json.writeValueAsString(schema))
					.build())
				.toolMetadata(ToolMetadata.from(method))
				.toolMethod(method)
				.toolObject(tools)
				.toolCallResultConverter(ToolUtils.getToolCallResultConverter(method))
				.build();
		}).toArray(ToolCallback[]::new);
	}

	private static Stream<Method> toolMethods(Class<?> type) {
		return Arrays.stream(type.getDeclaredMethods())
			.filter(method -> AnnotatedElementUtils.hasAnnotation(method, MyceliumTool.class))
			.sorted(Comparator.comparing(Method::getName));
	}

	private static Map<String, JsonNode> read(JsonMapper json) {
		try (InputStream in = ToolSchemas.class.getResourceAsStream(RESOURCE)) {
			if (in == null) {
				throw new IllegalStateException(RESOURCE + " is missing from the jar");
			}
			return json.readerForMapOf(JsonNode.class).readValue(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
