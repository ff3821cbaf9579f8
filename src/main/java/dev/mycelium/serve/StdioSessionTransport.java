package dev.mycelium.serve;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import reactor.core.publisher.Mono;

/**
 * The SDK's stdio transport, plus what it does not offer: {@link #initialized()}
 * completes when the client has finished the handshake, {@link #closed()} when it closes
 * standard input (so that {@code serve} can exit and deregister), and
 * {@link #writeNotification(String, Object)} writes a notification and returns only once
 * it is on standard output (so that a pushed message is acknowledged only after it really
 * left). The SDK reads standard input; every message out, its own and the notifications,
 * is written here. A shutdown that Spring starts (a signal) is not a close.
 */
final class StdioSessionTransport implements McpServerTransportProvider {

	private static final String INITIALIZED = "notifications/initialized";

	private final StdioServerTransportProvider delegate;

	private final McpJsonMapper json;

	/**
	 * Standard output. Each message is written while holding this object's monitor, so
	 * lines never interleave. Not {@code System.out}: a {@code PrintStream} hides write
	 * errors.
	 */
	private final OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);

	private final CompletableFuture<Void> initialized = new CompletableFuture<>();

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	StdioSessionTransport(McpJsonMapper json) {
		this.json = json;
		this.delegate = new StdioServerTransportProvider(new InboundMapper(json), System.in, stdout);
	}

	/** Completes when the client sent {@code notifications/initialized}. */
	CompletableFuture<Void> initialized() {
		return initialized;
	}

	CompletableFuture<Void> closed() {
		return closed;
	}

	/**
	 * Writes one JSON-RPC notification to standard output and flushes it.
	 * @throws IOException when standard output is gone: the client did not get it
	 */
	void writeNotification(String method, Object params) throws IOException {
		writeMessage(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION, method, params));
	}

	private void writeMessage(McpSchema.JSONRPCMessage message) throws IOException {
		writeLine(json.writeValueAsString(message)
			// One message per line, whatever the content holds (as the SDK does).
			.replace("\r\n", "\\n")
			.replace("\n", "\\n")
			.replace("\r", "\\n"));
	}

	private void writeLine(String line) throws IOException {
		synchronized (stdout) {
			stdout.write(line.getBytes(StandardCharsets.UTF_8));
			stdout.write('\n');
			stdout.flush();
		}
	}

	@Override
	public void setSessionFactory(McpServerSession.Factory sessionFactory) {
		delegate.setSessionFactory(transport -> sessionFactory.create(new McpServerTransport() {

			/**
			 * Written here, under the monitor of standard output, not through the SDK's
			 * outbound queue: that queue refuses a message offered while another thread
			 * offers one ("Failed to enqueue message"), and the answer to a tool call was
			 * then lost, leaving the client waiting for ever. It happened about once in a
			 * thousand calls under load. This also saves a hop to the SDK's writer
			 * thread.
			 */
			@Override
			public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
				return Mono.defer(() -> {
					try {
						writeMessage(message);
						return Mono.empty();
					}
					catch (IOException ex) {
						return Mono.error(ex);
					}
				});
			}

			@Override
			public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
				return transport.unmarshalFrom(data, typeRef);
			}

			@Override
			public Mono<Void> closeGracefully() {
				return transport.closeGracefully();
			}

			@Override
			public void close() {
				// Called by the SDK's reader thread at end of input.
				transport.close();
				closed.complete(null);
			}

			@Override
			public List<String> protocolVersions() {
				return transport.protocolVersions();
			}

		}));
	}

	@Override
	public Mono<Void> notifyClients(String method, Object params) {
		return delegate.notifyClients(method, params);
	}

	@Override
	public Mono<Void> notifyClient(String sessionId, String method, Object params) {
		return delegate.notifyClient(sessionId, method, params);
	}

	@Override
	public Mono<Void> closeGracefully() {
		return delegate.closeGracefully();
	}

	@Override
	public List<String> protocolVersions() {
		return delegate.protocolVersions();
	}

	/**
	 * Every line the SDK reads from standard input passes through its JSON mapper, so
	 * this one does two things the SDK does not. It watches for
	 * {@code notifications/initialized} (the SDK has no hook for the end of the
	 * handshake). And it answers a line that is not a JSON-RPC message with the JSON-RPC
	 * error for it, then hands the SDK a notification nobody handles: the SDK itself
	 * would end the session on such a line, so one bad line from a client lost every
	 * later call.
	 */
	private final class InboundMapper implements McpJsonMapper {

		/**
		 * Read in place of a line that is not a message: the SDK logs it, nothing else.
		 */
		private static final String UNREADABLE = "{\"jsonrpc\":\"" + McpSchema.JSONRPC_VERSION
				+ "\",\"method\":\"notifications/mycelium/unreadable_line\"}";

		private final McpJsonMapper delegate;

		InboundMapper(McpJsonMapper delegate) {
			this.delegate = delegate;
		}

		/** The SDK reads each line of standard input with this method, and only those. */
		@Override
		public <T> T readValue(String content, TypeRef<T> type) throws IOException {
			if (content.isBlank()) {
				return delegate.readValue(UNREADABLE, type);
			}
			T value;
			try {
				value = delegate.readValue(content, type);
			}
			catch (IOException | RuntimeException ex) {
				refuse(McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the line is not a JSON object.", null);
				return delegate.readValue(UNREADABLE, type);
			}
			if (value instanceof Map<?, ?> message && !message.containsKey("method") && !message.containsKey("result")
					&& !message.containsKey("error")) {
				refuse(McpSchema.ErrorCodes.INVALID_REQUEST,
						"Invalid Request: a JSON-RPC message has a method, a result or an error.", message.get("id"));
				return delegate.readValue(UNREADABLE, type);
			}
			return value;
		}

		/**
		 * A JSON-RPC error answer; its id is null when the line had none (the JSON-RPC
		 * 2.0 rule for errors). Written out here because the SDK's mapper leaves null
		 * members out.
		 */
		private void refuse(int code, String message, Object id) {
			try {
				String idJson = (id instanceof String || id instanceof Number) ? delegate.writeValueAsString(id)
						: "null";
				writeLine(
						"{\"jsonrpc\":\"" + McpSchema.JSONRPC_VERSION + "\",\"id\":" + idJson + ",\"error\":{\"code\":"
								+ code + ",\"message\":" + delegate.writeValueAsString(message) + "}}");
			}
			catch (IOException ex) {
				// Standard output is gone: the session is ending anyway.
			}
		}

		@Override
		public <T> T readValue(String content, Class<T> type) throws IOException {
			return delegate.readValue(content, type);
		}

		@Override
		public <T> T readValue(byte[] content, Class<T> type) throws IOException {
			return delegate.readValue(content, type);
		}

		@Override
		public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
			return delegate.readValue(content, type);
		}

		@Override
		public <T> T convertValue(Object fromValue, Class<T> type) {
			T value = delegate.convertValue(fromValue, type);
			if (value instanceof McpSchema.JSONRPCNotification notification
					&& INITIALIZED.equals(notification.method())) {
				initialized.complete(null);
			}
			return value;
		}

		@Override
		public <T> T convertValue(Object fromValue, TypeRef<T> type) {
			return delegate.convertValue(fromValue, type);
		}

		@Override
		public String writeValueAsString(Object value) throws IOException {
			return delegate.writeValueAsString(value);
		}

		@Override
		public byte[] writeValueAsBytes(Object value) throws IOException {
			return delegate.writeValueAsBytes(value);
		}

	}

}
