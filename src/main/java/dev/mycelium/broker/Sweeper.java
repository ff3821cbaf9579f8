package dev.mycelium.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;

import dev.mycelium.broker.store.StoreUnavailableException;

/**
 * Applies liveness, message expiry and the end of claims periodically: every 5 s, which
 * is soon enough for removals after 2 minutes and expiries after hours, and a fifth of
 * the wake-ups of the 1 s it once was (about 0.7 ms of CPU each with SQLite,
 * bench/FootprintBench.java).
 */
final class Sweeper {

	private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

	private final BrokerOperations broker;

	private final ClaimService claims;

	/** Whether the last sweep found the store unavailable: said once per outage. */
	private boolean unavailable;

	Sweeper(BrokerOperations broker, ClaimService claims) {
		this.broker = broker;
		this.claims = claims;
	}

	@Scheduled(fixedDelayString = "${mycelium.liveness.sweep-interval:5s}")
	void sweep() {
		try {
			broker.sweep();
			claims.sweep();
			if (unavailable) {
				log.info("The store is writable again: liveness and expiry go on");
				unavailable = false;
			}
		}
		catch (StoreUnavailableException ex) {
			// A full disk or a stopping broker: the next sweep does what this one could
			// not.
			if (!unavailable) {
				log.warn("Liveness and expiry wait for the store: {}", ex.getMessage());
				unavailable = true;
			}
		}
	}

}
