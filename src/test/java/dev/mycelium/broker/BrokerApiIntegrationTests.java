package dev.mycelium.broker;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.broker.BrokerApi.Response;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.BrokerState;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskStatus;
import dev.mycelium.protocol.Topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every route of the REST API, the way a client uses it, and every bad input it refuses.
 */
class BrokerApiIntegrationTests extends BrokerIntegrationTest {

	private static final TypeReference<List<Peer>> PEERS = new TypeReference<>() {
	};

	private static final TypeReference<List<Task>> TASKS = new TypeReference<>() {
	};

	private static final TypeReference<List<Topic>> TOPICS = new TypeReference<>() {
	};

	@Nested
	class Peers {

		@Test
		void registeredPeerIsListedAndFoundByNameIdOrIdPrefix() {
			String name = unique("backend");
			Response response = api.post("/api/peers",
					Map.of("name", name, "cwd", "/src/" + name, "branch", "main", "pid", 42, "summary", "API work"),
					null);

			assertThat(response.status()).isEqualTo(201);
			Registration registration = response.as(Registration.class);
			assertThat(registration.id()).matches("[a-z2-7]{8}");
			assertThat(registration.name()).isEqualTo(name);
			assertThat(registration.secret()).hasSizeGreaterThan(30);
			assertThat(registration.resumed()).isFalse();

			List<Peer> peers = api.get("/api/peers", null).as(PEERS);
			assertThat(peers).anySatisfy(peer -> {
				assertThat(peer.name()).isEqualTo(name);
				assertThat(peer.branch()).isEqualTo("main");
				assertThat(peer.summary()).isEqualTo("API work");
				assertThat(peer.pid()).isEqualTo(42L);
				assertThat(peer.state()).isEqualTo(Peer.ACTIVE);
			});
			for (String ref : List.of(name, registration.id(), registration.id().substring(0, 6))) {
				assertThat(api.get("/api/peers/" + ref, null).as(Peer.class).id()).isEqualTo(registration.id());
			}
		}

		@Test
		void defaultNameIsTheDirectoryAndAClashGetsASuffix() {
			String directory = unique("web-app");
			Agent first = api.register(Map.of("cwd", "/a/" + directory));
			Agent second = api.register(Map.of("cwd", "/b/" + directory));
			Agent third = api.register(Map.of("cwd", "/c/" + directory));

			assertThat(List.of(first.name(), second.name(), third.name())).containsExactly(directory, directory + "-2",
					directory + "-3");

			String longest = unique("l").concat("o".repeat(64)).substring(0, 64);
			api.register(Map.of("name", longest));
			Agent clash = api.register(Map.of("name", longest));
			assertThat(clash.name()).as("still within the 64 characters of the name rule")
				.hasSize(64)
				.isEqualTo(longest.substring(0, 62) + "-2");
		}

		@Test
		void registeringAgainWithTheSessionKeyGivesTheSamePeerAndInboxBack() {
			Agent sender = api.register(unique("sender"));
			String name = unique("restarting");
			Agent before = api.register(Map.of("name", name, "session_key", "session-" + name));
			api.send(sender, before, "kept for you");

			Response again = api.post("/api/peers", Map.of("name", name, "session_key", "session-" + name), null);
			Registration after = again.as(Registration.class);

			assertThat(after.id()).isEqualTo(before.id());
			assertThat(after.name()).isEqualTo(name);
			assertThat(after.resumed()).isTrue();
			Agent resumed = new Agent(after.id(), after.name(), after.secret());
			assertThat(api.unread(resumed)).extracting(Message::body).containsExactly("kept for you");
			assertThat(api.get("/api/peers/" + before.id() + "/messages", before.secret()).status())
				.as("the old session's secret stops working")
				.isEqualTo(401);
		}

		@Test
		void summaryHeartbeatAndLeaving() {
			Agent peer = api.register(unique("worker"));

			Response patched = api.exchange("PATCH", "/api/peers/" + peer.name(), Map.of("summary", "fixing login"),
					peer.secret(), Map.of());
			assertThat(patched.status()).isEqualTo(200);
			assertThat(api.get("/api/peers/" + peer.id(), null).as(Peer.class).summary()).isEqualTo("fixing login");
			api.exchange("PATCH", "/api/peers/" + peer.id(), Map.of("summary", "on a branch", "branch", "login-fix"),
					peer.secret(), Map.of());
			assertThat(api.get("/api/peers/" + peer.id(), null).as(Peer.class).branch()).isEqualTo("login-fix");
			api.exchange("PATCH", "/api/peers/" + peer.id(), Map.of("summary", "still on it"), peer.secret(), Map.of());
			assertThat(api.get("/api/peers/" + peer.id(), null).as(Peer.class).branch())
				.as("no branch in the body leaves it")
				.isEqualTo("login-fix");
			api.exchange("PATCH", "/api/peers/" + peer.id(), Map.of("summary", "detached", "branch", ""), peer.secret(),
					Map.of());
			assertThat(api.get("/api/peers/" + peer.id(), null).as(Peer.class).branch()).as("empty clears it").isNull();

			Response heartbeat = api.post("/api/peers/" + peer.id() + "/heartbeat", null, peer.secret());
			assertThat(heartbeat.status()).isEqualTo(200);
			assertThat(heartbeat.as(Peer.class).state()).isEqualTo(Peer.ACTIVE);

			assertThat(api.exchange("DELETE", "/api/peers/" + peer.id(), null, peer.secret(), Map.of()).status())
				.isEqualTo(204);
			assertThat(api.get("/api/peers", null).as(PEERS)).extracting(Peer::id).doesNotContain(peer.id());
			assertThat(api.get("/api/peers/" + peer.id(), null).as(Peer.class).state()).isEqualTo(Peer.AWAY);
		}

		@Test
		void peerThatLeftGetsMailSentMeanwhileWhenItComesBack() {
			Agent sender = api.register(unique("sender"));
			String name = unique("leaver");
			Agent leaver = api.register(Map.of("name", name, "session_key", "session-" + name));
			api.exchange("DELETE", "/api/peers/" + leaver.id(), null, leaver.secret(), Map.of());

			assertThat(api.send(sender, leaver, "while you were away").status()).isEqualTo(201);

			Agent back = api.register(Map.of("name", name, "session_key", "session-" + name));
			assertThat(back.id()).isEqualTo(leaver.id());
			assertThat(api.unread(back)).extracting(Message::body).containsExactly("while you were away");
		}

		@Test
		void scopeRepoMatchesWorktreesAndClonesOfOneRepository() {
			String repo = unique("shop");
			Agent main = api.register(Map.of("name", unique("main"), "repo", "git@github.com:acme/" + repo + ".git",
					"session_key", unique("k")));
			Agent clone = api.register(Map.of("name", unique("clone"), "repo", "https://github.com/acme/" + repo,
					"session_key", unique("k")));
			Agent other = api.register(Map.of("name", unique("other"), "repo", "git@github.com:acme/elsewhere.git",
					"session_key", unique("k")));

			List<Peer> sameRepo = api.get("/api/peers?scope=repo", main.secret()).as(PEERS);
			List<Peer> machine = api.get("/api/peers?scope=machine", main.secret()).as(PEERS);

			assertThat(sameRepo).extracting(Peer::id).containsExactlyInAnyOrder(main.id(), clone.id());
			assertThat(machine).extracting(Peer::id).contains(main.id(), clone.id(), other.id());
		}

		@Test
		void badRegistrationsAreRefusedAndRegisterNothing() {
			int before = api.get("/api/peers", null).as(PEERS).size();

			Response badName = api.post("/api/peers", Map.of("name", "no spaces please"), null);
			Response badPid = api.post("/api/peers", Map.of("name", unique("x"), "pid", -1), null);
			Response malformed = api.post("/api/peers", "{\"name\": ", null);
			Response wrongType = api.post("/api/peers", "[1,2,3]", null);

			assertThat(badName.status()).isEqualTo(400);
			assertThat(badName.detail()).contains("name").contains("letters, digits");
			assertThat(badPid.status()).isEqualTo(400);
			assertThat(malformed.status()).isEqualTo(400);
			assertThat(malformed.json().path("code").asString()).isEqualTo("malformed_json");
			assertThat(wrongType.status()).isEqualTo(400);
			assertThat(api.get("/api/peers", null).as(PEERS)).hasSize(before);
		}

		@Test
		void unknownPeerIs404AndInvalidScopeIs400() {
			Response unknown = api.get("/api/peers/nobody-at-all", null);
			Response scope = api.get("/api/peers?scope=galaxy", null);

			assertThat(unknown.status()).isEqualTo(404);
			assertThat(unknown.headers().firstValue("Content-Type"))
				.hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
			assertThat(unknown.detail()).contains("nobody-at-all");
			assertThat(scope.status()).isEqualTo(400);
			assertThat(scope.detail()).contains("'machine', 'repo' or 'all'");
		}

	}

	@Nested
	class Messages {

		@Test
		void directMessagesArriveInOrderStampedWithTheSenderAndStayUntilAcknowledged() {
			Agent alice = api.register(unique("alice"));
			Agent bob = api.register(unique("bob"));

			Message first = api.send(alice, bob, "one").as(Message.class);
			api.send(alice, bob, "two");
			Response reply = api.post("/api/peers/" + alice.id() + "/messages",
					Map.of("body", "re: one", "reply_to", first.id()), bob.secret());

			List<Message> inbox = api.unread(bob);
			assertThat(inbox).extracting(Message::body).containsExactly("one", "two");
			assertThat(inbox).allSatisfy(m -> {
				assertThat(m.from()).isEqualTo(alice.name());
				assertThat(m.fromId()).isEqualTo(alice.id());
				assertThat(m.kind()).isEqualTo(MessageKind.DIRECT);
			});
			assertThat(api.unread(bob)).as("reading does not acknowledge").hasSize(2);
			assertThat(reply.as(Message.class).replyTo()).isEqualTo(first.id());

			JsonNode ack = api.ack(bob, List.of(first.id())).json();
			assertThat(ack.path("acknowledged").asInt()).isEqualTo(1);
			assertThat(ack.path("unread").asInt()).isEqualTo(1);
			assertThat(api.ack(bob, List.of(first.id())).json().path("acknowledged").asInt())
				.as("acknowledging twice is harmless")
				.isZero();
			assertThat(api.unread(bob)).extracting(Message::body).containsExactly("two");
		}

		@Test
		void theOperatorSendsAsCliUser() {
			Agent bob = api.register(unique("bob"));

			Response sent = api.post("/api/peers/" + bob.name() + "/messages", Map.of("body", "from the terminal"),
					null);

			assertThat(sent.status()).isEqualTo(201);
			assertThat(api.unread(bob)).singleElement()
				.satisfies(m -> assertThat(m.from()).isEqualTo("cli:" + System.getProperty("user.name")));
		}

		@Test
		void longPollReturnsAsSoonAsMailArrives() throws Exception {
			Agent alice = api.register(unique("alice"));
			Agent bob = api.register(unique("bob"));

			long start = System.nanoTime();
			CompletableFuture<Response> poll = CompletableFuture
				.supplyAsync(() -> api.get("/api/peers/" + bob.id() + "/messages?wait=20", bob.secret()));
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !poll.isDone());
			api.send(alice, bob, "wake up");
			Response woken = poll.get();

			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
			assertThat(woken.as(new TypeReference<List<Message>>() {
			})).extracting(Message::body).containsExactly("wake up");
		}

		@Test
		void longPollOnAnEmptyInboxAnswersAnEmptyListWhenTheTimeIsUp() {
			Agent bob = api.register(unique("bob"));

			long start = System.nanoTime();
			Response response = api.get("/api/peers/" + bob.id() + "/messages?wait=0.5", bob.secret());

			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("[]");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
		}

		@Test
		void longPollsWhoseTimeRunsOutAsMailArrivesAllAnswerAndLoseNothing() throws Exception {
			// Mail sent as a long-poll's time runs out races the end of its wait: the
			// long-poll must answer either way (with or without the mail), and the mail
			// must stay readable.
			Agent alice = api.register(unique("alice"));
			List<Agent> readers = IntStream.range(0, 16).mapToObj(i -> api.register(unique("reader"))).toList();
			Map<Agent, List<String>> read = new HashMap<>();
			ExecutorService polling = Executors.newFixedThreadPool(readers.size());
			try {
				for (int round = 0; round < 12; round++) {
					List<CompletableFuture<Response>> polls = readers.stream()
						.map(reader -> CompletableFuture.supplyAsync(
								() -> api.get("/api/peers/" + reader.id() + "/messages?wait=0.2", reader.secret()),
								polling))
						.toList();
					Thread.sleep(180 + 10L * (round % 5));
					for (Agent reader : readers) {
						api.send(alice, reader, "round " + round);
					}
					for (CompletableFuture<Response> poll : polls) {
						assertThat(poll.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
					}
					// Emptied between rounds: every long-poll of the next one waits.
					for (Agent reader : readers) {
						List<Message> unread = api.unread(reader);
						read.computeIfAbsent(reader, key -> new ArrayList<>())
							.addAll(unread.stream().map(Message::body).toList());
						api.ack(reader, unread.stream().map(Message::id).toList());
					}
				}
			}
			finally {
				polling.shutdownNow();
			}
			List<String> everyRound = IntStream.range(0, 12).mapToObj(round -> "round " + round).toList();
			assertThat(read.values()).allSatisfy(bodies -> assertThat(bodies).isEqualTo(everyRound));
		}

		@Test
		void badMessagesAreRefusedAndDeliverNothing() {
			Agent alice = api.register(unique("alice"));
			Agent bob = api.register(unique("bob"));
			String path = "/api/peers/" + bob.id() + "/messages";

			Response unknown = api.post("/api/peers/nobody-here/messages", Map.of("body", "hi"), alice.secret());
			Response empty = api.post(path, Map.of("body", "   "), alice.secret());
			Response missing = api.post(path, Map.of("text", "hi"), alice.secret());
			Response malformed = api.post(path, "{\"body\": \"unterminated", alice.secret());
			Response noBody = api.exchange("POST", path, null, alice.secret(), Map.of());
			Response toSelf = api.send(alice, alice, "me");
			Response longReplyTo = api.post(path, Map.of("body", "x", "reply_to", "r".repeat(200)), alice.secret());
			Response plainText = api.exchange("POST", path, "hi", alice.secret(), Map.of("Content-Type", "text/plain"));
			Response tooLarge = api.send(alice, bob, "x".repeat(64 * 1024 + 1));
			Response multiByteTooLarge = api.send(alice, bob, "é".repeat(32 * 1024 + 1));
			Response hugeRequest = api.send(alice, bob, "x".repeat(2 * 1024 * 1024));

			assertThat(unknown.status()).isEqualTo(404);
			assertThat(empty.status()).isEqualTo(400);
			assertThat(empty.detail()).contains("body");
			assertThat(missing.status()).isEqualTo(400);
			assertThat(malformed.status()).isEqualTo(400);
			assertThat(noBody.status()).isEqualTo(400);
			assertThat(toSelf.status()).isEqualTo(400);
			assertThat(longReplyTo.status()).isEqualTo(400);
			assertThat(plainText.status()).isEqualTo(415);
			assertThat(tooLarge.status()).isEqualTo(413);
			assertThat(tooLarge.detail()).contains("65537 bytes").contains("65536");
			assertThat(multiByteTooLarge.status()).isEqualTo(413);
			assertThat(hugeRequest.status()).isEqualTo(413);
			assertThat(api.unread(bob)).isEmpty();
			assertThat(api.send(alice, bob, "x".repeat(64 * 1024)).status()).as("exactly the limit is fine")
				.isEqualTo(201);
		}

		@Test
		void aFullInboxAnswers429AndKeepsWhatItHas() {
			Agent alice = api.register(unique("alice"));
			Agent bob = api.register(unique("bob"));
			for (int i = 0; i < 1000; i++) {
				assertThat(api.send(alice, bob, "m" + i).status()).isEqualTo(201);
			}

			Response full = api.send(alice, bob, "one too many");

			assertThat(full.status()).isEqualTo(429);
			assertThat(full.detail()).contains(bob.name()).contains("1000");
			List<Message> inbox = api.unread(bob);
			assertThat(inbox).hasSize(1000);
			assertThat(inbox.get(999).body()).isEqualTo("m999");
			api.ack(bob, List.of(inbox.get(0).id()));
			assertThat(api.send(alice, bob, "room again").status()).isEqualTo(201);
		}

		@Test
		void badWaitAndAckRequestsAreRefused() {
			Agent bob = api.register(unique("bob"));
			String path = "/api/peers/" + bob.id() + "/messages";

			assertThat(api.get(path + "?wait=abc", bob.secret()).detail()).contains("wait must be a number");
			assertThat(api.get(path + "?wait=-1", bob.secret()).status()).isEqualTo(400);
			assertThat(api.get(path + "?wait=3600", bob.secret()).status()).isEqualTo(400);
			assertThat(api.post(path + "/ack", Map.of(), bob.secret()).status()).isEqualTo(400);
			assertThat(api.post(path + "/ack", Map.of("ids", "not-a-list"), bob.secret()).status()).isEqualTo(400);
		}

	}

	@Nested
	class TopicsAndBroadcasts {

		@Test
		void topicBroadcastReachesSubscribersOnlyAndNeverTheSender() {
			String topic = unique("deploys");
			Agent alice = api.register(unique("alice"));
			Agent bob = api.register(unique("bob"));
			Agent carol = api.register(unique("carol"));
			for (Agent subscriber : List.of(alice, bob)) {
				Response subscribed = api.exchange("PUT", "/api/topics/" + topic + "/subscribers/" + subscriber.id(),
						null, subscriber.secret(), Map.of());
				assertThat(subscribed.status()).isEqualTo(200);
			}

			assertThat(api.get("/api/topics", null).as(TOPICS))
				.contains(new Topic(topic, List.of(alice.name(), bob.name())));
			assertThat(api.get("/api/peers/" + bob.id(), null).as(Peer.class).topics()).containsExactly(topic);

			BroadcastResult result = api
				.post("/api/broadcasts", Map.of("body", "v2 is out", "topic", topic), alice.secret())
				.as(BroadcastResult.class);

			assertThat(result.reached()).isEqualTo(1);
			assertThat(result.recipients()).containsExactly(bob.name());
			assertThat(api.unread(bob)).singleElement().satisfies(m -> {
				assertThat(m.topic()).isEqualTo(topic);
				assertThat(m.kind()).isEqualTo(MessageKind.BROADCAST);
				assertThat(m.id()).isEqualTo(result.id());
			});
			assertThat(api.unread(alice)).isEmpty();
			assertThat(api.unread(carol)).isEmpty();

			Response detached = api.exchange("DELETE", "/api/topics/" + topic + "/subscribers/" + bob.id(), null,
					bob.secret(), Map.of());
			assertThat(detached.as(Topic.class).subscribers()).containsExactly(alice.name());
			Response again = api.exchange("DELETE", "/api/topics/" + topic + "/subscribers/" + bob.id(), null,
					bob.secret(), Map.of());
			assertThat(again.status()).isEqualTo(404);
		}

		@Test
		void broadcastWithoutTopicReachesEveryPeerInScope() {
			String repo = "/repos/" + unique("mono") + "/.git";
			Agent alice = api.register(Map.of("name", unique("alice"), "repo", repo, "session_key", unique("k")));
			Agent bob = api.register(Map.of("name", unique("bob"), "repo", repo, "session_key", unique("k")));
			Agent stranger = api.register(unique("stranger"));

			BroadcastResult inRepo = api
				.post("/api/broadcasts", Map.of("body", "repo only", "scope", "repo"), alice.secret())
				.as(BroadcastResult.class);
			BroadcastResult everyone = api.post("/api/broadcasts", Map.of("body", "hello all"), alice.secret())
				.as(BroadcastResult.class);

			assertThat(inRepo.recipients()).containsExactly(bob.name());
			assertThat(everyone.recipients()).contains(bob.name(), stranger.name()).doesNotContain(alice.name());
			assertThat(api.unread(stranger)).extracting(Message::body).containsExactly("hello all");
		}

		@Test
		void invalidTopicsAndBroadcastsAreRefused() {
			Agent alice = api.register(unique("alice"));

			Response badTopic = api.exchange("PUT", "/api/topics/bad%20topic!/subscribers/" + alice.id(), null,
					alice.secret(), Map.of());
			Response longTopic = api.exchange("PUT", "/api/topics/" + "t".repeat(65) + "/subscribers/" + alice.id(),
					null, alice.secret(), Map.of());
			Response badBroadcastTopic = api.post("/api/broadcasts", Map.of("body", "x", "topic", "a/b"),
					alice.secret());
			Response emptyBroadcast = api.post("/api/broadcasts", Map.of("topic", "news"), alice.secret());
			Response badScope = api.post("/api/broadcasts", Map.of("body", "x", "scope", "planet"), alice.secret());
			Response operatorRepoScope = api.post("/api/broadcasts", Map.of("body", "x", "scope", "repo"), null);

			assertThat(badTopic.status()).isEqualTo(400);
			assertThat(badTopic.detail()).contains("topic");
			assertThat(longTopic.status()).isEqualTo(400);
			assertThat(badBroadcastTopic.status()).isEqualTo(400);
			assertThat(emptyBroadcast.status()).isEqualTo(400);
			assertThat(badScope.status()).isEqualTo(400);
			assertThat(operatorRepoScope.status()).isEqualTo(400);
			assertThat(api.get("/api/peers/" + alice.id(), null).as(Peer.class).topics()).isEmpty();
		}

	}

	@Nested
	class Tasks {

		@Test
		void delegatedTaskReachesTheAssigneeAndItsOutcomeReachesTheDelegator() {
			Agent lead = api.register(unique("lead"));
			Agent dev = api.register(unique("dev"));

			Response created = api.post("/api/tasks",
					Map.of("to", dev.name(), "description", "add a health check", "context", "see ticket ABC-12"),
					lead.secret());
			assertThat(created.status()).isEqualTo(201);
			Task task = created.as(Task.class);
			assertThat(task.status()).isEqualTo(TaskStatus.PENDING);
			assertThat(task.from()).isEqualTo(lead.name());
			assertThat(task.to()).isEqualTo(dev.name());

			Message assignment = api.unread(dev).get(0);
			assertThat(assignment.kind()).isEqualTo(MessageKind.TASK);
			assertThat(assignment.taskId()).isEqualTo(task.id());
			assertThat(assignment.body()).contains("add a health check").contains("see ticket ABC-12");

			Response reported = api.post("/api/tasks/" + task.id() + "/result",
					Map.of("status", "completed", "result", "added /health"), dev.secret());
			assertThat(reported.status()).isEqualTo(200);
			assertThat(reported.as(Task.class).status()).isEqualTo(TaskStatus.COMPLETED);

			Message outcome = api.unread(lead).get(0);
			assertThat(outcome.kind()).isEqualTo(MessageKind.TASK_RESULT);
			assertThat(outcome.taskId()).isEqualTo(task.id());
			assertThat(outcome.body()).contains("completed").contains("added /health");
			assertThat(outcome.from()).isEqualTo(dev.name());

			Task fetched = api.get("/api/tasks/" + task.id(), null).as(Task.class);
			assertThat(fetched.result()).isEqualTo("added /health");
			assertThat(fetched.finishedAt()).isNotNull();
			assertThat(api.get("/api/tasks?peer=" + lead.name(), null).as(TASKS)).extracting(Task::id)
				.containsExactly(task.id());
			assertThat(api.get("/api/tasks?peer=" + dev.id(), null).as(TASKS)).extracting(Task::id)
				.containsExactly(task.id());
		}

		@Test
		void onlyTheAssigneeReportsAndOnlyOnce() {
			Agent lead = api.register(unique("lead"));
			Agent dev = api.register(unique("dev"));
			Agent intruder = api.register(unique("intruder"));
			Task task = api.post("/api/tasks", Map.of("to", dev.id(), "description", "do it"), lead.secret())
				.as(Task.class);
			String resultPath = "/api/tasks/" + task.id() + "/result";

			Response byIntruder = api.post(resultPath, Map.of("status", "completed", "result", "done"),
					intruder.secret());
			Response byDelegator = api.post(resultPath, Map.of("status", "failed", "result", "nope"), lead.secret());
			Response byOperator = api.post(resultPath, Map.of("status", "completed", "result", "done"), null);
			Response badStatus = api.post(resultPath, Map.of("status", "done", "result", "x"), dev.secret());
			Response pendingStatus = api.post(resultPath, Map.of("status", "pending", "result", "x"), dev.secret());
			Response noResult = api.post(resultPath, Map.of("status", "completed"), dev.secret());

			assertThat(byIntruder.status()).isEqualTo(403);
			assertThat(byIntruder.detail()).contains(dev.name());
			assertThat(byDelegator.status()).isEqualTo(403);
			assertThat(byOperator.status()).isEqualTo(403);
			assertThat(badStatus.status()).isEqualTo(400);
			assertThat(badStatus.detail()).contains("'completed' or 'failed'");
			assertThat(pendingStatus.status()).isEqualTo(400);
			assertThat(noResult.status()).isEqualTo(400);
			assertThat(api.get("/api/tasks/" + task.id(), null).as(Task.class).status()).isEqualTo(TaskStatus.PENDING);
			assertThat(api.unread(lead)).isEmpty();

			assertThat(api.post(resultPath, Map.of("status", "failed", "result", "disk full"), dev.secret()).status())
				.isEqualTo(200);
			Response twice = api.post(resultPath, Map.of("status", "completed", "result", "now done"), dev.secret());
			assertThat(twice.status()).isEqualTo(409);
			assertThat(twice.detail()).contains("already reported as failed");
			Task after = api.get("/api/tasks/" + task.id(), null).as(Task.class);
			assertThat(after.status()).isEqualTo(TaskStatus.FAILED);
			assertThat(after.result()).isEqualTo("disk full");
			assertThat(api.unread(lead)).hasSize(1);
		}

		@Test
		void badTasksAreRefusedAndCreateNothing() {
			Agent lead = api.register(unique("lead"));
			Agent dev = api.register(unique("dev"));

			Response unknownAssignee = api.post("/api/tasks", Map.of("to", "ghost-peer", "description", "x"),
					lead.secret());
			Response noDescription = api.post("/api/tasks", Map.of("to", dev.id()), lead.secret());
			Response noAssignee = api.post("/api/tasks", Map.of("description", "x"), lead.secret());
			Response toSelf = api.post("/api/tasks", Map.of("to", lead.id(), "description", "x"), lead.secret());
			Response tooLarge = api.post("/api/tasks", Map.of("to", dev.id(), "description", "x".repeat(70_000)),
					lead.secret());
			Response byOperator = api.post("/api/tasks", Map.of("to", dev.id(), "description", "x"), null);
			Response unknownTask = api.get("/api/tasks/tnothere", null);
			Response reportUnknown = api.post("/api/tasks/tnothere/result",
					Map.of("status", "completed", "result", "x"), dev.secret());

			assertThat(unknownAssignee.status()).isEqualTo(404);
			assertThat(noDescription.status()).isEqualTo(400);
			assertThat(noAssignee.status()).isEqualTo(400);
			assertThat(toSelf.status()).isEqualTo(400);
			assertThat(tooLarge.status()).isEqualTo(413);
			assertThat(byOperator.status()).isEqualTo(403);
			assertThat(unknownTask.status()).isEqualTo(404);
			assertThat(reportUnknown.status()).isEqualTo(404);
			assertThat(api.get("/api/tasks?peer=" + lead.id(), null).as(TASKS)).isEmpty();
			assertThat(api.unread(dev)).isEmpty();
		}

	}

	@Test
	void brokerInfoMatchesTheStateFile() throws Exception {
		BrokerState state = BrokerApi.JSON.readValue(Files.readString(home.resolve("broker.json")), BrokerState.class);

		BrokerInfo info = api.get("/api/broker", null).as(BrokerInfo.class);

		assertThat(info.instanceId()).isEqualTo(state.instanceId());
		assertThat(info.port()).isEqualTo(port).isEqualTo(state.port());
		assertThat(state.pid()).isEqualTo(ProcessHandle.current().pid());
	}

	@Test
	void unknownRouteIsAProblemDetail() {
		Response response = api.get("/api/nothing-here", null);

		assertThat(response.status()).isEqualTo(404);
		assertThat(response.json().path("code").asString()).isEqualTo("no_such_route");
	}

	/**
	 * Errors that Spring MVC raises itself carry the same {@code code} as the broker's
	 * own.
	 */
	@Test
	void wrongMethodAndUnacceptableTypeAreProblemDetailsWithACode() {
		Response wrongMethod = api.get("/api/peers/anyone/messages/ack", null);
		Response unacceptable = api.exchange("GET", "/api/peers", null, null, Map.of("Accept", "application/xml"));

		assertThat(wrongMethod.status()).isEqualTo(405);
		assertThat(wrongMethod.json().path("code").asString()).isEqualTo("method_not_allowed");
		assertThat(unacceptable.status()).isEqualTo(406);
	}

	/**
	 * Without {@code peer}, the operator's view: every task (the dashboard lists them).
	 */
	@Test
	void tasksWithoutAPeerAreEveryTask() {
		Agent lead = api.register(unique("lead"));
		Agent dev = api.register(unique("dev"));
		Agent qa = api.register(unique("qa"));
		Task first = api.post("/api/tasks", Map.of("to", dev.id(), "description", "one"), lead.secret()).as(Task.class);
		Task second = api.post("/api/tasks", Map.of("to", lead.id(), "description", "two"), qa.secret()).as(Task.class);

		Response all = api.get("/api/tasks", null);

		assertThat(all.status()).isEqualTo(200);
		assertThat(all.as(TASKS)).extracting(Task::id).containsSubsequence(first.id(), second.id());
	}

	@Test
	void tasksOfAPeerNeverSeenIs404AndOfNobodyIs400() {
		Response unknown = api.get("/api/tasks?peer=" + unique("nobody"), null);
		Response blank = api.get("/api/tasks?peer=", null);

		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.json().path("detail").asString()).contains("discover");
		assertThat(blank.status()).isEqualTo(400);
	}

}
