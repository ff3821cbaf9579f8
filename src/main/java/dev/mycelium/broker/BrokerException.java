package dev.mycelium.broker;

import org.springframework.http.HttpStatus;

/**
 * A request the broker refuses, with one sentence saying what was wrong and what to do.
 * It becomes an RFC 9457 problem detail with the reason's status and code.
 */
final class BrokerException extends RuntimeException {

	private final Reason reason;

	BrokerException(Reason reason, String detail) {
		super(detail);
		this.reason = reason;
	}

	Reason reason() {
		return reason;
	}

	enum Reason {

		INVALID(HttpStatus.BAD_REQUEST, "invalid_request"), UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized"),
		FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden"), NOT_FOUND(HttpStatus.NOT_FOUND, "not_found"),
		CONFLICT(HttpStatus.CONFLICT, "conflict"), TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "too_large"),
		INBOX_FULL(HttpStatus.TOO_MANY_REQUESTS, "inbox_full"),
		/**
		 * The store cannot take a change now (full disk, read-only file): nothing
		 * changed.
		 */
		STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "store_unavailable");

		final HttpStatus status;

		/**
		 * A stable, machine-readable name, sent as the problem's {@code code} property.
		 */
		final String code;

		Reason(HttpStatus status, String code) {
			this.status = status;
			this.code = code;
		}

	}

}
