package dev.mycelium.serve;

import java.util.function.Supplier;

import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;

/**
 * Ends every tool result, success or error, with the one-line notice of unread mail (when
 * there is any), so that a session without push still learns that messages wait.
 */
final class UnreadNoticeToolCallback implements ToolCallback {

	private final ToolCallback delegate;

	private final Supplier<String> notice;

	UnreadNoticeToolCallback(ToolCallback delegate, Supplier<String> notice) {
		this.delegate = delegate;
		this.notice = notice;
	}

	@Override
	public ToolDefinition getToolDefinition() {
		return delegate.getToolDefinition();
	}

	@Override
	public ToolMetadata getToolMetadata() {
		return delegate.getToolMetadata();
	}

	@Override
	public String call(String toolInput) {
		return call(toolInput, null);
	}

	@Override
	public String call(String toolInput, ToolContext toolContext) {
		// A tools/call without arguments arrives as "null".
		String input = toolInput == null || toolInput.isBlank() || toolInput.equals("null") ? "{}" : toolInput;
		String result;
		try {
			result = delegate.call(input, toolContext);
		}
		catch (RuntimeException ex) {
			// The MCP server turns any exception into an isError result with its message.
			throw new ToolFailure(message(ex) + suffix(), ex);
		}
		return result + suffix();
	}

	private String suffix() {
		String line = notice.get();
		return line == null ? "" : "\n\n" + line;
	}

	/** Spring AI's ToolExecutionException carries the message of what the tool threw. */
	private static String message(RuntimeException ex) {
		return ex.getMessage() != null ? ex.getMessage()
				: "The tool failed unexpectedly (" + ex.getClass().getSimpleName() + "); see the serve log on stderr.";
	}

	/** A tool call that failed, with one sentence for the model. */
	static final class ToolFailure extends RuntimeException {

		ToolFailure(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
