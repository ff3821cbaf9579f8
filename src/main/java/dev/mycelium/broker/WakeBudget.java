package dev.mycelium.broker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

/**
 * Keeps two sessions from waking each other forever. Every message pushed into an idle
 * session starts a model turn that someone pays for, and two models that answer every
 * message (thanking each other, say) would never stop. So the recipient's push stream
 * asks here whether a message may wake it: messages between sessions may wake a pair of
 * them {@code perPair} times an hour, and one session {@code perSession} times, without a
 * person in between; past that they go out {@link Message#quiet() quiet}, and wait unread
 * for a hook, a tool result or {@code sense}. Nothing is dropped. Both sides are told
 * once why. A message from a person ({@code mycelium send}), or a prompt typed in a
 * session, starts its counts again; a message that only acknowledges never wakes.
 * <p>
 * Counted in this broker's memory, by the broker of the recipient: after a restart the
 * counts start again, and for two sessions on two hosts each broker counts the messages
 * its own session receives.
 */
final class WakeBudget {

	private static final Logger log = LoggerFactory.getLogger(WakeBudget.class);

	/**
	 * Decisions kept per message id, so a stream that resends a message decides alike.
	 */
	private static final int DECIDED = 10_000;

	/**
	 * The words of an answer that asks for nothing and needs none: "thanks", "ok", "got
	 * it 👍", "sounds good!". A message made of these alone (a name in it, say, and it
	 * wakes as any other) does not wake.
	 */
	private static final Set<String> ACKNOWLEDGING = Set.of("thanks", "thank", "you", "thx", "ty", "ok", "okay", "k",
			"kk", "got", "it", "noted", "ack", "acknowledged", "sounds", "good", "great", "perfect", "cool", "nice",
			"done", "will", "do", "understood", "roger", "cheers", "youre", "welcome", "np", "no", "problem", "all",
			"agreed", "yes", "yep", "sure", "much", "a", "lot", "lgtm", "very", "so");

	private final BrokerProperties.Wakes settings;

	private final Clock clock;

	private final BrokerStore store;

	private final BrokerEventLog events;

	/** Wakes by pair (the two ids, sorted, joined by a space) and by recipient. */
	private final Map<String, Deque<Instant>> byPair = new HashMap<>();

	private final Map<String, Deque<Instant>> bySession = new HashMap<>();

	/** Pairs told in this window that their messages no longer wake. */
	private final Set<String> told = new HashSet<>();

	private final Map<String, Boolean> decided = new LinkedHashMap<>(256, 0.75f, false) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
			return size() > DECIDED;
		}
	};

	WakeBudget(BrokerProperties.Wakes settings, Clock clock, BrokerStore store, BrokerEventLog events) {
		this.settings = settings;
		this.clock = clock;
		this.store = store;
		this.events = events;
	}

	/**
	 * The message as the recipient's push stream sends it: quiet when it must not wake.
	 */
	Message pushed(String recipientId, Message message) {
		if (message.staysQuiet()) {
			return message;
		}
		List<Message> notices = List.of();
		boolean wakes;
		synchronized (this) {
			Boolean before = decided.get(message.id());
			if (before != null) {
				wakes = before;
			}
			else {
				Decision decision = decide(recipientId, message);
				wakes = decision.wakes();
				notices = decision.notices();
				decided.put(message.id(), wakes);
			}
		}
		if (!notices.isEmpty()) {
			Instant now = clock.instant();
			Notices.deliver(store, events, notices, now);
			events.publish(BrokerEvent.WAKES_HELD, now, null, message, notices.stream().map(Message::to).toList(),
					null);
		}
		return wakes ? message : message.quietly();
	}

	/**
	 * A person spoke to this session (typed a prompt, or sent it a message): messages may
	 * wake it again.
	 */
	synchronized void personSpoke(String peerId) {
		bySession.remove(peerId);
		byPair.keySet().removeIf(pair -> List.of(pair.split(" ")).contains(peerId));
		told.removeIf(pair -> List.of(pair.split(" ")).contains(peerId));
	}

	private record Decision(boolean wakes, List<Message> notices) {

		static final Decision WAKE = new Decision(true, List.of());

		static final Decision QUIET = new Decision(false, List.of());

	}

	private Decision decide(String recipientId, Message message) {
		if (message.fromId() == null) {
			if (message.kind() == MessageKind.DIRECT) {
				personSpoke(recipientId);
			}
			return message.kind() == MessageKind.LOOP ? Decision.QUIET : Decision.WAKE;
		}
		if (message.kind() != MessageKind.DIRECT && message.kind() != MessageKind.BROADCAST) {
			return Decision.WAKE;
		}
		if (acknowledgesOnly(message.body())) {
			return Decision.QUIET;
		}
		Instant now = clock.instant();
		Instant since = now.minus(settings.window());
		String pair = pair(message.fromId(), recipientId);
		Deque<Instant> pairWakes = recent(byPair, pair, since);
		Deque<Instant> sessionWakes = recent(bySession, recipientId, since);
		if (pairWakes.isEmpty()) {
			told.remove(pair);
		}
		if (pairWakes.size() < settings.perPair() && sessionWakes.size() < settings.perSession()) {
			pairWakes.addLast(now);
			sessionWakes.addLast(now);
			return Decision.WAKE;
		}
		if (!told.add(pair)) {
			return Decision.QUIET;
		}
		boolean pairSpent = pairWakes.size() >= settings.perPair();
		int spent = pairSpent ? settings.perPair() : settings.perSession();
		log.info("{} and {} woke each other {} times within {}: their messages wait unread now", message.from(),
				message.to(), spent, settings.window());
		String why = pairSpent
				? "your exchange with %s woke a session " + settings.perPair() + " times within "
						+ describe(settings.window()) + " without a person in between"
				: message.to() + " was woken " + settings.perSession() + " times within " + describe(settings.window())
						+ " by other sessions, the last by %s";
		return new Decision(false, List.of(notice(message.toId(), message.to(), why.formatted(message.from()), now),
				notice(message.fromId(), message.from(), why.formatted(message.to()), now)));
	}

	private Message notice(String toId, String to, String why, Instant now) {
		return Notices.notice(MessageKind.LOOP, toId, to,
				"mycelium: " + why + ", so its messages no longer wake an idle session: they wait unread (sense reads"
						+ " them; hooks show them while the session works). A message from a person, or a prompt"
						+ " typed in the session, lets them wake it again.",
				now);
	}

	/** The wakes of the last window, older ones forgotten. */
	private static Deque<Instant> recent(Map<String, Deque<Instant>> wakes, String key, Instant since) {
		Deque<Instant> recent = wakes.computeIfAbsent(key, k -> new ArrayDeque<>());
		while (!recent.isEmpty() && recent.peekFirst().isBefore(since)) {
			recent.removeFirst();
		}
		return recent;
	}

	private static String pair(String a, String b) {
		return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
	}

	static boolean acknowledgesOnly(String body) {
		if (body == null || body.length() > 60 || body.contains("?")) {
			return false;
		}
		String[] words = body.toLowerCase(Locale.ROOT)
			.replace("'", "")
			.replaceAll("[^\\p{L}\\p{N}]+", " ")
			.strip()
			.split(" ");
		return words.length <= 8
				&& Arrays.stream(words).allMatch(word -> word.isEmpty() || ACKNOWLEDGING.contains(word));
	}

	private static String describe(Duration window) {
		return window.equals(Duration.ofHours(1)) ? "an hour" : window.toMinutes() + " minutes";
	}

}
