package dev.mycelium.claude;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A scripted stand-in for the Anthropic Messages API that the real {@code claude} CLI
 * talks to ({@code ANTHROPIC_BASE_URL}): every request the CLI sends is recorded, and
 * each one from the session's main loop (the requests offering the {@code Bash} or
 * {@code ToolSearch} tool) gets the next step of a script, or {@code ok} when the script
 * has none. Side requests (titles, summaries) get a short text. Answers are streamed as
 * the API streams them. A recorded request holds exactly what a model would read: tool
 * results, hook context, messages put into the session.
 *
 * <p>
 * Only the JDK: the delivery benchmark ({@code bench/DeliveryLatencyBench.java}) runs it
 * from the test classes without the test class path.
 */
public final class ScriptedModel implements AutoCloseable {

	/** One request as it arrived. */
	public record Request(long receivedNanos, String path, String body, boolean main) {

		/**
		 * Whether the request holds {@code text}, as the model would read it (the body is
		 * JSON, so the text is looked for as JSON escapes it).
		 */
		public boolean contains(String text) {
			return body.contains(escape(text));
		}

	}

	/** What the model answers: text that ends the turn, or one tool call. */
	public record Reply(String text, String tool, String inputJson) {

		public static Reply text(String text) {
			return new Reply(text, null, null);
		}

		/**
		 * A tool call; {@code input} is a map of strings, numbers, booleans and lists of
		 * them.
		 */
		public static Reply tool(String name, Map<String, ?> input) {
			return new Reply(null, name, json(input));
		}

		/** ToolSearch, which Claude Code needs before a deferred (MCP) tool is called. */
		public static Reply load(String... tools) {
			return tool("ToolSearch", Map.of("query", "select:" + String.join(",", tools), "max_results", 10));
		}

	}

	private record Step(Predicate<Request> when, Function<Request, Reply> reply) {
	}

	private static final AtomicLong IDS = new AtomicLong();

	private final HttpServer server;

	private final List<Request> requests = new ArrayList<>();

	/** When each tool call was answered (its whole stream written), by tool name. */
	private final List<Map.Entry<String, Long>> toolCalls = new ArrayList<>();

	private final Deque<Step> script = new ArrayDeque<>();

	private ScriptedModel(HttpServer server) {
		this.server = server;
	}

	public static ScriptedModel start() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		ScriptedModel model = new ScriptedModel(server);
		server.createContext("/", model::handle);
		server.setExecutor(Executors.newCachedThreadPool(runnable -> {
			Thread thread = new Thread(runnable, "scripted-model");
			thread.setDaemon(true);
			return thread;
		}));
		server.start();
		return model;
	}

	/** The base URL for {@code ANTHROPIC_BASE_URL}. */
	public String url() {
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	/** The next main-loop request gets {@code reply}. */
	public synchronized ScriptedModel then(Reply reply) {
		script.addLast(new Step(request -> true, request -> reply));
		return this;
	}

	/** The next main-loop request gets a reply made from it. */
	public synchronized ScriptedModel then(Function<Request, Reply> reply) {
		script.addLast(new Step(request -> true, reply));
		return this;
	}

	/**
	 * The script waits (answering {@code ok}) until a main-loop request holds
	 * {@code text}; that one gets {@code reply}.
	 */
	public synchronized ScriptedModel when(String text, Function<Request, Reply> reply) {
		script.addLast(new Step(request -> request.contains(text), reply));
		return this;
	}

	public synchronized List<Request> requests() {
		return List.copyOf(requests);
	}

	/** The first main-loop request holding {@code text}, waiting for it up to a time. */
	public Request await(String text, Duration timeout) throws InterruptedException {
		return awaitMatching(request -> request.main() && request.contains(text), timeout)
			.orElseThrow(() -> new AssertionError("No request to the model held '" + text + "' within " + timeout
					+ "; the model was sent " + summary()));
	}

	/** The first request matching, waiting for it; empty when none came in time. */
	public synchronized Optional<Request> awaitMatching(Predicate<Request> match, Duration timeout)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Optional<Request> found = requests.stream().filter(match).findFirst();
			long left = deadline - System.nanoTime();
			if (found.isPresent() || left <= 0) {
				return found;
			}
			wait(Math.max(1, left / 1_000_000));
		}
	}

	/** What the main-loop requests were, shortly, for a failure message. */
	public synchronized String summary() {
		return requests.stream()
			.filter(Request::main)
			.map(request -> "\n- " + lastText(request.body()))
			.collect(Collectors.joining("", requests.size() + " requests:", ""));
	}

	private static String lastText(String body) {
		int at = body.lastIndexOf("\"text\":");
		String text = at < 0 ? body : body.substring(at, Math.min(body.length(), at + 300));
		return text.replace('\n', ' ');
	}

	@Override
	public void close() {
		server.stop(0);
		((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			String path = exchange.getRequestURI().toString();
			if (exchange.getRequestMethod().equals("HEAD")) {
				exchange.sendResponseHeaders(200, -1);
				return;
			}
			if (!exchange.getRequestMethod().equals("POST")) {
				respond(exchange, 200, "application/json", "{}");
				return;
			}
			if (path.contains("count_tokens")) {
				respond(exchange, 200, "application/json", "{\"input_tokens\":10}");
				return;
			}
			boolean main = body.contains("\"name\":\"Bash\"") || body.contains("\"name\":\"ToolSearch\"");
			Request request = new Request(System.nanoTime(), path, body, main);
			Reply reply = main ? next(request) : Reply.text("ok");
			synchronized (this) {
				requests.add(request);
				notifyAll();
			}
			stream(exchange, reply);
			if (reply.tool() != null) {
				synchronized (this) {
					toolCalls.add(Map.entry(reply.tool(), System.nanoTime()));
					notifyAll();
				}
			}
		}
	}

	/** How many calls of {@code tool} the script has sent to the CLI. */
	public synchronized long toolCalls(String tool) {
		return toolCalls.stream().filter(call -> call.getKey().equals(tool)).count();
	}

	/**
	 * When the script's first call of {@code tool} had been sent to the CLI, waiting for
	 * it up to a time.
	 */
	public synchronized long awaitToolCall(String tool, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Optional<Long> sent = toolCalls.stream()
				.filter(call -> call.getKey().equals(tool))
				.map(Map.Entry::getValue)
				.findFirst();
			long left = deadline - System.nanoTime();
			if (sent.isPresent()) {
				return sent.get();
			}
			if (left <= 0) {
				throw new AssertionError("The model did not call " + tool + " within " + timeout);
			}
			wait(Math.max(1, left / 1_000_000));
		}
	}

	private synchronized Reply next(Request request) {
		Step step = script.peekFirst();
		if (step == null || !step.when().test(request)) {
			return Reply.text("ok");
		}
		script.removeFirst();
		return step.reply().apply(request);
	}

	private static void stream(HttpExchange exchange, Reply reply) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
		exchange.sendResponseHeaders(200, 0);
		OutputStream out = exchange.getResponseBody();
		String id = "msg_" + IDS.incrementAndGet();
		event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id
				+ "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-scripted\",\"content\":[],"
				+ "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}");
		String stop;
		if (reply.tool() != null) {
			event(out, "content_block_start",
					"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_"
							+ IDS.incrementAndGet() + "\",\"name\":" + quote(reply.tool()) + ",\"input\":{}}}");
			event(out, "content_block_delta",
					"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
							+ quote(reply.inputJson()) + "}}");
			stop = "tool_use";
		}
		else {
			event(out, "content_block_start",
					"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
			event(out, "content_block_delta",
					"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
							+ quote(reply.text()) + "}}");
			stop = "end_turn";
		}
		event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
		event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stop
				+ "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}");
		event(out, "message_stop", "{\"type\":\"message_stop\"}");
	}

	private static void event(OutputStream out, String name, String data) throws IOException {
		out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", type);
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
	}

	static String json(Map<String, ?> values) {
		return values.entrySet()
			.stream()
			.map(entry -> quote(entry.getKey()) + ":" + value(entry.getValue()))
			.collect(Collectors.joining(",", "{", "}"));
	}

	private static String value(Object value) {
		if (value instanceof List<?> list) {
			return list.stream().map(ScriptedModel::value).collect(Collectors.joining(",", "[", "]"));
		}
		return value instanceof Number || value instanceof Boolean ? value.toString() : quote(String.valueOf(value));
	}

	static String quote(String text) {
		return "\"" + escape(text) + "\"";
	}

	/** The text as JSON writes it between quotes (as the CLI's JSON.stringify does). */
	static String escape(String text) {
		StringBuilder escaped = new StringBuilder(text.length() + 8);
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> escaped.append("\\\"");
				case '\\' -> escaped.append("\\\\");
				case '\n' -> escaped.append("\\n");
				case '\r' -> escaped.append("\\r");
				case '\t' -> escaped.append("\\t");
				case '\b' -> escaped.append("\\b");
				case '\f' -> escaped.append("\\f");
				default -> {
					if (c < 0x20) {
						escaped.append(String.format("\\u%04x", (int) c));
					}
					else {
						escaped.append(c);
					}
				}
			}
		}
		return escaped.toString();
	}

}
