package dev.mycelium.broker;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events: a peer's inbox as it fills (what {@code serve --channel} pushes
 * into its session) and everything happening on the broker (what {@code mycelium tail}
 * shows). Both resume with {@code Last-Event-ID}.
 */
@RestController
class EventStreamController {

	private static final String LAST_EVENT_ID = "Last-Event-ID";

	private final PushStreams streams;

	EventStreamController(PushStreams streams) {
		this.streams = streams;
	}

	/**
	 * Only the peer itself may open it; a new stream replaces the old one. Messages stay
	 * unread until the peer acknowledges them.
	 */
	@GetMapping("/api/peers/{peer}/events")
	SseEmitter inbox(@PathVariable String peer, @RequestHeader(name = LAST_EVENT_ID, required = false) String last,
			Caller caller) {
		return streams.inbox(caller, peer, last);
	}

	@GetMapping("/api/events")
	SseEmitter events(@RequestHeader(name = LAST_EVENT_ID, required = false) String last) {
		return streams.events(last);
	}

}
