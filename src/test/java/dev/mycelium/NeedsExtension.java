package dev.mycelium;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

import dev.mycelium.Needs.Tool;

/**
 * Skips, or under {@code mycelium.ci=true} fails, a class or a test whose {@link Needs}
 * are not installed, before it starts anything (a condition runs before
 * {@code @BeforeAll}): with one sentence that names the package.
 */
class NeedsExtension implements ExecutionCondition {

	static final String CI = "mycelium.ci";

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		Optional<AnnotatedElement> element = context.getElement();
		Optional<Needs> needs = element.flatMap(found -> AnnotationSupport.findAnnotation(found, Needs.class));
		if (needs.isEmpty()) {
			return ConditionEvaluationResult.enabled("needs nothing");
		}
		Optional<String> missing = missing(List.of(needs.get().value()), context.getDisplayName());
		if (missing.isEmpty()) {
			return ConditionEvaluationResult.enabled("everything it needs is installed");
		}
		if (Boolean.getBoolean(CI)) {
			throw new AssertionFailedError(
					missing.get() + " (" + CI + "=true: on CI a missing package fails the test)");
		}
		return ConditionEvaluationResult.disabled(missing.get());
	}

	/** The sentence for the tools that are not installed, if any is not. */
	static Optional<String> missing(List<Tool> tools, String what) {
		List<Tool> missing = tools.stream().filter(tool -> !tool.isInstalled()).toList();
		if (missing.isEmpty()) {
			return Optional.empty();
		}
		String commands = missing.stream().map(Tool::command).collect(Collectors.joining(", "));
		String packages = missing.stream().map(Tool::debianPackage).distinct().collect(Collectors.joining(" "));
		return Optional.of(what + " needs " + commands + ", not installed here: apt-get install " + packages
				+ " (the Debian package" + (packages.contains(" ") ? "s " : " ") + packages + ").");
	}

}
