package dev.mycelium.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import dev.mycelium.broker.push.MailSignals;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.Delivery;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.ClaimRelease;
import dev.mycelium.protocol.ClaimRequest;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What every store must do, driven through the broker's rules ({@link BrokerService}) as
 * the web layer drives them: one subclass per store. Liveness and expiry run with a clock
 * the test moves: stale after 30 s, removed after 2 min, mail kept for a 10-minute grace,
 * unread mail expiring after 24 h, and senders told.
 */
abstract class BrokerStoreContractTests {

	static final BrokerProperties.Limits LIMITS = new BrokerProperties.Limits(DataSize.ofKilobytes(64), 1000,
			Duration.ofHours(24), Duration.ofSeconds(60));

	static final BrokerProperties.Liveness LIVENESS = new BrokerProperties.Liveness(Duration.ofSeconds(30),
			Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofSeconds(1));

	final MutableClock clock = new MutableClock();

	final BrokerEventLog events = new BrokerEventLog(100);

	BrokerStore store;

	BrokerService repository;

	/** A new, empty store of the kind under test. */
	abstract BrokerStore createStore() throws Exception;

	@BeforeEach
	void openStore() throws Exception {
		store = createStore();
		repository = service(store, LIMITS);
	}

	@AfterEach
	void closeStore() {
		store.close();
	}

	BrokerService service(BrokerStore over, BrokerProperties.Limits limits) {
		return service(over, limits, "here");
	}

	/** The rules of a broker on machine {@code host}. */
	BrokerService service(BrokerStore over, BrokerProperties.Limits limits, String host) {
		return new BrokerService(over, new MailSignals(), clock, limits, LIVENESS, events, () -> host);
	}

	@Test
	void silentPeerIsStaleThenRemovedAndAHeartbeatKeepsItActive() {
		Caller quiet = register("quiet", "k-quiet");
		Caller chatty = register("chatty", "k-chatty");

		clock.advance(Duration.ofSeconds(31));
		repository.heartbeat(chatty, chatty.peerId());
		assertThat(repository.peer("quiet").state()).isEqualTo(Peer.STALE);
		assertThat(repository.peer("chatty").state()).isEqualTo(Peer.ACTIVE);

		clock.advance(Duration.ofSeconds(90));
		repository.heartbeat(chatty, chatty.peerId());
		repository.sweep();

		assertThat(repository.peers(Scope.MACHINE, Caller.operator())).extracting(Peer::name).containsExactly("chatty");
		assertThat(repository.peer(quiet.peerId()).state()).isEqualTo(Peer.AWAY);
	}

	@Test
	void removedPeerThatComesBackWithinTheGraceGetsItsMail() {
		Caller sender = register("sender", "k-sender");
		Caller away = register("away", "k-away");
		repository.send(sender, "away", new DirectMessage("while you slept", null));

		clock.advance(Duration.ofMinutes(3));
		repository.heartbeat(sender, sender.peerId());
		repository.sweep();
		clock.advance(Duration.ofMinutes(9));
		repository.sweep();
		Registration back = repository.register(registration("away", "k-away"));

		assertThat(back.id()).isEqualTo(away.peerId());
		assertThat(back.resumed()).isTrue();
		assertThat(repository.unread(new Caller(back.id(), back.name()), back.id())).extracting(Message::body)
			.containsExactly("while you slept");
	}

	@Test
	void afterTheGraceUnreadMailIsReportedToEachSenderAsExpired() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		Caller gone = register("gone", "k-gone");
		Message one = repository.send(alice, "gone", new DirectMessage("one", null));
		Message two = repository.send(alice, "gone", new DirectMessage("two", null));
		repository.send(bob, "gone", new DirectMessage("three", null));
		repository.leave(gone, gone.peerId());

		clock.advance(Duration.ofMinutes(11));
		repository.heartbeat(alice, alice.peerId());
		repository.heartbeat(bob, bob.peerId());
		repository.sweep();

		List<Message> aliceInbox = repository.unread(alice, alice.peerId());
		assertThat(aliceInbox).singleElement().satisfies(notice -> {
			assertThat(notice.kind()).isEqualTo(MessageKind.EXPIRED);
			assertThat(notice.from()).isEqualTo("mycelium");
			assertThat(notice.body()).contains("2 messages").contains("gone").contains(one.id()).contains(two.id());
		});
		assertThat(repository.unread(bob, bob.peerId())).singleElement()
			.satisfies(notice -> assertThat(notice.body()).startsWith("1 message you sent to gone expired"));
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> repository.peer("gone"))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(BrokerException.Reason.NOT_FOUND));

		Registration fresh = repository.register(registration("gone", "k-gone"));
		assertThat(fresh.resumed()).as("after the grace, the same session key starts afresh").isFalse();
		assertThat(fresh.id()).isNotEqualTo(gone.peerId());
	}

	@Test
	void unreadMessagesExpireAfterTheirTimeToLiveAndTheSenderIsTold() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		Message old = repository.send(alice, "bob", new DirectMessage("old news", null));
		clock.advance(Duration.ofHours(23));
		repository.send(alice, "bob", new DirectMessage("fresh", null));

		clock.advance(Duration.ofHours(1).plusSeconds(1));
		keepAlive(alice, bob);
		repository.sweep();

		assertThat(repository.unread(bob, bob.peerId())).extracting(Message::body).containsExactly("fresh");
		assertThat(repository.unread(alice, alice.peerId())).singleElement()
			.satisfies(notice -> assertThat(notice.body()).contains("bob").contains(old.id()));
	}

	@Test
	void tasksSurviveTheirAssigneeAndShowAsOrphaned() {
		Caller lead = register("lead", "k-lead");
		Caller dev = register("dev", "k-dev");
		Task task = repository.delegate(lead, new TaskRequest("dev", "write docs", null));
		repository.leave(dev, dev.peerId());

		assertThat(repository.task(task.id()).orphaned()).as("during the grace it may still come back").isFalse();

		clock.advance(Duration.ofMinutes(11));
		keepAlive(lead);
		repository.sweep();

		Task orphan = repository.task(task.id());
		assertThat(orphan.orphaned()).isTrue();
		assertThat(repository.tasks("lead")).extracting(Task::id).containsExactly(task.id());
		assertThat(repository.tasks("dev")).as("found by the old name").extracting(Task::id).containsExactly(task.id());
	}

	@Test
	void aPeerThatSpeaksAgainAfterBeingRemovedComesBack() {
		Caller sleeper = register("sleeper", "k-sleeper");
		clock.advance(Duration.ofMinutes(3));
		repository.sweep();
		assertThat(repository.peer("sleeper").state()).isEqualTo(Peer.AWAY);

		assertThat(repository.authenticate(secretOf("sleeper"))).isPresent();

		assertThat(repository.peer("sleeper").state()).isEqualTo(Peer.ACTIVE);
		assertThat(sleeper.peerId()).isEqualTo(repository.peer("sleeper").id());
	}

	@Test
	void waitingForMailCompletesWhenMailArrives() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		CompletableFuture<Void> arrival = repository.mailArrival(bob, "bob");
		assertThat(arrival).isNotDone();

		repository.send(alice, "bob", new DirectMessage("hi", null));

		assertThat(arrival).isDone();
		assertThat(repository.mailArrival(bob, "bob")).as("unread mail: no wait").isDone();
	}

	@Test
	void ambiguousIdPrefixIsRefusedWithTheCandidates() {
		for (int i = 0; i < 200; i++) {
			register("p" + i, "k" + i);
		}
		String prefix = repository.peers(Scope.MACHINE, Caller.operator())
			.stream()
			.map(peer -> peer.id().substring(0, 1))
			.filter(p -> repository.peers(Scope.MACHINE, Caller.operator())
				.stream()
				.filter(peer -> peer.id().startsWith(p))
				.count() > 1)
			.findFirst()
			.orElseThrow();

		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> repository.peer(prefix))
			.withMessageContaining("matches several peers");
	}

	@Test
	void aNameAddressesTheLiveSessionAndMailForOneThatLeftStaysWithIt() {
		Caller sender = register("sender", "k-sender");
		Caller first = register("shop", "k-first");
		repository.send(sender, "shop", new DirectMessage("for the first shop", null));
		repository.leave(first, first.peerId());

		Registration second = repository.register(registration(null, "k-second"));
		Caller secondCaller = new Caller(second.id(), second.name());

		assertThat(second.name()).as("the live session takes the plain name").isEqualTo("shop");
		Peer departed = repository.peer(first.peerId());
		assertThat(departed.name()).isEqualTo("shop-2");
		assertThat(departed.state()).isEqualTo(Peer.AWAY);
		assertThat(departed.unread()).as("its mail stays with it").isEqualTo(1);
		assertThat(repository.send(sender, "shop", new DirectMessage("for the live one", null)).toId())
			.isEqualTo(second.id());

		// The first session comes back while the second lives: it keeps its new name.
		Registration back = repository.register(registration(null, "k-first"));
		assertThat(back.id()).isEqualTo(first.peerId());
		assertThat(back.name()).isEqualTo("shop-2");
		assertThat(repository.unread(new Caller(back.id(), back.name()), back.id())).extracting(Message::body)
			.containsExactly("for the first shop");

		// Once the second has left too, the first takes its own name back at its next
		// start.
		repository.leave(secondCaller, second.id());
		assertThat(repository.register(registration(null, "k-first")).name()).isEqualTo("shop");
		assertThat(repository.peer(second.id()).name()).isEqualTo("shop-3");
	}

	@Test
	void twoLiveSessionsInOneDirectoryStillGetASuffix() {
		register("shop", "k-a");
		assertThat(repository.register(registration(null, "k-b")).name()).isEqualTo("shop-2");
	}

	@Test
	void holdsKeepMessagesFromTheOtherPathsUntilReadReleasedOrTheSessionRestarts() {
		Caller sender = register("sender", "k-sender");
		Caller bob = register("bob", "k-bob");
		Message one = repository.send(sender, "bob", new DirectMessage("one", null));
		Message two = repository.send(sender, "bob", new DirectMessage("two", null));

		assertThat(repository.hold(bob, bob.peerId(), List.of(one.id(), "no-such-id"))).isEqualTo(1);
		assertThat(repository.hold(bob, bob.peerId(), List.of(one.id()))).as("already held").isZero();
		assertThat(repository.unread(bob, bob.peerId(), false)).extracting(Message::id).containsExactly(two.id());
		assertThat(repository.unread(bob, bob.peerId(), true)).hasSize(2);
		assertThatExceptionOfType(BrokerException.class)
			.isThrownBy(() -> repository.hold(sender, bob.peerId(), List.of(two.id())))
			.withMessageContaining("Only bob itself");

		assertThat(repository.release(bob, bob.peerId(), List.of(one.id()))).isEqualTo(1);
		assertThat(repository.unread(bob, bob.peerId(), false)).hasSize(2);

		repository.hold(bob, bob.peerId(), List.of(two.id()));
		Registration restarted = repository.register(registration("bob", "k-bob"));
		assertThat(repository.held(new Caller(restarted.id(), restarted.name()), restarted.id()))
			.as("a new serve never confirms what the old one held")
			.isEmpty();

		repository.hold(new Caller(restarted.id(), restarted.name()), restarted.id(), List.of(two.id()));
		repository.acknowledge(new Caller(restarted.id(), restarted.name()), restarted.id(), List.of(two.id()));
		assertThat(repository.hold(new Caller(restarted.id(), restarted.name()), restarted.id(), List.of(two.id())))
			.as("read: nothing left to hold")
			.isZero();
	}

	@Test
	void eachInboxKeepsArrivalOrderPerSenderAndRefusesMailBeyondItsLimit() {
		BrokerService small = service(store,
				new BrokerProperties.Limits(DataSize.ofKilobytes(64), 3, Duration.ofHours(24), Duration.ofSeconds(60)));
		Caller alice = register("alice", "k-alice");
		Caller carol = register("carol", "k-carol");
		Caller bob = register("bob", "k-bob");
		small.send(alice, "bob", new DirectMessage("a1", null));
		small.send(carol, "bob", new DirectMessage("c1", null));
		small.send(alice, "bob", new DirectMessage("a2", null));

		assertThatExceptionOfType(BrokerException.class)
			.isThrownBy(() -> small.send(carol, "bob", new DirectMessage("c2", null)))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(BrokerException.Reason.INBOX_FULL))
			.withMessageContaining("bob's inbox is full (3 unread)");
		assertThat(small.unread(bob, "bob")).extracting(Message::body).containsExactly("a1", "c1", "a2");

		BroadcastResult broadcast = small.broadcast(alice, new Broadcast("to all", null, null));
		assertThat(broadcast.recipients()).containsExactly("carol");
		assertThat(broadcast.skipped()).extracting(BroadcastResult.Skipped::peer).containsExactly("bob");
		assertThat(small.peer("bob").unread()).isEqualTo(3);
	}

	@Test
	void acknowledgingRemovesOnlyTheGivenMessagesOnceAndSequencesAreNeverReused() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		Message one = repository.send(alice, "bob", new DirectMessage("one", null));
		Message two = repository.send(alice, "bob", new DirectMessage("two", null));
		long last = repository.unreadAfter(bob.peerId(), 0, 10).get(1).sequence();

		assertThat(repository.acknowledge(bob, "bob", List.of(two.id(), "unknown")))
			.isEqualTo(new AcknowledgementResult(1, 1));
		assertThat(repository.acknowledge(bob, "bob", List.of(two.id()))).as("twice is harmless")
			.isEqualTo(new AcknowledgementResult(0, 1));
		Message three = repository.send(alice, "bob", new DirectMessage("three", null));

		List<Delivery> after = repository.unreadAfter(bob.peerId(), last, 10);
		assertThat(after).extracting(d -> d.message().id()).containsExactly(three.id());
		assertThat(repository.unreadAfter(bob.peerId(), 0, 10)).extracting(d -> d.message().id())
			.containsExactly(one.id(), three.id());
		assertThat(repository.outbox(alice, "alice")).extracting(Message::id).containsExactly(one.id(), three.id());
	}

	@Test
	void aTaskIsReportedOnceByItsAssigneeAndTheDelegatorIsTold() {
		Caller lead = register("lead", "k-lead");
		Caller dev = register("dev", "k-dev");
		Task task = repository.delegate(lead, new TaskRequest("dev", "write docs", "see ticket ABC-12"));
		assertThat(repository.unread(dev, "dev")).singleElement().satisfies(m -> {
			assertThat(m.kind()).isEqualTo(MessageKind.TASK);
			assertThat(m.taskId()).isEqualTo(task.id());
		});

		assertThatExceptionOfType(BrokerException.class)
			.isThrownBy(() -> repository.report(lead, task.id(), new TaskOutcome(TaskStatus.COMPLETED, "done")))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(BrokerException.Reason.FORBIDDEN));
		Task done = repository.report(dev, task.id(), new TaskOutcome(TaskStatus.FAILED, "no time"));
		assertThatExceptionOfType(BrokerException.class)
			.isThrownBy(() -> repository.report(dev, task.id(), new TaskOutcome(TaskStatus.COMPLETED, "after all")))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(BrokerException.Reason.CONFLICT));

		assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
		assertThat(repository.task(task.id()).result()).isEqualTo("no time");
		assertThat(repository.unread(lead, "lead")).singleElement()
			.satisfies(m -> assertThat(m.body()).isEqualTo("failed: no time"));
	}

	@Test
	void topicsAndSessionKeysBelongToThePeer() {
		Caller bob = register("bob", "k-bob");
		Caller alice = register("alice", "k-alice");
		repository.subscribe(bob, "deploys", "bob");
		repository.subscribe(alice, "Deploys", "alice");

		assertThat(repository.topics()).singleElement()
			.satisfies(topic -> assertThat(topic.subscribers()).containsExactly("alice", "bob"));
		assertThat(repository.broadcast(alice, new Broadcast("v2", "deploys", null)).recipients())
			.containsExactly("bob");
		repository.unsubscribe(bob, "deploys", "bob");
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> repository.unsubscribe(bob, "deploys", "bob"))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(BrokerException.Reason.NOT_FOUND));

		Registration again = repository.register(registration("bob", "k-bob"));
		assertThat(again.resumed()).isTrue();
		assertThat(repository.authenticate(secretOf("bob"))).as("the old secret stops working").isEmpty();
		assertThat(repository.authenticate(again.secret())).map(Caller::peerId).contains(bob.peerId());
	}

	@Test
	void aHookOfASessionWhoseServeHasAnotherSessionIdTakesOverThePeerThatLeft() {
		Caller sender = register("sender", "k-sender");
		Registration first = repository
			.register(new PeerRegistration("shop", 1L, "/work/shop", null, "main", null, "session-1", 42L));
		Caller firstCaller = new Caller(first.id(), first.name());
		repository.send(sender, first.id(), new DirectMessage("for the session", null));
		repository.subscribe(firstCaller, "deploys", first.id());
		Task task = repository.delegate(firstCaller, new TaskRequest("sender", "review", null));
		repository.leave(firstCaller, first.id());
		Registration second = repository
			.register(new PeerRegistration("shop", 2L, "/work/shop", null, "main", null, "session-2", 42L));

		Optional<Caller> hook = repository.hookSession("session-1", 42L);

		assertThat(hook).map(Caller::peerId).contains(second.id());
		Caller heir = hook.orElseThrow();
		assertThat(repository.unread(heir, second.id())).singleElement().satisfies(m -> {
			assertThat(m.body()).isEqualTo("for the session");
			assertThat(m.toId()).isEqualTo(second.id());
		});
		assertThat(repository.peer(second.id()).topics()).containsExactly("deploys");
		assertThat(repository.peer(second.id()).delivery()).isEqualTo("hooks");
		assertThat(repository.task(task.id()).fromId()).isEqualTo(second.id());
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> repository.peer(first.id()));
		assertThat(repository.hookSession("session-1", null)).as("the key now names the heir")
			.map(Caller::peerId)
			.contains(second.id());
	}

	@Test
	void aBroadcastThatReachedBothPeersOfOneSessionIsOnceInTheHeirsInboxAndCanBeAcknowledged() {
		Caller sender = register("sender", "k-sender");
		Registration first = repository
			.register(new PeerRegistration("shop", 1L, "/work/shop", null, "main", null, "session-1", 42L));
		Registration second = repository
			.register(new PeerRegistration("shop", 2L, "/work/shop", null, "main", null, "session-2", 42L));
		BroadcastResult sent = repository.broadcast(sender, new Broadcast("v2 is live", null, null));
		assertThat(sent.recipients()).containsExactlyInAnyOrder(first.name(), second.name());
		repository.leave(new Caller(first.id(), first.name()), first.id());

		Caller heir = repository.hookSession("session-1", 42L).orElseThrow();

		assertThat(heir.peerId()).isEqualTo(second.id());
		List<Message> unread = repository.unread(heir, second.id());
		assertThat(unread).extracting(Message::body).containsExactly("v2 is live");
		assertThat(repository.acknowledge(heir, second.id(), List.of(unread.get(0).id())).unread()).isZero();
		assertThat(repository.unread(heir, second.id())).as("nothing left behind that no one can acknowledge")
			.isEmpty();
		assertThat(repository.peer(second.id()).unread()).isZero();
	}

	@Test
	void theStoreTellsOfNewMailOnlyOnceItIsStored() {
		Caller alice = register("alice", "k-alice");
		Caller bob = register("bob", "k-bob");
		List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
		store.onMail(peerId -> {
			assertThat(store.unreadCount(peerId)).as("told after the mail is there").isPositive();
			told.add(peerId);
		});

		repository.send(alice, "bob", new DirectMessage("hi", null));

		assertThat(told).containsExactly(bob.peerId());
	}

	/**
	 * A peer's own requests find it while the writer records new details of it: the serve
	 * of a session reports its delivery mode while its identify runs, and a peer that
	 * went missing for a moment got a 404 for its own heartbeat.
	 */
	@Test
	void aPeerIsNeverMissingToItsOwnRequestsWhileItsDetailsChange() throws Exception {
		Caller bob = register("bob", "k-bob");
		String secret = secretOf("bob");
		AtomicBoolean changing = new AtomicBoolean(true);
		List<String> misses = new java.util.concurrent.CopyOnWriteArrayList<>();
		Runnable asBob = () -> {
			while (changing.get() && misses.size() < 10) {
				if (repository.authenticate(secret).isEmpty()) {
					misses.add("authenticate: unknown secret");
				}
				try {
					repository.heartbeat(bob, bob.peerId());
				}
				catch (BrokerException ex) {
					misses.add("heartbeat: " + ex.getMessage());
				}
			}
		};
		List<Thread> requests = List.of(new Thread(asBob), new Thread(asBob), new Thread(asBob));
		requests.forEach(Thread::start);
		try {
			for (int i = 0; i < 3000 && misses.isEmpty(); i++) {
				repository.update(bob, bob.peerId(), PeerUpdate.summary("step " + i));
			}
		}
		finally {
			changing.set(false);
			for (Thread request : requests) {
				request.join(10_000);
			}
		}

		assertThat(misses).isEmpty();
		assertThat(repository.peer(bob.peerId()).summary()).startsWith("step ");
	}

	/**
	 * A request that authenticated just before its peer left, and reaches the store
	 * after: the peer stays gone rather than coming back live with no secret, where no
	 * one could read its inbox and others would keep sending to it.
	 */
	@Test
	void aRequestThatRacedItsPeersLeaveDoesNotBringThePeerBack() {
		Caller bob = register("bob", "k-bob");
		repository.leave(bob, bob.peerId());

		assertThat(store.touch(bob.peerId(), clock.instant())).isEmpty();
		assertThat(store.peer(bob.peerId())).hasValueSatisfying(peer -> assertThat(peer.isLive()).isFalse());
		assertThat(repository.authenticate(secretOf("bob"))).isEmpty();
		Caller again = register("bob", "k-bob");
		assertThat(again.peerId()).as("registering again resumes it").isEqualTo(bob.peerId());
		assertThat(store.peer(bob.peerId())).hasValueSatisfying(peer -> assertThat(peer.isLive()).isTrue());
	}

	final Map<String, String> secrets = new HashMap<>();

	Caller register(String name, String sessionKey) {
		Registration registration = repository.register(registration(name, sessionKey));
		secrets.put(name, registration.secret());
		return new Caller(registration.id(), registration.name());
	}

	String secretOf(String name) {
		return secrets.get(name);
	}

	void keepAlive(Caller... callers) {
		for (Caller caller : callers) {
			repository.heartbeat(caller, caller.peerId());
		}
	}

	// ---- claims on files

	/** Two worktrees of one repository, as two sessions have them. */
	private Path[] worktrees() throws IOException {
		Path first = Files.createTempDirectory("claims-a");
		Path second = Files.createTempDirectory("claims-b");
		Files.createDirectories(first.resolve(".git"));
		Files.writeString(second.resolve(".git"), "gitdir: " + first.resolve(".git/worktrees/b") + "\n");
		return new Path[] { first, second };
	}

	private Caller session(String name, Path cwd) {
		Registration registration = repository.register(new PeerRegistration(name, 1L, cwd.toString(),
				"git@github.com:acme/app.git", "main", null, "k-" + name));
		return new Caller(registration.id(), registration.name());
	}

	private ClaimService claims() {
		return new ClaimService(store, repository, clock, events, ClaimsMarker.none());
	}

	private static ClaimRequest claiming(String... paths) {
		return new ClaimRequest(List.of(paths), "reworking the API", null, null);
	}

	@Test
	void aClaimDeniesOtherSessionsEditsInEveryWorktreeTellsTheHolderOnceAndTheWaiterWhenReleased() throws IOException {
		Path[] trees = worktrees();
		Caller api = session("api", trees[0]);
		Caller web = session("web", trees[1].resolve("docs"));
		ClaimService claims = claims();

		Claim claim = claims.claim(api, claiming("src/api/**"));
		assertThat(claim.paths()).containsExactly("src/api/**");
		assertThat(claim.exclusive()).isTrue();

		String denial = claims.edit(web, trees[1].resolve("src/api/Orders.java").toString()).denial();
		assertThat(denial).startsWith("mycelium: src/api/Orders.java is claimed by api (src/api/**, exclusive, since ")
			.contains("\"reworking the API\"")
			.contains("Signal api to ask for it");
		assertThat(claims.edit(web, "../src/api/Orders.java").denial()).as("relative to its directory").isNotNull();
		assertThat(claims.edit(web, trees[1].resolve("src/web/App.tsx").toString()))
			.isEqualTo(ClaimService.EditVerdict.ALLOWED);
		assertThat(claims.edit(api, trees[0].resolve("src/api/Orders.java").toString()))
			.as("its own claim never blocks a session")
			.isEqualTo(ClaimService.EditVerdict.ALLOWED);
		assertThat(claims.edit(web, "/etc/hosts")).as("outside the repository")
			.isEqualTo(ClaimService.EditVerdict.ALLOWED);

		List<Message> told = repository.unread(api, api.peerId());
		assertThat(told).singleElement().satisfies(notice -> {
			assertThat(notice.kind()).isEqualTo(MessageKind.CLAIM);
			assertThat(notice.body()).startsWith("web (id " + web.peerId() + ") wanted to edit src/api/Orders.java");
		});
		assertThat(claims.claims()).singleElement().satisfies(c -> assertThat(c.waiting()).containsExactly("web"));

		assertThat(claims.release(api, new ClaimRelease(List.of("src/api/**")))).extracting(Claim::id)
			.containsExactly(claim.id());
		assertThat(repository.unread(web, web.peerId())).singleElement()
			.satisfies(notice -> assertThat(notice.body())
				.isEqualTo("The claim of api on src/api/** ended (released): you can edit those files now."));
		assertThat(claims.edit(web, trees[1].resolve("src/api/Orders.java").toString()))
			.isEqualTo(ClaimService.EditVerdict.ALLOWED);
		assertThat(claims.claims()).isEmpty();
	}

	@Test
	void overlappingClaimsAreRefusedWithTheHolderWhileSharedOnesAndDisjointOnesStandTogether() throws IOException {
		Path[] trees = worktrees();
		Caller api = session("api", trees[0]);
		Caller web = session("web", trees[1]);
		ClaimService claims = claims();
		claims.claim(api, claiming("src/api"));

		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(web, claiming("src/api/v2/**")))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(BrokerException.Reason.CONFLICT))
			.withMessageStartingWith("Not claimed: src/api is claimed by api (exclusive, since 00:00 UTC")
			.withMessageContaining("Signal api to ask for it");
		claims.claim(web, claiming("src/web/**", "**/*.css"));
		claims.claim(api, new ClaimRequest(List.of("README.md"), null, true, null));
		claims.claim(web, new ClaimRequest(List.of("README.md"), null, true, null));
		assertThat(claims.claims()).hasSize(4);

		assertThat(claims.edit(web, trees[1].resolve("README.md").toString()).notice())
			.as("a shared claim tells, it does not refuse")
			.startsWith("mycelium: README.md is under a shared claim: README.md is claimed by api (shared");
		assertThat(claims.edit(web, trees[1].resolve("README.md").toString()).denial()).isNull();
	}

	@Test
	void aClaimEndsWhenItsSessionLeavesOrItsTimeRunsOutAndWhoWaitedIsTold() throws IOException {
		Path[] trees = worktrees();
		Caller api = session("api", trees[0]);
		Caller web = session("web", trees[1]);
		Caller ops = session("ops", trees[1]);
		ClaimService claims = claims();
		claims.claim(api, claiming("src/api/**"));
		claims.claim(ops, new ClaimRequest(List.of("deploy"), null, null, 60L));
		claims.edit(web, trees[1].resolve("src/api/A.java").toString());
		claims.edit(web, trees[1].resolve("deploy/run.sh").toString());

		repository.leave(api, api.peerId());
		assertThat(claims.edit(web, trees[1].resolve("src/api/A.java").toString()))
			.as("a claim of a session that left stands in nobody's way")
			.isEqualTo(ClaimService.EditVerdict.ALLOWED);
		clock.advance(Duration.ofSeconds(61));
		repository.heartbeat(ops, ops.peerId());
		claims.sweep();

		assertThat(claims.claims()).isEmpty();
		assertThat(repository.unread(web, web.peerId())).extracting(Message::body)
			.containsExactlyInAnyOrder(
					"The claim of api on src/api/** ended (its session ended): you can edit those files now.",
					"The claim of ops on deploy ended (its time ran out): you can edit those files now.");
		claims.sweep();
		assertThat(repository.unread(web, web.peerId())).as("told once").hasSize(2);
	}

	@Test
	void sessionsClaimingTheSameFilesAtOnceNeverBothGetThem() throws Exception {
		Path[] trees = worktrees();
		List<Caller> sessions = new java.util.ArrayList<>();
		for (int i = 0; i < 8; i++) {
			sessions.add(session("s" + i, trees[i % 2]));
		}
		ClaimService claims = claims();
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
		try {
			java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
			List<java.util.concurrent.Future<Boolean>> outcomes = new java.util.ArrayList<>();
			for (Caller caller : sessions) {
				outcomes.add(pool.submit(() -> {
					start.await();
					try {
						claims.claim(caller, claiming("src/shared/**"));
						return true;
					}
					catch (BrokerException ex) {
						return false;
					}
				}));
			}
			start.countDown();
			int won = 0;
			for (java.util.concurrent.Future<Boolean> outcome : outcomes) {
				won += outcome.get(30, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
			}
			assertThat(won).isEqualTo(1);
			assertThat(claims.claims()).singleElement().satisfies(c -> assertThat(c.waiting()).hasSize(7));
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void pathsOutsideTheRepositoryAllOfItOrNoPathAtAllAreRefusedWithASentence() throws IOException {
		Path[] trees = worktrees();
		Caller api = session("api", trees[0].resolve("src"));
		ClaimService claims = claims();

		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(api, claiming("../../x")))
			.withMessageContaining("'../../x' is outside the repository (its top directory is " + trees[0] + ")");
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(api, claiming("/etc/passwd")))
			.withMessageContaining("is outside the repository");
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(api, claiming("/**")))
			.withMessageContaining("is outside the repository");
		for (String whole : List.of("..", "../**", "../**/*", trees[0].toString())) {
			assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(api, claiming(whole)))
				.withMessageContaining("would claim the whole repository");
		}
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(api, claiming("api/[x")))
			.withMessageContaining("'api/[x' is not a glob");
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> claims.claim(api, claiming("a\nb")))
			.withMessageContaining("holds a control character");
		Registration outside = repository
			.register(new PeerRegistration("nowhere", 1L, "/tmp", null, null, null, "k-nowhere"));
		assertThatExceptionOfType(BrokerException.class)
			.isThrownBy(() -> claims.claim(new Caller(outside.id(), outside.name()), claiming("x")))
			.withMessage("A claim holds files of a git repository, and nowhere's directory (/tmp) is in none.");
		assertThat(claims.claims()).isEmpty();
		assertThat(claims.claim(api, claiming("api/**")).paths()).as("relative to its directory")
			.containsExactly("src/api/**");
	}

	static PeerRegistration registration(String name, String sessionKey) {
		return new PeerRegistration(name, 1L, "/work/" + (name == null ? "shop" : name), null, "main", null,
				sessionKey);
	}

	/** A clock the test moves by hand. */
	static final class MutableClock extends Clock {

		private Instant now = Instant.parse("2026-01-01T00:00:00Z");

		void advance(Duration duration) {
			now = now.plus(duration);
		}

		@Override
		public Instant instant() {
			return now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
