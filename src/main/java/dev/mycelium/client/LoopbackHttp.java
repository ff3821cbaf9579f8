package dev.mycelium.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Plain HTTP/1.1 to the broker over sockets, with keep-alive: the broker is on loopback
 * and speaks nothing else, and this is all a client of it needs. Neither JDK client fits
 * a {@code serve} that every session starts: {@code HttpClient} brings 400 classes and
 * sets up TLS even for plain HTTP (start-up time and resident memory in every session),
 * and {@code HttpURLConnection} cannot send {@code PATCH} and sends an empty chunked body
 * on a bodiless {@code DELETE}, which the broker refuses as not JSON. Its callers hand it
 * bytes and header names and values, not Spring's HTTP types: those, and the
 * {@code RestClient} they serve, were about 280 of the classes every session loads.
 * <p>
 * Requests carry a {@code Content-Length}; answers are read whole, with a
 * {@code Content-Length}, chunked or up to the end of the connection. A connection is
 * kept for the next request only while it has been idle for less than
 * {@value #KEEP_IDLE_MILLIS} ms, well within the broker's keep-alive timeout, so a kept
 * connection that fails before any answer arrives belonged to a broker that has since
 * stopped: the request was not processed, and it is sent once more on a new connection
 * (to the broker started in its place, if any). Nothing is ever sent twice to one broker.
 */
final class LoopbackHttp {

	private static final int IDLE_CONNECTIONS = 4;

	/** Tomcat closes keep-alive connections idle for 20 s or more (its defaults). */
	private static final long KEEP_IDLE_MILLIS = 5_000;

	private final String host;

	private final int port;

	private final String hostHeader;

	private final Duration connectTimeout;

	private final Deque<Connection> idle = new ArrayDeque<>();

	LoopbackHttp(URI base, Duration connectTimeout) {
		this.host = base.getHost();
		this.port = base.getPort() < 0 ? 80 : base.getPort();
		this.hostHeader = base.getPort() < 0 ? host : host + ":" + port;
		this.connectTimeout = connectTimeout;
	}

	/**
	 * Four of the broker's heartbeats (every 15 s) missed: it hangs, or the link does.
	 */
	private static final Duration STREAM_SILENCE = Duration.ofMinutes(1);

	/**
	 * Sends a {@code GET} and leaves the connection to the caller: for a stream that the
	 * broker keeps open. Reading it fails after a minute without a byte (not even a
	 * heartbeat), so that a broker that hangs is left and reached again.
	 * @return the status, the headers, and the body as it arrives, open until it is
	 * closed; a refusal (any status but 200) is read whole and its connection closed
	 */
	Answer openStream(String pathAndQuery, Map<String, String> headers) throws IOException {
		return openStream(pathAndQuery, headers, STREAM_SILENCE);
	}

	Answer openStream(String pathAndQuery, Map<String, String> headers, Duration silence) throws IOException {
		Connection connection = connect();
		try {
			connection.socket.setSoTimeout((int) silence.toMillis());
			connection.write("GET", pathAndQuery, headers, new byte[0]);
			Head head = connection.readHead();
			if (head.status() != 200) {
				byte[] content = connection.readBody(head, "GET");
				connection.close();
				return new Answer(head.status(), head.reason(), head.headers(), new ByteArrayInputStream(content));
			}
			InputStream body = Connection.isChunked(head) ? new ChunkedInput(connection.in) : connection.in;
			return new Answer(head.status(), head.reason(), head.headers(), new StreamBody(body, connection.socket));
		}
		catch (IOException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	/**
	 * Sends a request and reads its answer whole.
	 * @param headers sent as they are; {@code Host}, {@code Content-Length},
	 * {@code Transfer-Encoding} and {@code Connection} are this class's to send
	 * @param readTimeout the longest wait for an answer
	 */
	Answer exchange(String method, String pathAndQuery, Map<String, String> headers, byte[] body, Duration readTimeout)
			throws IOException {
		Connection connection = pooled();
		if (connection != null) {
			try {
				return exchange(connection, method, pathAndQuery, headers, body, readTimeout);
			}
			catch (StaleConnectionException ex) {
				// the broker that kept it open has stopped: nothing was processed
			}
		}
		return exchange(connect(), method, pathAndQuery, headers, body, readTimeout);
	}

	private Answer exchange(Connection connection, String method, String pathAndQuery, Map<String, String> headers,
			byte[] body, Duration readTimeout) throws IOException {
		boolean reusable = false;
		try {
			connection.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
			connection.write(method, pathAndQuery, headers, body);
			Head head = connection.readHead();
			byte[] content = connection.readBody(head, method);
			reusable = connection.reusable;
			return new Answer(head.status(), head.reason(), head.headers(), new ByteArrayInputStream(content));
		}
		finally {
			if (reusable) {
				release(connection);
			}
			else {
				connection.close();
			}
		}
	}

	private Connection pooled() {
		while (true) {
			Connection connection;
			synchronized (idle) {
				connection = idle.pollFirst();
			}
			if (connection == null || System.nanoTime() - connection.idleSince < KEEP_IDLE_MILLIS * 1_000_000) {
				return connection;
			}
			connection.close();
		}
	}

	private void release(Connection connection) {
		connection.idleSince = System.nanoTime();
		synchronized (idle) {
			if (idle.size() < IDLE_CONNECTIONS) {
				idle.addFirst(connection);
				return;
			}
		}
		connection.close();
	}

	private Connection connect() throws IOException {
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
			return new Connection(socket, hostHeader);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * An answer; {@code body} is the whole body, or for a stream the body as it arrives,
	 * and then the connection is open until the body is closed.
	 *
	 * @param headers by lower-case name; a header that came more than once has its values
	 * joined by commas
	 */
	record Answer(int status, String reason, Map<String, String> headers, InputStream body) {

		/**
		 * @return the header's value, or {@code null}
		 */
		String header(String name) {
			return headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

	/** The status line and headers of an answer, before its body. */
	private record Head(int status, String reason, Map<String, String> headers) {

		String header(String name) {
			return headers.get(name);
		}

	}

	/**
	 * The connection ended before any answer: on a kept-alive connection, the broker had
	 * closed it while it was idle, so the request was not processed.
	 */
	private static final class StaleConnectionException extends IOException {

		StaleConnectionException(IOException cause) {
			super("the broker closed the connection without answering (" + cause.getMessage() + ")", cause);
		}

	}

	private static final class Connection {

		private final Socket socket;

		private final String hostHeader;

		private final BufferedInputStream in;

		private final OutputStream out;

		private boolean used;

		private boolean reusable = true;

		private long idleSince;

		Connection(Socket socket, String hostHeader) throws IOException {
			this.socket = socket;
			this.hostHeader = hostHeader;
			this.in = new BufferedInputStream(socket.getInputStream(), 8192);
			this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
		}

		void write(String method, String pathAndQuery, Map<String, String> headers, byte[] body) throws IOException {
			StringBuilder head = new StringBuilder(256).append(method)
				.append(' ')
				.append(pathAndQuery)
				.append(" HTTP/1.1\r\nHost: ")
				.append(hostHeader)
				.append("\r\n");
			for (Map.Entry<String, String> header : headers.entrySet()) {
				String name = header.getKey();
				if (name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Content-Length")
						|| name.equalsIgnoreCase("Transfer-Encoding") || name.equalsIgnoreCase("Connection")) {
					continue;
				}
				head.append(checked(name)).append(": ").append(checked(header.getValue())).append("\r\n");
			}
			if (body.length > 0 || !method.equals("GET")) {
				head.append("Content-Length: ").append(body.length).append("\r\n");
			}
			head.append("\r\n");
			boolean reused = used;
			used = true;
			try {
				out.write(head.toString().getBytes(StandardCharsets.UTF_8));
				out.write(body);
				out.flush();
			}
			catch (IOException ex) {
				throw reused ? new StaleConnectionException(ex) : ex;
			}
		}

		/** A line break in a header would start another header, or another request. */
		private static String checked(String text) {
			if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
				throw new IllegalArgumentException("A header may not contain a line break");
			}
			return text;
		}

		Head readHead() throws IOException {
			String statusLine;
			try {
				statusLine = line(true);
			}
			catch (SocketTimeoutException ex) {
				throw ex;
			}
			catch (IOException ex) {
				throw new StaleConnectionException(ex);
			}
			if (statusLine == null) {
				throw new StaleConnectionException(new EOFException("end of input"));
			}
			if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
				throw new IOException("Not an HTTP answer: " + statusLine);
			}
			int status;
			try {
				status = Integer.parseInt(statusLine.substring(9, 12));
			}
			catch (NumberFormatException ex) {
				throw new IOException("Not an HTTP answer: " + statusLine, ex);
			}
			String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
			Map<String, String> headers = new HashMap<>();
			for (String line = line(false); !line.isEmpty(); line = line(false)) {
				int colon = line.indexOf(':');
				if (colon > 0) {
					String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
					String value = line.substring(colon + 1).trim();
					String earlier = headers.put(name, value);
					if (earlier != null) {
						headers.put(name, earlier + ", " + value);
					}
				}
			}
			String connection = headers.get("connection");
			if (connection != null && connection.toLowerCase(Locale.ROOT).contains("close")) {
				reusable = false;
			}
			return new Head(status, reason, headers);
		}

		byte[] readBody(Head head, String method) throws IOException {
			int status = head.status();
			if (method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
				return new byte[0];
			}
			if (isChunked(head)) {
				return new ChunkedInput(in).readAllBytes();
			}
			long length = contentLength(head);
			if (length >= 0) {
				byte[] content = in.readNBytes((int) length);
				if (content.length < length) {
					throw new EOFException("The broker closed the connection in the middle of an answer");
				}
				return content;
			}
			reusable = false;
			return in.readAllBytes();
		}

		private static boolean isChunked(Head head) {
			String encoding = head.header("transfer-encoding");
			return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
		}

		/**
		 * @return the declared length, or -1 without one
		 */
		private static long contentLength(Head head) throws IOException {
			String length = head.header("content-length");
			if (length == null) {
				return -1;
			}
			try {
				return Long.parseLong(length);
			}
			catch (NumberFormatException ex) {
				throw new IOException("Not a Content-Length: " + length, ex);
			}
		}

		/**
		 * @return the line without its CR LF; {@code null} at the end of input if allowed
		 */
		private String line(boolean endAllowed) throws IOException {
			return readLine(in, endAllowed);
		}

		void close() {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closing: nothing left to do with it
			}
		}

	}

	private static String readLine(InputStream in, boolean endAllowed) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(64);
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				if (endAllowed && line.size() == 0) {
					return null;
				}
				throw new EOFException("The broker closed the connection in the middle of an answer");
			}
			if (line.size() > 16 * 1024) {
				throw new IOException("An answer line longer than 16 KB");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	/** A chunked body as plain bytes; ends after the last chunk. */
	private static final class ChunkedInput extends InputStream {

		private final InputStream in;

		private int left;

		private boolean done;

		ChunkedInput(InputStream in) {
			this.in = in;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			if (left == 0 && !nextChunk()) {
				return -1;
			}
			int read = in.read(buffer, offset, Math.min(length, left));
			if (read < 0) {
				throw new EOFException("The broker closed the connection in the middle of a chunk");
			}
			left -= read;
			if (left == 0) {
				readLine(in, false);
			}
			return read;
		}

		private boolean nextChunk() throws IOException {
			if (done) {
				return false;
			}
			String line = readLine(in, true);
			if (line == null) {
				throw new EOFException("The broker closed the connection in the middle of an answer");
			}
			int extension = line.indexOf(';');
			try {
				left = Integer.parseInt((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
			}
			catch (NumberFormatException ex) {
				throw new IOException("Not a chunk size: " + line, ex);
			}
			if (left == 0) {
				// trailers, up to the empty line
				for (String trailer = readLine(in, false); !trailer.isEmpty(); trailer = readLine(in, false)) {
					// none expected
				}
				done = true;
				return false;
			}
			return true;
		}

	}

	/** A stream's body: closing it closes its connection, from any thread. */
	private static final class StreamBody extends InputStream {

		private final InputStream body;

		private final Socket socket;

		StreamBody(InputStream body, Socket socket) {
			this.body = body;
			this.socket = socket;
		}

		@Override
		public int read() throws IOException {
			return body.read();
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			return body.read(buffer, offset, length);
		}

		@Override
		public void close() throws IOException {
			socket.close();
		}

	}

}
