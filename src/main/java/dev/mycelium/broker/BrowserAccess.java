package dev.mycelium.broker;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What a browser may do without the token: the one exception to the security filter's
 * rules, made by the dashboard ({@code dev.mycelium.broker.dashboard}). The filter asks
 * after the Host check and before everything else; without a dashboard every request is
 * {@link Admission#ORDINARY}.
 */
public interface BrowserAccess {

	/** Nothing is admitted: the filter's own rules apply to every request. */
	BrowserAccess NONE = (request, response) -> Admission.ORDINARY;

	/**
	 * Decides how the filter treats the request; may set response headers (the
	 * dashboard's security headers), never the status or body.
	 */
	Admission admit(HttpServletRequest request, HttpServletResponse response);

	/** How the security filter treats a request. */
	enum Admission {

		/** The filter's own rules: no {@code Origin}, the bearer token. */
		ORDINARY,

		/**
		 * A page of the dashboard (the page itself, its scripts and styles, the login):
		 * served without the token, as it holds no data.
		 */
		PAGE,

		/**
		 * A request of a signed-in dashboard, on a route it may use, from the broker's
		 * own origin or none: served as the operator, without the token.
		 */
		OPERATOR

	}

}
