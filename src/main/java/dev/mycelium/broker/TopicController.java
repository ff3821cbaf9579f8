package dev.mycelium.broker;

import java.util.List;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.Topic;

/** Topics, their subscribers, and broadcasts (to a topic or to everyone in scope). */
@RestController
class TopicController {

	private final BrokerOperations broker;

	TopicController(BrokerOperations broker) {
		this.broker = broker;
	}

	@PostMapping("/api/broadcasts")
	@ResponseStatus(HttpStatus.CREATED)
	BroadcastResult broadcast(@Valid @RequestBody Broadcast broadcast, Caller caller) {
		return broker.broadcast(caller, broadcast);
	}

	@GetMapping("/api/topics")
	List<Topic> topics() {
		return broker.topics();
	}

	@PutMapping("/api/topics/{topic}/subscribers/{peer}")
	Topic subscribe(@PathVariable String topic, @PathVariable String peer, Caller caller) {
		return broker.subscribe(caller, topic, peer);
	}

	@DeleteMapping("/api/topics/{topic}/subscribers/{peer}")
	Topic unsubscribe(@PathVariable String topic, @PathVariable String peer, Caller caller) {
		return broker.unsubscribe(caller, topic, peer);
	}

}
