package dev.mycelium.broker;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.exc.InvalidFormatException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.mycelium.broker.BrokerException.Reason;
import dev.mycelium.broker.store.StoreUnavailableException;

/**
 * Turns every failure into an RFC 9457 problem detail with one sentence a person can act
 * on and a stable {@code code} property for scripts.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

	@ExceptionHandler(BrokerException.class)
	ResponseEntity<ProblemDetail> refused(BrokerException ex) {
		return ResponseEntity.status(ex.reason().status)
			.body(ProblemDetails.of(ex.reason().status, ex.reason().code, ex.getMessage()));
	}

	@ExceptionHandler(StoreUnavailableException.class)
	ResponseEntity<ProblemDetail> storeUnavailable(StoreUnavailableException ex) {
		Reason reason = Reason.STORE_UNAVAILABLE;
		return ResponseEntity.status(reason.status)
			.header(HttpHeaders.RETRY_AFTER, "5")
			.body(ProblemDetails.of(reason.status, reason.code, ex.getMessage()));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> unexpected(Exception ex) {
		log.error("Unexpected failure", ex);
		return ResponseEntity.internalServerError()
			.body(ProblemDetails.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
					"The broker failed unexpectedly; see MYCELIUM_HOME/broker.log."));
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RequestGuardFilter.RequestTooLargeException tooLarge) {
				return problem(HttpStatus.CONTENT_TOO_LARGE, "too_large", tooLarge.getMessage());
			}
			if (cause instanceof InvalidFormatException invalid && invalid.getTargetType() == String.class) {
				return problem(HttpStatus.BAD_REQUEST, "invalid_text", invalid.getOriginalMessage() + ".");
			}
			if (cause instanceof IllegalArgumentException invalid && invalid.getMessage() != null) {
				return problem(HttpStatus.BAD_REQUEST, "invalid_request", invalid.getMessage() + ".");
			}
		}
		String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
				? "The request needs a JSON body." : "The request body is not valid JSON for this route.";
		return problem(HttpStatus.BAD_REQUEST, "malformed_json", detail);
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldError> errors = ex.getBindingResult().getFieldErrors();
		boolean allSayTheirField = errors.stream().allMatch(error -> message(error).startsWith(field(error) + " "));
		String detail = errors.stream()
			.map(error -> allSayTheirField ? message(error) : field(error) + ": " + message(error))
			.sorted()
			.collect(Collectors.joining("; "));
		return problem(HttpStatus.BAD_REQUEST, "invalid_request",
				(allSayTheirField ? "" : "Invalid request: ") + detail + ".");
	}

	/** The field as the JSON spells it: {@code reply_to}, not {@code replyTo}. */
	private static String field(FieldError error) {
		return error.getField().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
	}

	/** A constraint's message that starts with its field is a whole sentence. */
	private static String message(FieldError error) {
		return String.valueOf(error.getDefaultMessage());
	}

	@Override
	protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		return problem(HttpStatus.NOT_FOUND, "no_such_route",
				"There is no " + ex.getHttpMethod() + " /" + ex.getResourcePath() + "; the README lists the routes.");
	}

	@Override
	protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String name = ex.getPropertyName() != null ? ex.getPropertyName() : "a parameter";
		Class<?> type = ex.getRequiredType();
		boolean number = type != null && (type.isPrimitive() || Number.class.isAssignableFrom(type));
		return problem(HttpStatus.BAD_REQUEST, "invalid_request",
				name + " must be " + (number ? "a number" : "a valid value") + ", not '" + ex.getValue() + "'.");
	}

	/** Gives the problems Spring MVC creates itself (404, 405, 415…) a code as well. */
	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, @Nullable Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		if (body == null && ex instanceof ErrorResponse response) {
			// Spring's own errors (405, 406, a missing parameter) come without a body;
			// Spring would make the same one later, without the code scripts rely on.
			body = response.updateAndGetBody(getMessageSource(), LocaleContextHolder.getLocale());
		}
		if (body instanceof ProblemDetail problem
				&& (problem.getProperties() == null || !problem.getProperties().containsKey("code"))) {
			HttpStatus status = HttpStatus.resolve(statusCode.value());
			problem.setProperty("code", status == null ? "error" : status.name().toLowerCase(Locale.ROOT));
		}
		return super.handleExceptionInternal(ex, body, headers, statusCode, request);
	}

	private static ResponseEntity<Object> problem(HttpStatus status, String code, String detail) {
		return ResponseEntity.status(status).body(ProblemDetails.of(status, code, detail));
	}

}
