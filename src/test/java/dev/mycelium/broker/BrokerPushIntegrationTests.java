package dev.mycelium.broker;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.client.ServerSentEvent;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MyceliumHome;
import dev.mycelium.protocol.Peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The push streams over real HTTP: a peer's inbox as Server-Sent Events, resumable
 * without loss or repetition, private to the peer, one per peer; the broker-wide event
 * stream; and a reader that stops reading, which must neither slow senders nor lose mail.
 * The shared test broker sends heartbeats every 3 s and times out blocked writes after 3
 * s ({@link BrokerIntegrationTest}).
 */
class BrokerPushIntegrationTests extends BrokerIntegrationTest {

	@Test
	void inboxStreamSendsTheBacklogThenEachNewMessageInOrderAndShowsPushOn() throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		api.send(alice, bob, "before the stream");
		try (SseReader stream = inbox(bob, null)) {
			assertThat(stream.status).isEqualTo(200);
			ServerSentEvent first = stream.next();
			assertThat(first.event()).isEqualTo("message");
			// The position is the inbox's sequence number: increasing, not counted from
			// 1.
			assertThat(first.id()).matches("[a-z2-7]+-[0-9]+");
			assertThat(message(first).body()).isEqualTo("before the stream");
			assertThat(message(first).from()).isEqualTo(alice.name());
			for (int i = 0; i < 20; i++) {
				api.send(alice, bob, "live " + i);
			}
			for (int i = 0; i < 20; i++) {
				assertThat(message(stream.next()).body()).isEqualTo("live " + i);
			}
			assertThat(peer(bob).push()).isTrue();
			assertThat(peer(alice).push()).isFalse();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !peer(bob).push());
		assertThat(peer(bob).unread()).as("pushing is not acknowledging").isEqualTo(21);
	}

	@Test
	void anOpenInboxStreamKeepsItsPeerAliveWithoutHeartbeatRequests() throws Exception {
		Agent bob = api.register(unique("bob"));
		Agent carol = api.register(unique("carol"));
		Instant carolSeen = peer(carol).lastSeen();
		try (SseReader stream = inbox(bob, null)) {
			Instant opened = peer(bob).lastSeen();
			// The stream's heartbeat comes every 3 s here: each one counts as a sign of
			// life.
			await().atMost(Duration.ofSeconds(10)).until(() -> peer(bob).lastSeen().isAfter(opened.plusSeconds(2)));
			assertThat(peer(bob).state()).isEqualTo("active");
		}
		assertThat(peer(carol).lastSeen()).as("no stream and no heartbeat: not seen").isEqualTo(carolSeen);
	}

	@Test
	void aStreamAnswersAtOnceEvenWithNothingToSend() throws Exception {
		Agent bob = api.register(unique("bob"));
		long start = System.nanoTime();
		try (SseReader stream = inbox(bob, null)) {
			// A client waits for the response headers: they must not wait for the first
			// event or heartbeat (3 s here).
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
			assertThat(stream.status).isEqualTo(200);
		}
	}

	@Test
	void resumingWithLastEventIdSkipsWhatWasReceivedAndRepeatsNothing() throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		String lastSeen;
		try (SseReader stream = inbox(bob, null)) {
			api.send(alice, bob, "one");
			api.send(alice, bob, "two");
			assertThat(message(stream.next()).body()).isEqualTo("one");
			lastSeen = stream.next().id();
		}
		api.send(alice, bob, "three (sent while no stream was open)");
		try (SseReader stream = inbox(bob, lastSeen)) {
			assertThat(message(stream.next()).body()).isEqualTo("three (sent while no stream was open)");
			api.send(alice, bob, "four");
			assertThat(message(stream.next()).body()).isEqualTo("four");
			assertThat(stream.poll(Duration.ofMillis(800))).as("nothing repeated").isNull();
		}
	}

	@Test
	void withoutLastEventIdOrWithOneFromAnotherBrokerEveryUnreadMessageComesAgainButNotAcknowledgedOnes()
			throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		Message one = api.send(alice, bob, "one").as(Message.class);
		api.send(alice, bob, "two");
		api.ack(bob, List.of(one.id()));
		for (String lastEventId : new String[] { null, "someotherbroker-99" }) {
			try (SseReader stream = inbox(bob, lastEventId)) {
				assertThat(message(stream.next()).body()).isEqualTo("two");
				assertThat(stream.poll(Duration.ofMillis(500))).isNull();
			}
		}
	}

	@Test
	void aStreamIsPrivateToItsPeer() throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		try (SseReader asAlice = inbox(bob, alice.secret(), null);
				SseReader operator = SseReader.open(port, "/api/peers/" + bob.id() + "/events", token(), Map.of());
				SseReader noToken = SseReader.open(port, "/api/peers/" + bob.id() + "/events", null,
						Map.of("Mycelium-Peer-Secret", bob.secret()));
				SseReader fromAPage = SseReader.open(port, "/api/peers/" + bob.id() + "/events", token(),
						Map.of("Mycelium-Peer-Secret", bob.secret(), "Origin", "http://evil.example"));
				SseReader brokerWideFromAPage = SseReader.open(port, "/api/events", token(),
						Map.of("Origin", "http://evil.example"))) {
			assertThat(asAlice.status).isEqualTo(403);
			assertThat(operator.status).isEqualTo(403);
			assertThat(noToken.status).isEqualTo(401);
			assertThat(fromAPage.status).isEqualTo(403);
			assertThat(brokerWideFromAPage.status).isEqualTo(403);
		}
		assertThat(peer(bob).push()).isFalse();
	}

	@Test
	void aNewStreamReplacesTheOldOne() throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		try (SseReader old = inbox(bob, null); SseReader fresh = inbox(bob, null)) {
			assertThat(old.ended(Duration.ofSeconds(10))).as("the old stream is closed").isTrue();
			api.send(alice, bob, "to the new stream");
			assertThat(message(fresh.next()).body()).isEqualTo("to the new stream");
			assertThat(peer(bob).push()).isTrue();
		}
	}

	@Test
	void registeringAgainEndsTheStreamOfTheEarlierRegistration() throws Exception {
		String name = unique("bob");
		Agent bob = api.register(name);
		try (SseReader stream = inbox(bob, null)) {
			await().until(() -> peer(bob).push());
			Agent again = api.register(name);
			assertThat(again.id()).as("the same session resumed").isEqualTo(bob.id());
			assertThat(stream.ended(Duration.ofSeconds(10))).as("its holds were cleared: its serve follows anew")
				.isTrue();
		}
	}

	@Test
	void leavingClosesTheStream() throws Exception {
		Agent bob = api.register(unique("bob"));
		try (SseReader stream = inbox(bob, null)) {
			await().until(() -> peer(bob).push());
			assertThat(api.exchange("DELETE", "/api/peers/" + bob.id(), null, bob.secret(), Map.of()).status())
				.isEqualTo(204);
			assertThat(stream.ended(Duration.ofSeconds(10))).isTrue();
		}
	}

	@Test
	void heartbeatsKeepAnIdleStreamVisiblyAlive() throws Exception {
		Agent bob = api.register(unique("bob"));
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET /api/peers/" + bob.id() + "/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
					+ token() + "\r\nMycelium-Peer-Secret: " + bob.secret() + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder seen = new StringBuilder();
			byte[] buffer = new byte[1024];
			while (seen.indexOf(":heartbeat") < 0 || seen.indexOf(":heartbeat") == seen.lastIndexOf(":heartbeat")) {
				int n = in.read(buffer);
				assertThat(n).as("the stream stays open").isPositive();
				seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
			}
			assertThat(seen).contains("text/event-stream");
		}
	}

	/**
	 * A reader that stops reading: its socket buffers fill, the broker's writer blocks,
	 * and still every send is answered at once, nothing queues in the broker beyond the
	 * inbox, the stream is closed when the connection is found dead, and a new reader
	 * gets every message.
	 */
	@Test
	void aStalledReaderSlowsNoSenderAndLosesNothing() throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		String body = "x".repeat(60_000);
		int count = 200;
		try (Socket stalled = new Socket("localhost", port)) {
			stalled.setReceiveBufferSize(4096);
			stalled.getOutputStream()
				.write(("GET /api/peers/" + bob.id() + "/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
						+ token() + "\r\nMycelium-Peer-Secret: " + bob.secret() + "\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			await().until(() -> peer(bob).push());
			long slowest = 0;
			for (int i = 0; i < count; i++) {
				long start = System.nanoTime();
				assertThat(api.send(alice, bob, i + body).status()).isEqualTo(201);
				slowest = Math.max(slowest, System.nanoTime() - start);
			}
			assertThat(Duration.ofNanos(slowest)).as("no send waits for the stalled reader")
				.isLessThan(Duration.ofSeconds(2));
			assertThat(peer(bob).unread()).isEqualTo(count);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> !peer(bob).push());
		List<String> received = new ArrayList<>();
		try (SseReader stream = inbox(bob, null)) {
			for (int i = 0; i < count; i++) {
				received.add(message(stream.next()).body().substring(0, String.valueOf(i).length()));
			}
		}
		assertThat(received)
			.containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(String::valueOf).toList());
	}

	@Test
	void brokerWideStreamShowsJoinsMessagesBroadcastsTasksAndLeavesInOrder() throws Exception {
		try (SseReader events = SseReader.open(port, "/api/events", token(), Map.of())) {
			assertThat(events.status).isEqualTo(200);
			Agent alice = api.register(unique("alice"));
			Agent bob = api.register(unique("bob"));
			api.send(alice, bob, "hello bob");
			api.post("/api/broadcasts", Map.of("body", "to everyone"), alice.secret());
			String taskId = api.post("/api/tasks", Map.of("to", bob.id(), "description", "write docs"), alice.secret())
				.json()
				.path("id")
				.asString();
			api.post("/api/tasks/" + taskId + "/result", Map.of("status", "completed", "result", "done"), bob.secret());
			api.exchange("DELETE", "/api/peers/" + alice.id(), null, alice.secret(), Map.of());
			List<BrokerEvent> mine = new ArrayList<>();
			String lastId = null;
			while (mine.size() < 7) {
				ServerSentEvent sse = events.next();
				BrokerEvent event = BrokerApi.JSON.readValue(sse.data(), BrokerEvent.class);
				assertThat(sse.event()).isEqualTo(event.type());
				assertThat(sse.id()).endsWith("-" + event.id());
				if (involves(event, alice) || involves(event, bob)) {
					mine.add(event);
					lastId = sse.id();
				}
			}
			assertThat(mine).extracting(BrokerEvent::type)
				.containsExactly(BrokerEvent.PEER_JOINED, BrokerEvent.PEER_JOINED, BrokerEvent.MESSAGE,
						BrokerEvent.BROADCAST, BrokerEvent.TASK_CREATED, BrokerEvent.TASK_REPORTED,
						BrokerEvent.PEER_LEFT);
			assertThat(mine.get(2).message().body()).isEqualTo("hello bob");
			assertThat(mine.get(3).recipients()).contains(bob.name());
			assertThat(mine.get(5).task().result()).isEqualTo("done");

			Agent carol = api.register(unique("carol"));
			try (SseReader resumed = SseReader.open(port, "/api/events", token(), Map.of("Last-Event-ID", lastId))) {
				BrokerEvent next = BrokerApi.JSON.readValue(resumed.next().data(), BrokerEvent.class);
				while (!involves(next, carol)) {
					next = BrokerApi.JSON.readValue(resumed.next().data(), BrokerEvent.class);
				}
				assertThat(next.type()).isEqualTo(BrokerEvent.PEER_JOINED);
			}
		}
	}

	@Test
	void theOutboxListsWhatTheSenderSentThatIsStillUnreadAndOnlyToTheSender() throws Exception {
		Agent alice = api.register(unique("alice"));
		Agent bob = api.register(unique("bob"));
		Agent carol = api.register(unique("carol"));
		Message toBob = api.send(alice, bob, "to bob").as(Message.class);
		Message toCarol = api.send(alice, carol, "to carol").as(Message.class);
		api.send(bob, carol, "not alice's");
		api.ack(bob, List.of(toBob.id()));
		List<Message> outbox = api.get("/api/peers/" + alice.id() + "/outbox", alice.secret())
			.as(new tools.jackson.core.type.TypeReference<List<Message>>() {
			});
		assertThat(outbox).extracting(Message::id).containsExactly(toCarol.id());
		assertThat(api.get("/api/peers/" + alice.id() + "/outbox", bob.secret()).status()).isEqualTo(403);
	}

	private boolean involves(BrokerEvent event, Agent agent) {
		return (event.peer() != null && event.peer().id().equals(agent.id()))
				|| (event.message() != null && agent.id().equals(event.message().fromId()))
				|| (event.task() != null && agent.id().equals(event.task().fromId()));
	}

	private SseReader inbox(Agent peer, String lastEventId) throws Exception {
		return inbox(peer, peer.secret(), lastEventId);
	}

	private SseReader inbox(Agent peer, String secret, String lastEventId) throws Exception {
		Map<String, String> headers = lastEventId == null ? Map.of("Mycelium-Peer-Secret", secret)
				: Map.of("Mycelium-Peer-Secret", secret, "Last-Event-ID", lastEventId);
		return SseReader.open(port, "/api/peers/" + peer.id() + "/events", token(), headers);
	}

	private Peer peer(Agent agent) {
		return api.get("/api/peers/" + agent.id(), null).as(Peer.class);
	}

	private static Message message(ServerSentEvent event) {
		return BrokerApi.JSON.readValue(event.data(), Message.class);
	}

	private String token() {
		return new MyceliumHome(home).readToken().orElseThrow();
	}

}
