package dev.mycelium.serve;

import java.util.List;
import java.util.Map;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;

/**
 * Checks a tool call's arguments against the tool's input schema before the tool runs, in
 * place of the MCP SDK's general JSON Schema validator. The ten tools' schemas are flat
 * objects of named parameters, so this needs only the required names, the known names and
 * each one's type; in exchange every refusal is one sentence a model can act on ("'body'
 * is required (message text).") instead of a validator's error dump, and {@code serve} no
 * longer loads a JSON Schema library of 250 classes into every session.
 */
final class ToolArgumentsCheck implements JsonSchemaValidator {

	@Override
	public ValidationResponse validate(Map<String, Object> schema, Object arguments) {
		if (!(arguments instanceof Map<?, ?> given)) {
			return ValidationResponse.asInvalid("the arguments must be a JSON object of named parameters.");
		}
		Map<?, ?> properties = schema.get("properties") instanceof Map<?, ?> map ? map : Map.of();
		List<?> required = schema.get("required") instanceof List<?> list ? list : List.of();
		for (Object name : required) {
			if (given.get(name) == null) {
				return ValidationResponse
					.asInvalid("'" + name + "' is required" + described(properties.get(name)) + ".");
			}
		}
		for (Map.Entry<?, ?> argument : given.entrySet()) {
			Object property = properties.get(argument.getKey());
			if (property == null) {
				if (Boolean.FALSE.equals(schema.get("additionalProperties"))) {
					String known = String.join(", ", properties.keySet().stream().map(String::valueOf).toList());
					return ValidationResponse.asInvalid("'" + argument.getKey() + "' is not a parameter of this tool; "
							+ (known.isEmpty() ? "it takes none." : "its parameters are " + known + "."));
				}
				continue;
			}
			String type = property instanceof Map<?, ?> definition && definition.get("type") instanceof String t ? t
					: null;
			if (argument.getValue() != null && type != null && !hasType(argument.getValue(), type)) {
				return ValidationResponse.asInvalid("'" + argument.getKey() + "' must be " + article(type) + " " + type
						+ ", not " + typeOf(argument.getValue()) + ".");
			}
		}
		return ValidationResponse.asValid(null);
	}

	private static String described(Object property) {
		return property instanceof Map<?, ?> definition && definition.get("description") instanceof String text
				&& !text.isBlank() ? " (" + text + ")" : "";
	}

	private static boolean hasType(Object value, String type) {
		return switch (type) {
			case "string" -> value instanceof String;
			case "integer" ->
				value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
			case "number" -> value instanceof Number;
			case "boolean" -> value instanceof Boolean;
			case "array" -> value instanceof List<?>;
			case "object" -> value instanceof Map<?, ?>;
			default -> true;
		};
	}

	private static String typeOf(Object value) {
		if (value instanceof String) {
			return "a string";
		}
		if (value instanceof Number) {
			return "a number";
		}
		if (value instanceof Boolean) {
			return "a boolean";
		}
		if (value instanceof List<?>) {
			return "an array";
		}
		return "an object";
	}

	private static String article(String type) {
		return type.startsWith("a") || type.startsWith("i") || type.startsWith("o") ? "an" : "a";
	}

}
