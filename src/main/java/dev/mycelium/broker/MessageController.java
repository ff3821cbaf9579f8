package dev.mycelium.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.mycelium.broker.BrokerException.Reason;
import dev.mycelium.protocol.Acknowledgement;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;

/**
 * A peer's inbox: direct messages in, unread messages out (long-poll), acknowledgements.
 */
@RestController
@RequestMapping("/api/peers/{peer}/messages")
class MessageController {

	/**
	 * How long after a long-poll's own end the servlet container's timeout would end it.
	 */
	private static final Duration CONTAINER_TIMEOUT_GUARD = Duration.ofSeconds(30);

	private final BrokerOperations broker;

	private final Duration maxWait;

	MessageController(BrokerOperations broker, BrokerProperties properties) {
		this.broker = broker;
		this.maxWait = properties.limits().maxWait();
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	Message send(@PathVariable String peer, @Valid @RequestBody DirectMessage message, Caller caller) {
		return broker.send(caller, peer, message);
	}

	/**
	 * The unread inbox, oldest first; nothing is acknowledged. Answered on the request
	 * thread: this is the hot path of {@code sense} and of the unread notice after every
	 * tool call, and an asynchronous answer would cost a second dispatch.
	 */
	@GetMapping(params = "!wait")
	List<Message> unread(@PathVariable String peer, @RequestParam(defaultValue = "true") boolean held, Caller caller) {
		return broker.unread(caller, peer, held);
	}

	/**
	 * The same, but with {@code wait} an empty inbox holds the request (without holding a
	 * thread) until mail arrives or the time is up. Mail already waiting is answered on
	 * the request thread, like a read without {@code wait}: a busy reader finds mail on
	 * most reads, and an asynchronous answer costs a second dispatch through the servlet
	 * container. Spring picks how to write the answer from the value's type, a list or a
	 * {@link DeferredResult}.
	 */
	@GetMapping(params = "wait")
	Object unreadWaiting(@PathVariable String peer, @RequestParam(defaultValue = "0") double wait, Caller caller) {
		if (!(wait >= 0 && wait <= maxWait.toSeconds())) {
			throw new BrokerException(Reason.INVALID,
					"wait is the number of seconds to wait for mail, from 0 to " + maxWait.toSeconds() + ".");
		}
		if (wait == 0) {
			return broker.unread(caller, peer);
		}
		CompletableFuture<Void> arrival = broker.mailArrival(caller, peer);
		if (arrival.isDone()) {
			return broker.unread(caller, peer);
		}
		// The wait ends on this broker's timer, not on the servlet container's
		// timeout, which could fire while mail that arrived at that moment was being
		// answered and leave the long-poll unanswered (the runs that showed it:
		// bench/README.md and bench/results/). The container's timeout stays as a guard
		// far behind. The timer's task runs on the JDK's one delay thread, so it reads
		// nothing: mail that came as it fired waits for the next read.
		long waitMillis = (long) (wait * 1000);
		DeferredResult<List<Message>> result = new DeferredResult<>(waitMillis + CONTAINER_TIMEOUT_GUARD.toMillis());
		result.onTimeout(() -> result.setResult(List.of()));
		CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS, Runnable::run).execute(() -> {
			arrival.cancel(false);
			result.setResult(List.of());
		});
		arrival.thenRun(() -> {
			try {
				result.setResult(broker.unread(caller, peer));
			}
			catch (RuntimeException ex) {
				result.setErrorResult(ex);
			}
		});
		return result;
	}

	/**
	 * {@code serve} holds what it is about to deliver into its session itself, so that no
	 * hook shows it too; only what this call newly held is its to deliver.
	 */
	@PostMapping("/hold")
	Map<String, Integer> hold(@PathVariable String peer, @Valid @RequestBody Acknowledgement messages, Caller caller) {
		return Map.of("held", broker.hold(caller, peer, messages.ids()));
	}

	/** The ids of the messages the peer holds for its own delivery. */
	@GetMapping("/held")
	Set<String> held(@PathVariable String peer, Caller caller) {
		return broker.held(caller, peer);
	}

	@PostMapping("/release")
	Map<String, Integer> release(@PathVariable String peer, @Valid @RequestBody Acknowledgement messages,
			Caller caller) {
		return Map.of("released", broker.release(caller, peer, messages.ids()));
	}

	@PostMapping("/ack")
	AcknowledgementResult acknowledge(@PathVariable String peer, @Valid @RequestBody Acknowledgement acknowledgement,
			Caller caller) {
		return broker.acknowledge(caller, peer, acknowledgement.ids());
	}

}
