package dev.mycelium.broker;

import java.util.List;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;

/** Registration, discovery, summary, liveness and leaving. */
@RestController
@RequestMapping("/api/peers")
class PeerController {

	private final BrokerOperations broker;

	PeerController(BrokerOperations broker) {
		this.broker = broker;
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	Registration register(@Valid @RequestBody PeerRegistration registration) {
		return broker.register(registration);
	}

	@GetMapping
	List<Peer> peers(@RequestParam(required = false) String scope, Caller caller) {
		return broker.peers(QueryParameters.scope(scope), caller);
	}

	@GetMapping("/{peer}")
	Peer peer(@PathVariable String peer) {
		return broker.peer(peer);
	}

	/** Messages the peer sent that their recipients have not read (acknowledged) yet. */
	@GetMapping("/{peer}/outbox")
	List<Message> outbox(@PathVariable String peer, Caller caller) {
		return broker.outbox(caller, peer);
	}

	@PatchMapping("/{peer}")
	Peer update(@PathVariable String peer, @Valid @RequestBody PeerUpdate update, Caller caller) {
		return broker.update(caller, peer, update);
	}

	@DeleteMapping("/{peer}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void leave(@PathVariable String peer, Caller caller) {
		broker.leave(caller, peer);
	}

	@PostMapping("/{peer}/heartbeat")
	Peer heartbeat(@PathVariable String peer, Caller caller) {
		return broker.heartbeat(caller, peer);
	}

}
