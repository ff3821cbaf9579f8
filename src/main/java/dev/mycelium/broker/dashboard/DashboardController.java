package dev.mycelium.broker.dashboard;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.ResponseStatus;

import dev.mycelium.protocol.DashboardLogin;
import dev.mycelium.protocol.Headers;

/**
 * The page at {@code /}, the login that turns a one-time code into a session cookie, and
 * the route {@code mycelium dashboard} asks for a code on (with the token, like every
 * route of the API).
 */
@Controller
class DashboardController {

	private static final Logger log = LoggerFactory.getLogger(DashboardController.class);

	/**
	 * The same page whatever happens: it holds no data, and shows what its API calls
	 * allow (the dashboard, or how to sign in).
	 */
	private static final Resource PAGE = new ClassPathResource("dashboard/index.html");

	private final DashboardSessions sessions;

	DashboardController(DashboardSessions sessions) {
		this.sessions = sessions;
	}

	@GetMapping("/")
	ResponseEntity<Resource> page() {
		return page(HttpStatus.OK);
	}

	/**
	 * A code that works opens a session and leads to the page (so that the code leaves
	 * the address bar); one that does not shows the page, which then says how to get a
	 * new one. The code never goes into a log line.
	 */
	@GetMapping("/login")
	ResponseEntity<Resource> login(@RequestParam(required = false) String code, HttpServletRequest request) {
		Optional<DashboardSessions.Session> session = sessions.redeem(code);
		if (session.isEmpty()) {
			log.info("Dashboard login refused: the code is unknown, used or expired");
			return page(HttpStatus.UNAUTHORIZED);
		}
		// A browser signing in again gives up its previous session.
		sessions.signOut(DashboardAccess.sessionToken(request));
		ResponseCookie cookie = ResponseCookie.from(DashboardAccess.cookieName(request), session.get().token())
			.path("/")
			.httpOnly(true)
			.sameSite("Strict")
			.maxAge(session.get().lifetime())
			.build();
		log.info("Dashboard: a browser signed in for {}", session.get().lifetime());
		return ResponseEntity.status(HttpStatus.SEE_OTHER)
			.location(URI.create("/"))
			.header(HttpHeaders.SET_COOKIE, cookie.toString())
			.cacheControl(CacheControl.noStore())
			.build();
	}

	/**
	 * A code for {@code mycelium dashboard}: only the person at the terminal gets one
	 * (the token without a peer secret), as a session may send messages as them.
	 */
	@PostMapping("/api/dashboard/login-codes")
	@ResponseStatus(HttpStatus.CREATED)
	@ResponseBody
	DashboardLogin loginCode(HttpServletRequest request) {
		if (request.getHeader(Headers.PEER_SECRET) != null) {
			// The broker's ProblemHandler turns this into the same problem detail as its
			// own refusals (BrokerException is the broker package's own).
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN,
					"Only the person at the terminal can open the dashboard (the token without a peer secret): run 'mycelium dashboard'.");
			problem.setProperty("code", "forbidden");
			throw new ErrorResponseException(HttpStatus.FORBIDDEN, problem, null);
		}
		DashboardSessions.Code code = sessions.issueCode();
		log.info("Dashboard login code issued, valid until {}", code.expiresAt());
		return new DashboardLogin(code.code(), "/login?code=" + code.code(), code.expiresAt());
	}

	private static ResponseEntity<Resource> page(HttpStatus status) {
		return ResponseEntity.status(status)
			.contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
			.cacheControl(CacheControl.noCache())
			.body(PAGE);
	}

}
