package dev.mycelium.broker;

import java.util.List;

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

import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;

/** Delegated tasks: create, report once, list (a peer's, or all). */
@RestController
@RequestMapping("/api/tasks")
class TaskController {

	private final BrokerOperations broker;

	TaskController(BrokerOperations broker) {
		this.broker = broker;
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	Task delegate(@Valid @RequestBody TaskRequest request, Caller caller) {
		return broker.delegate(caller, request);
	}

	/** Without {@code peer}, every task: the operator's view (the dashboard's). */
	@GetMapping
	List<Task> tasks(@RequestParam(required = false) String peer) {
		return peer == null ? broker.tasks() : broker.tasks(peer);
	}

	@GetMapping("/{id}")
	Task task(@PathVariable String id) {
		return broker.task(id);
	}

	@PostMapping("/{id}/result")
	Task report(@PathVariable String id, @Valid @RequestBody TaskOutcome outcome, Caller caller) {
		return broker.report(caller, id, outcome);
	}

}
