package dev.mycelium.broker;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;

/**
 * Every string of a request body must be Unicode: JSON lets {@code "\ud800"} spell half a
 * surrogate pair, which Java strings accept and strict JSON readers (and the model's
 * tokenizer) then choke on when the broker hands it on. Refused as a 400 instead.
 */
final class WellFormedText extends StdScalarDeserializer<String> {

	WellFormedText() {
		super(String.class);
	}

	@Override
	public String deserialize(JsonParser parser, DeserializationContext context) {
		String text = StringDeserializer.instance.deserialize(parser, context);
		if (text != null) {
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				if (Character.isHighSurrogate(c) && i + 1 < text.length()
						&& Character.isLowSurrogate(text.charAt(i + 1))) {
					i++;
				}
				else if (Character.isSurrogate(c)) {
					throw InvalidFormatException.from(parser,
							"A text in the request holds a lone UTF-16 surrogate (\\u" + Integer.toHexString(c)
									+ " without its pair), which is not Unicode; send well-formed text",
							text, String.class);
				}
			}
		}
		return text;
	}

}
