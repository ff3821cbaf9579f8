package dev.mycelium.serve;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

/**
 * The inbox socket of the Claude Code session that started this {@code serve}: Claude
 * Code binds one per session and gives its children the path and a token
 * ({@code CLAUDE_CODE_MESSAGING_SOCKET}, {@code CLAUDE_CODE_MESSAGING_TOKEN}). A client
 * writes an auth line, then a user message queued next; an idle session starts a turn
 * with it, a busy one reads it between tool calls. Claude Code answers nothing on the
 * socket, so a write that succeeded says only that the frame went out: whether it reached
 * the model is read from the session's transcript ({@link TranscriptWatch}). The frame's
 * shape is not in Claude Code's documentation; it is checked by the end-to-end tests
 * against the pinned Claude Code version.
 */
final class InboxSocket {

	static final String SOCKET_VARIABLE = "CLAUDE_CODE_MESSAGING_SOCKET";

	static final String TOKEN_VARIABLE = "CLAUDE_CODE_MESSAGING_TOKEN";

	private final Path path;

	private final String token;

	private final JsonMapper json;

	private InboxSocket(Path path, String token, JsonMapper json) {
		this.path = path;
		this.token = token;
		this.json = json;
	}

	/** The session's socket, when Claude Code offers one. */
	static Optional<InboxSocket> of(Map<String, String> environment, JsonMapper json) {
		String socket = environment.get(SOCKET_VARIABLE);
		String token = environment.get(TOKEN_VARIABLE);
		if (socket == null || socket.isBlank() || token == null || token.isBlank()) {
			return Optional.empty();
		}
		return Optional.of(new InboxSocket(Path.of(socket), token.strip(), json));
	}

	Path path() {
		return path;
	}

	/**
	 * The start-up check: the socket exists and accepts a connection and the auth line.
	 * It cannot tell a wrong token (Claude Code drops such frames without a word); the
	 * first delivery's confirmation does.
	 * @throws IOException when the socket cannot be used
	 */
	void check() throws IOException {
		if (!Files.exists(path)) {
			throw new IOException("no socket at " + path);
		}
		try (SocketChannel channel = connect()) {
			write(channel, authLine());
		}
	}

	/**
	 * Writes {@code text} as one user message, queued next in the session.
	 * @param frameId the frame's id, which Claude Code records in the transcript once the
	 * message is in the conversation
	 */
	void deliver(String text, UUID frameId) throws IOException {
		Map<String, Object> frame = new LinkedHashMap<>();
		frame.put("msgV", 1);
		frame.put("msg_id", frameId.toString());
		frame.put("type", "user");
		frame.put("message", Map.of("role", "user", "content", text));
		frame.put("priority", "next");
		try (SocketChannel channel = connect()) {
			write(channel, authLine() + json.writeValueAsString(frame) + "\n");
		}
	}

	private String authLine() {
		return json.writeValueAsString(Map.of("type", "auth", "token", token)) + "\n";
	}

	private SocketChannel connect() throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.connect(UnixDomainSocketAddress.of(path));
			return channel;
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex instanceof IOException io ? io : new IOException(ex.getMessage(), ex);
		}
	}

	private static void write(SocketChannel channel, String lines) throws IOException {
		ByteBuffer bytes = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
		while (bytes.hasRemaining()) {
			channel.write(bytes);
		}
	}

}
