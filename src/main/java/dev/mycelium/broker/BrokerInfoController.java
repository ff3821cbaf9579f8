package dev.mycelium.broker;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.mycelium.protocol.BrokerInfo;

/**
 * Which broker answers: version, instance, address, start time, and its figures (uptime,
 * messages per second, queue depth); and stopping it, for the person at the terminal
 * ({@code mycelium stop}).
 */
@RestController
class BrokerInfoController {

	private static final Logger log = LoggerFactory.getLogger(BrokerInfoController.class);

	private final BrokerStateFile stateFile;

	private final BrokerOperations broker;

	private final BrokerEventLog events;

	private final Clock clock;

	private final ConfigurableApplicationContext context;

	BrokerInfoController(BrokerStateFile stateFile, BrokerOperations broker, BrokerEventLog events, Clock clock,
			ConfigurableApplicationContext context) {
		this.stateFile = stateFile;
		this.broker = broker;
		this.events = events;
		this.clock = clock;
		this.context = context;
	}

	@GetMapping("/api/broker")
	BrokerInfo info() {
		return stateFile.info(broker.livePeerCount(), broker.unreadCount(), events.recentMessages(clock.instant()),
				broker.storeKind());
	}

	/**
	 * Answers at once and closes the application on another thread: the graceful web
	 * server shutdown lets this answer (and any request in flight) finish, and closing
	 * the context removes {@code broker.json}. Only the operator may: a peer stopping the
	 * broker would cut off every other session.
	 */
	@PostMapping("/api/broker/shutdown")
	@ResponseStatus(HttpStatus.ACCEPTED)
	BrokerInfo shutdown(Caller caller) {
		if (caller.isPeer()) {
			throw new BrokerException(BrokerException.Reason.FORBIDDEN,
					"Only the person at the terminal can stop the broker (the token without a peer secret): run 'mycelium stop'.");
		}
		BrokerInfo info = info();
		log.info("Shutdown requested by {}", caller.name());
		Thread closer = new Thread(context::close, "mycelium-shutdown");
		closer.setDaemon(false);
		closer.start();
		return info;
	}

}
