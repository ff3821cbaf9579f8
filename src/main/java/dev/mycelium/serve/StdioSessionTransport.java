package dev.mycelium.serve;

import java.util.List;
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
 * The SDK's stdio transport, plus what it does not offer: {@link #closed()} completes
 * when the client closes standard input, so that {@code serve} can exit and deregister.
 * The SDK closes its session on end of input but has no hook for it; this provider wraps
 * each session's transport to see that moment. A shutdown that Spring starts (a signal)
 * is not a close.
 */
final class StdioSessionTransport implements McpServerTransportProvider {

	private final StdioServerTransportProvider delegate;

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	StdioSessionTransport(McpJsonMapper json) {
		this.delegate = new StdioServerTransportProvider(json);
	}

	CompletableFuture<Void> closed() {
		return closed;
	}

	@Override
	public void setSessionFactory(McpServerSession.Factory sessionFactory) {
		delegate.setSessionFactory(transport -> sessionFactory.create(new McpServerTransport() {

			@Override
			public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
				return transport.sendMessage(message);
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

}
