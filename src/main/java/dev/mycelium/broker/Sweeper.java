package dev.mycelium.broker;

import org.springframework.scheduling.annotation.Scheduled;

/** Applies liveness and message expiry periodically. */
final class Sweeper {

	private final BrokerRepository repository;

	Sweeper(BrokerRepository repository) {
		this.repository = repository;
	}

	@Scheduled(fixedDelayString = "${mycelium.liveness.sweep-interval:1s}")
	void sweep() {
		repository.sweep();
	}

}
