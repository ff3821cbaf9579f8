package dev.mycelium.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.mycelium.broker.store.StoreUnavailableException;
import dev.mycelium.protocol.Headers;

/**
 * Every request passes here before anything else reads it, in this order: a loopback
 * {@code Host} (defeats DNS rebinding), no {@code Origin} (no web page may talk to the
 * broker, and no CORS header is ever sent), then for everything but health: the bearer
 * token, the optional peer secret, a JSON content type and a size limit enforced while
 * the body streams in, so that a huge body is never buffered. The one exception is the
 * dashboard's ({@link BrowserAccess}): its pages, and its signed-in browser on its own
 * origin, need no token.
 */
final class RequestGuardFilter extends OncePerRequestFilter {

	private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

	/**
	 * Hook events are forwarded whole, tool output included (a file read, a long build
	 * log); the broker reads only a few fields and skips the rest as it streams by.
	 */
	private static final long MAX_HOOK_EVENT_BYTES = 16 * 1024 * 1024;

	private static final String HOOKS = "/api/hooks";

	private final byte[] token;

	private final BrokerOperations broker;

	private final long maxRequestBytes;

	private final Set<String> allowedHosts;

	private final BrowserAccess browsers;

	RequestGuardFilter(String token, BrokerOperations broker, long maxRequestBytes, Optional<String> remoteHost,
			BrowserAccess browsers) {
		this.browsers = browsers;
		this.token = token.getBytes(StandardCharsets.UTF_8);
		this.broker = broker;
		this.maxRequestBytes = maxRequestBytes;
		this.allowedHosts = remoteHost.map(host -> union(LOOPBACK_HOSTS, host.toLowerCase(Locale.ROOT)))
			.orElse(LOOPBACK_HOSTS);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!allowedHosts.contains(hostName(request.getHeader(HttpHeaders.HOST)))) {
			reject(response, HttpStatus.FORBIDDEN, "forbidden_host",
					"The broker only answers requests addressed to localhost, 127.0.0.1 or [::1].");
			return;
		}
		BrowserAccess.Admission admission = browsers.admit(request, response);
		if (admission == BrowserAccess.Admission.ORDINARY && request.getHeader(HttpHeaders.ORIGIN) != null) {
			reject(response, HttpStatus.FORBIDDEN, "forbidden_origin",
					"Requests from web pages (with an Origin header) are refused: use the mycelium CLI, curl or an MCP session.");
			return;
		}
		String path = request.getRequestURI().substring(request.getContextPath().length());
		if (path.equals("/actuator/health") || admission == BrowserAccess.Admission.PAGE) {
			chain.doFilter(request, response);
			return;
		}
		boolean browser = admission == BrowserAccess.Admission.OPERATOR;
		if (!browser && !hasToken(request.getHeader(HttpHeaders.AUTHORIZATION))) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
			reject(response, HttpStatus.UNAUTHORIZED, "unauthorized",
					"Send 'Authorization: Bearer <token>' with the token from MYCELIUM_HOME/token.");
			return;
		}
		Caller caller = Caller.operator();
		String secret = browser ? null : request.getHeader(Headers.PEER_SECRET);
		if (secret != null) {
			Optional<Caller> peer;
			try {
				peer = broker.authenticate(secret);
			}
			catch (StoreUnavailableException ex) {
				response.setHeader(HttpHeaders.RETRY_AFTER, "5");
				reject(response, HttpStatus.SERVICE_UNAVAILABLE, BrokerException.Reason.STORE_UNAVAILABLE.code,
						ex.getMessage());
				return;
			}
			if (peer.isEmpty()) {
				reject(response, HttpStatus.UNAUTHORIZED, "unknown_peer",
						"This peer secret is not known (the peer left or the broker restarted): register again.");
				return;
			}
			caller = peer.get();
		}
		if (hasBody(request)) {
			if (!isJson(request.getContentType())) {
				reject(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
						"Send the body as JSON with 'Content-Type: application/json'.");
				return;
			}
			long limit = path.equals(HOOKS) ? MAX_HOOK_EVENT_BYTES : maxRequestBytes;
			if (request.getContentLengthLong() > limit) {
				reject(response, HttpStatus.CONTENT_TOO_LARGE, "too_large", "The request is "
						+ request.getContentLengthLong() + " bytes; the limit is " + limit + " bytes.");
				return;
			}
			request = new SizeLimitedRequest(request, limit);
		}
		request.setAttribute(Caller.ATTRIBUTE, caller);
		chain.doFilter(request, response);
	}

	private boolean hasToken(String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return false;
		}
		byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
		return MessageDigest.isEqual(presented, token);
	}

	private void reject(HttpServletResponse response, HttpStatus status, String code, String detail)
			throws IOException {
		ProblemDetails.write(response, status, code, detail);
	}

	/** {@code localhost:7890} → {@code localhost}; {@code [::1]:7890} → {@code [::1]}. */
	static String hostName(String hostHeader) {
		if (hostHeader == null) {
			return "";
		}
		String host = hostHeader.trim().toLowerCase(Locale.ROOT);
		int portSeparator = host.lastIndexOf(':');
		if (portSeparator > host.lastIndexOf(']')) {
			host = host.substring(0, portSeparator);
		}
		return host;
	}

	private static boolean hasBody(HttpServletRequest request) {
		return request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
	}

	private static boolean isJson(String contentType) {
		if (contentType == null) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			return MediaType.APPLICATION_JSON.isCompatibleWith(type) && !type.isWildcardSubtype();
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static Set<String> union(Set<String> hosts, String host) {
		Set<String> all = new HashSet<>(hosts);
		all.add(host);
		return Set.copyOf(all);
	}

	/** Thrown while reading a streamed body that grows past the limit. */
	static final class RequestTooLargeException extends IOException {

		RequestTooLargeException(long limit) {
			super("The request body is larger than " + limit + " bytes.");
		}

	}

	/** Counts the bytes of a body as they are read, and stops at the limit. */
	private static final class SizeLimitedRequest extends HttpServletRequestWrapper {

		private final long limit;

		private ServletInputStream stream;

		SizeLimitedRequest(HttpServletRequest request, long limit) {
			super(request);
			this.limit = limit;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (stream == null) {
				stream = new LimitedStream(super.getInputStream(), limit);
			}
			return stream;
		}

	}

	private static final class LimitedStream extends ServletInputStream {

		private final ServletInputStream delegate;

		private final long limit;

		private long count;

		LimitedStream(ServletInputStream delegate, long limit) {
			this.delegate = delegate;
			this.limit = limit;
		}

		@Override
		public int read() throws IOException {
			int b = delegate.read();
			if (b >= 0) {
				count(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int read = delegate.read(buffer, offset, length);
			if (read > 0) {
				count(read);
			}
			return read;
		}

		private void count(int read) throws RequestTooLargeException {
			count += read;
			if (count > limit) {
				throw new RequestTooLargeException(limit);
			}
		}

		@Override
		public boolean isFinished() {
			return delegate.isFinished();
		}

		@Override
		public boolean isReady() {
			return delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			delegate.setReadListener(listener);
		}

	}

}
