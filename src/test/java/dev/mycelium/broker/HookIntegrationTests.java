package dev.mycelium.broker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.broker.BrokerApi.Response;
import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/hooks}, as the plugin's hook script calls it with Claude Code's hook
 * events: mail no other path delivers is shown once, capped, and marked read; what the
 * session's own serve holds for the inbox socket is left to it, and a prompt that shows
 * it confirms it; sessions are found by their session id or their Claude Code process.
 */
class HookIntegrationTests extends BrokerIntegrationTest {

	@Test
	void aSessionTheBrokerDoesNotKnowGetsNothing() {
		Response answer = hook("PostToolUse", UUID.randomUUID().toString(), null, Map.of());

		assertThat(answer.status()).isEqualTo(204);
		assertThat(answer.body()).isEmpty();
	}

	@Test
	void postToolUseShowsNewMailOnceAndMarksItRead() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		Agent alice = api.register(unique("alice"));
		Message sent = api.send(alice, bob, "the API returns cents now").as(Message.class);

		Response answer = hook("PostToolUse", session, null, Map.of());

		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.json().path("hookSpecificOutput").path("hookEventName").asString()).isEqualTo("PostToolUse");
		String context = context(answer);
		assertThat(context).startsWith("mycelium: 1 new message for " + bob.name() + " (now marked read):")
			.contains("[mycelium message " + sent.id() + "] direct message from " + alice.name() + " (id " + alice.id()
					+ ")")
			.contains("\nthe API returns cents now\n");
		assertThat(api.unread(bob)).isEmpty();
		assertThat(hook("PostToolUse", session, null, Map.of()).status()).as("shown once").isEqualTo(204);
		assertThat(api.get("/api/peers/" + bob.id(), null).as(Peer.class).delivery()).isEqualTo("hooks");
	}

	@Test
	void whatServeHoldsForTheSocketIsLeftToItAndAPromptShowingItConfirmsIt() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		Agent alice = api.register(unique("alice"));
		Message held = api.send(alice, bob, "on its way through the socket").as(Message.class);
		Message other = api.send(alice, bob, "nobody delivers this one").as(Message.class);
		assertThat(
				api.post("/api/peers/" + bob.id() + "/messages/hold", Map.of("ids", List.of(held.id())), bob.secret())
					.json()
					.path("held")
					.asInt())
			.isEqualTo(1);

		String shown = context(hook("PostToolUse", session, null, Map.of()));
		assertThat(shown).contains(other.body()).doesNotContain(held.body());
		assertThat(api.unread(bob)).extracting(Message::id).containsExactly(held.id());

		// Claude Code shows the frame to the model as a prompt: that is the confirmation.
		Response prompt = hook("UserPromptSubmit", session, null,
				Map.of("prompt", "Another Claude session sent a message:\n" + MailText.frame(held)));
		assertThat(prompt.status()).as("nothing else to show").isEqualTo(204);
		assertThat(api.unread(bob)).isEmpty();
	}

	@Test
	void aPromptCannotConfirmWhatItsSessionDoesNotHold() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		Agent alice = api.register(unique("alice"));
		Message unheld = api.send(alice, bob, "not held by anyone").as(Message.class);
		api.post("/api/peers/" + bob.id() + "/messages/hold", Map.of("ids", List.of(unheld.id())), bob.secret());
		api.post("/api/peers/" + bob.id() + "/messages/release", Map.of("ids", List.of(unheld.id())), bob.secret());

		String context = context(hook("UserPromptSubmit", session, null,
				Map.of("prompt", "forged: [mycelium message " + unheld.id() + "]")));

		assertThat(context).as("released: the hook shows it, and only now is it read").contains(unheld.body());
		assertThat(api.unread(bob)).isEmpty();
	}

	@Test
	void whatAHookShowsIsCappedAndTheRestWaitsForSense() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		Agent alice = api.register(unique("alice"));
		for (int i = 0; i < 12; i++) {
			api.send(alice, bob, i + " " + "x".repeat(2000));
		}

		String context = context(hook("PostToolUse", session, null, Map.of()));

		assertThat(context.length()).isLessThanOrEqualTo(HookController.MAX_CONTEXT);
		int shown = context.split("\\[mycelium message ", -1).length - 1;
		assertThat(shown).isBetween(2, 4);
		assertThat(context).endsWith((12 - shown) + " more unread messages: call mycelium's sense tool to read them.");
		assertThat(api.unread(bob)).hasSize(12 - shown);
	}

	@Test
	void aMessageTooLongForAHookIsShownCutAndStaysUnread() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		Agent alice = api.register(unique("alice"));
		api.send(alice, bob, "start " + "y".repeat(60_000));

		String context = context(hook("PostToolUse", session, null, Map.of()));

		assertThat(context.length()).isLessThanOrEqualTo(HookController.MAX_CONTEXT);
		assertThat(context).contains("\nstart yyy")
			.contains(
					"(This is only its start: 60006 characters in all. sense shows it whole; it stays unread until then.)");
		assertThat(api.unread(bob)).hasSize(1);
	}

	@Test
	void aWholeHookEventWithALongToolResponseIsAccepted() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		api.send(api.register(unique("alice")), bob, "after a big read");

		Response answer = hook("PostToolUse", session, null, Map.of("tool_name", "Read", "tool_input",
				Map.of("file_path", "/tmp/big"), "tool_response", Map.of("content", "z".repeat(3_000_000))));

		assertThat(context(answer)).contains("after a big read");
	}

	@Test
	void aHookNamingAnotherSessionIdFindsThePeerByItsClaudeCodeProcess() {
		long claudePid = 400_000 + (long) (Math.random() * 100_000);
		Agent earlier = register(unique("proj"), "earlier-session-" + claudePid, null);
		Agent alice = api.register(unique("alice"));
		api.send(alice, earlier, "sent before the session continued");
		api.exchange("DELETE", "/api/peers/" + earlier.id(), null, earlier.secret(), Map.of());
		// claude -p --continue gives its MCP server a new session id, its hooks the old.
		Agent continued = register(unique("proj"), "fresh-" + claudePid, claudePid);

		String context = context(hook("PostToolUse", "earlier-session-" + claudePid, claudePid, Map.of()));

		assertThat(context).contains("sent before the session continued").contains(" for " + continued.name() + " ");
		assertThat(api.get("/api/peers/" + earlier.id(), null).status()).as("taken over").isEqualTo(404);
		assertThat(register(continued.name(), "earlier-session-" + claudePid, claudePid).id())
			.as("the hook's session id now names this peer")
			.isEqualTo(continued.id());
	}

	@Test
	void sessionStartWaitsBrieflyForServeAndSaysWhoTheSessionIs() throws Exception {
		String session = UUID.randomUUID().toString();
		String name = unique("starting");
		Agent alice = api.register(unique("alice"));
		CompletableFuture<Response> answer = CompletableFuture
			.supplyAsync(() -> hook("SessionStart", session, null, Map.of("source", "startup")));
		CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> register(name, session, null));

		String context = context(answer.get(10, TimeUnit.SECONDS));

		assertThat(context).startsWith("mycelium: this Claude Code session is " + name + " (id ")
			.contains(alice.name())
			.contains("answer with mycelium's tools");
	}

	@Test
	void sessionStartBeforeServeRegisteredSaysTheSessionIsJoining() {
		String context = context(hook("SessionStart", UUID.randomUUID().toString(), null, Map.of()));

		assertThat(context).startsWith("mycelium: this Claude Code session is joining the mycelium message bus");
	}

	@Test
	void aHookNeedsTheToken() {
		Response answer = api.exchange("POST", "/api/hooks",
				Map.of("session_id", "x", "hook_event_name", "PostToolUse"), null,
				Map.of("Authorization", "Bearer wrong"));

		assertThat(answer.status()).isEqualTo(401);
	}

	@Test
	void theDeliveryServeReportsIsShownWithHooks() {
		String session = UUID.randomUUID().toString();
		Agent bob = register(unique("bob"), session, null);
		api.exchange("PATCH", "/api/peers/" + bob.id(), Map.of("delivery", "inbox socket"), bob.secret(), Map.of());
		assertThat(api.get("/api/peers/" + bob.id(), null).as(Peer.class).delivery()).isEqualTo("inbox socket");

		hook("PostToolUse", session, null, Map.of());

		assertThat(api.get("/api/peers/" + bob.id(), null).as(Peer.class).delivery()).isEqualTo("inbox socket, hooks");
		assertThat(api.exchange("PATCH", "/api/peers/" + bob.id(), Map.of(), bob.secret(), Map.of()).detail())
			.isEqualTo("Nothing to change: send summary, branch or delivery (or several of them).");
	}

	private Agent register(String name, String sessionKey, Long clientPid) {
		Map<String, Object> registration = new HashMap<>(
				Map.of("name", name, "cwd", "/work/" + name, "session_key", sessionKey));
		if (clientPid != null) {
			registration.put("client_pid", clientPid);
		}
		return api.register(registration);
	}

	private Response hook(String event, String session, Long claudePid, Map<String, Object> fields) {
		Map<String, Object> body = new HashMap<>(fields);
		body.put("session_id", session);
		body.put("hook_event_name", event);
		body.put("cwd", "/work");
		return api.exchange("POST", "/api/hooks", body, null,
				claudePid == null ? Map.of() : Map.of("Mycelium-Claude-Pid", String.valueOf(claudePid)));
	}

	private static String context(Response answer) {
		assertThat(answer.status()).as("hook answer %s", answer.body()).isEqualTo(200);
		return answer.json().path("hookSpecificOutput").path("additionalContext").asString();
	}

}
