package dev.mycelium.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.mcp.customizer.McpSyncServerCustomizer;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import dev.mycelium.client.BrokerClient;
import dev.mycelium.client.BrokerStarter;
import dev.mycelium.protocol.Message;

/** The serve profile: one stdio MCP server for one Claude Code session. */
@Configuration(proxyBeanMethods = false)
@Profile("serve")
public class ServeConfiguration {

	/** Replaces the auto-configured transport, to learn when standard input closes. */
	@Bean
	StdioSessionTransport stdioServerTransport(@Qualifier("mcpServerJsonMapper") JsonMapper json) {
		return new StdioSessionTransport(new JacksonMcpJsonMapper(json));
	}

	/**
	 * Declares the Claude Code channel capability; the auto-configuration adds tools to
	 * this builder (a server customizer would replace the capabilities instead).
	 */
	@Bean
	McpSchema.ServerCapabilities.Builder capabilitiesBuilder() {
		return McpSchema.ServerCapabilities.builder().experimental(Map.of("claude/channel", Map.of()));
	}

	/**
	 * Tool arguments are checked by {@link ToolArgumentsCheck} (one clear sentence per
	 * refusal), not by the SDK's JSON Schema library.
	 */
	@Bean
	McpSyncServerCustomizer toolArgumentsCheck() {
		return server -> server.jsonSchemaValidator(new ToolArgumentsCheck());
	}

	@Bean
	PeerSession peerSession(BrokerClient client, BrokerStarter starter) {
		return new PeerSession(client, starter, new GitWorkspace(workingDirectory()), System.getenv());
	}

	@Bean
	MyceliumTools myceliumTools(BrokerClient client, PeerSession session, InboxDelivery delivery) {
		return new MyceliumTools(client, session, delivery);
	}

	@Bean
	ToolCallbackProvider myceliumToolCallbacks(MyceliumTools tools, PeerSession session, JsonMapper json) {
		ToolCallback[] callbacks = ToolSchemas.callbacks(tools, json);
		return ToolCallbackProvider.from(Arrays.stream(callbacks)
			.map(callback -> (ToolCallback) new UnreadNoticeToolCallback(callback, () -> unreadNotice(session)))
			.toArray(ToolCallback[]::new));
	}

	/**
	 * Claude Code's inbox socket whenever it offers one; channel notifications only with
	 * {@code --channel}.
	 */
	@Bean
	InboxDelivery inboxDelivery(PeerSession session, BrokerClient client, StdioSessionTransport transport,
			JsonMapper json, ApplicationArguments arguments) {
		Map<String, String> environment = System.getenv();
		return new InboxDelivery(session, client, transport, json, InboxSocket.of(environment, json),
				TranscriptWatch.of(environment, workingDirectory()), arguments.containsOption("channel"));
	}

	@Bean(destroyMethod = "close")
	ServeLifecycle serveLifecycle(PeerSession session, StdioSessionTransport transport, InboxDelivery delivery,
			@Value("${mycelium.serve.heartbeat-interval:10s}") Duration heartbeatInterval) {
		return new ServeLifecycle(session, transport, delivery, heartbeatInterval);
	}

	private static Path workingDirectory() {
		return Path.of(System.getProperty("user.dir"));
	}

	/**
	 * {@code 2 unread messages from backend, lead — call sense}, or nothing; before it,
	 * once, the list of messages lost with a broker that died. Messages on their way in
	 * through the inbox socket are not counted: the session is about to read them.
	 */
	static String unreadNotice(PeerSession session) {
		String lost = session.takeLostNotice();
		String unread = unreadLine(session);
		return lost == null ? unread : unread == null ? lost : lost + "\n" + unread;
	}

	private static String unreadLine(PeerSession session) {
		List<Message> unread;
		try {
			unread = session.unreadNotHeld();
		}
		catch (RuntimeException ex) {
			return null;
		}
		if (unread.isEmpty()) {
			return null;
		}
		String senders = unread.stream().map(Message::from).distinct().collect(Collectors.joining(", "));
		return unread.size() + (unread.size() == 1 ? " unread message" : " unread messages") + " from " + senders
				+ " — call sense";
	}

}
