package dev.mycelium.serve;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.ai.tool.annotation.Tool;
import org.springframework.core.annotation.AliasFor;

/** {@link Tool} with plain-text results, so that no tool has to repeat the converter. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Tool(resultConverter = PlainTextResultConverter.class)
@interface MyceliumTool {

	@AliasFor(annotation = Tool.class, attribute = "description")
	String description();

}
