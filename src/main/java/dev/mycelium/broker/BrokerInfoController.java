package dev.mycelium.broker;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.mycelium.protocol.BrokerInfo;

/** Which broker answers: version, instance, address, start time. */
@RestController
class BrokerInfoController {

	private final BrokerStateFile stateFile;

	private final BrokerRepository repository;

	BrokerInfoController(BrokerStateFile stateFile, BrokerRepository repository) {
		this.stateFile = stateFile;
		this.repository = repository;
	}

	@GetMapping("/api/broker")
	BrokerInfo info() {
		return stateFile.info(repository.livePeerCount());
	}

}
