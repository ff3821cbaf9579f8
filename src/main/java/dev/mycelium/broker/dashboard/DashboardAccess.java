package dev.mycelium.broker.dashboard;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;

import dev.mycelium.broker.BrowserAccess;
import dev.mycelium.protocol.Headers;

/**
 * The dashboard's exception to the broker's security rules, and nothing more. Its pages
 * need no token (they hold no data: everything comes from the API), and may come with the
 * broker's own {@code Origin} (Chrome sends it with module scripts). A browser with a
 * session cookie may use the few routes the page reads, and send a message as the
 * operator, but only from the broker's own origin ({@code Origin} is sent on the page's
 * own POSTs) or with no {@code Origin} at all: any other origin gets the broker's usual
 * 403, cookie or not, since {@code SameSite} alone does not keep out a page on another
 * port of localhost (the same site). Every dashboard answer carries a strict
 * Content-Security-Policy.
 */
final class DashboardAccess implements BrowserAccess {

	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

	/**
	 * The cookie's name: cookies ignore ports, and each broker of localhost has its own.
	 */
	static final String COOKIE_PREFIX = "mycelium-dashboard-";

	/**
	 * A peer name, id, or task id in a path: nothing that could climb out of the route.
	 */
	private static final String SEGMENT = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}";

	private static final Pattern ASSET = Pattern.compile("/dashboard/[a-z0-9-]{1,64}\\.(?:js|css|svg)");

	/** What the page uses, and all that a session may do. */
	private static final List<Route> SIGNED_IN_ROUTES = List.of(new Route("GET", "/api/broker"),
			new Route("GET", "/api/peers"), new Route("GET", "/api/peers/" + SEGMENT), new Route("GET", "/api/topics"),
			new Route("GET", "/api/tasks"), new Route("GET", "/api/tasks/" + SEGMENT), new Route("GET", "/api/claims"),
			new Route("GET", "/api/events"), new Route("POST", "/api/peers/" + SEGMENT + "/messages"));

	private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

	private final DashboardSessions sessions;

	DashboardAccess(DashboardSessions sessions) {
		this.sessions = sessions;
	}

	@Override
	public Admission admit(HttpServletRequest request, HttpServletResponse response) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		String origin = request.getHeader(HttpHeaders.ORIGIN);
		if (isPage(path)) {
			secureHeaders(response);
			boolean read = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
			// Chrome sends Origin with the page's own module scripts, signed in or not.
			return read && (origin == null || isOwnOrigin(origin, request)) ? Admission.PAGE : Admission.ORDINARY;
		}
		// Clients of the API (serve, the CLI) send no cookie: they are done with here.
		if (request.getHeader(HttpHeaders.COOKIE) == null || !path.startsWith("/api/")
				|| request.getHeader(HttpHeaders.AUTHORIZATION) != null
				|| request.getHeader(Headers.PEER_SECRET) != null) {
			return Admission.ORDINARY;
		}
		if (SIGNED_IN_ROUTES.stream().noneMatch(route -> route.matches(request.getMethod(), path))
				|| !isSignedIn(request)) {
			return Admission.ORDINARY;
		}
		secureHeaders(response);
		if (origin != null && !isOwnOrigin(origin, request)) {
			return Admission.ORDINARY;
		}
		// A browser says where a request comes from; only the page itself may use its
		// session.
		String site = request.getHeader("Sec-Fetch-Site");
		if (site != null && !site.equals("same-origin")) {
			return Admission.ORDINARY;
		}
		return Admission.OPERATOR;
	}

	static boolean isPage(String path) {
		return path.equals("/") || path.equals("/login") || ASSET.matcher(path).matches();
	}

	static String cookieName(HttpServletRequest request) {
		return COOKIE_PREFIX + request.getLocalPort();
	}

	/** The session token the request's cookie carries, or {@code null}. */
	static String sessionToken(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies == null) {
			return null;
		}
		String name = cookieName(request);
		for (Cookie cookie : cookies) {
			if (cookie.getName().equals(name)) {
				return cookie.getValue();
			}
		}
		return null;
	}

	private boolean isSignedIn(HttpServletRequest request) {
		return sessions.isSignedIn(sessionToken(request));
	}

	/**
	 * The broker's own origin: a loopback name (the Host rule allows no other) and the
	 * port this request came in on.
	 */
	private static boolean isOwnOrigin(String origin, HttpServletRequest request) {
		String prefix = "http://";
		String suffix = ":" + request.getLocalPort();
		return origin.startsWith(prefix) && origin.endsWith(suffix)
				&& LOOPBACK_NAMES.contains(origin.substring(prefix.length(), origin.length() - suffix.length()));
	}

	private static void secureHeaders(HttpServletResponse response) {
		response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Referrer-Policy", "no-referrer");
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
		response.setHeader("Cross-Origin-Resource-Policy", "same-origin");
	}

	private record Route(String method, Pattern path) {

		Route(String method, String path) {
			this(method, Pattern.compile(path));
		}

		boolean matches(String requestMethod, String requestPath) {
			return method.equals(requestMethod) && path.matcher(requestPath).matches();
		}

	}

}
