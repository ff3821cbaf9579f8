package dev.mycelium.serve;

import java.lang.reflect.Type;

import org.springframework.ai.tool.execution.ToolCallResultConverter;

/**
 * Tool results are text for a model: the default converter would JSON-quote them. Public
 * because Spring AI instantiates it reflectively.
 */
public final class PlainTextResultConverter implements ToolCallResultConverter {

	public PlainTextResultConverter() {
	}

	@Override
	public String convert(Object result, Type returnType) {
		return result == null ? "" : result.toString();
	}

}
