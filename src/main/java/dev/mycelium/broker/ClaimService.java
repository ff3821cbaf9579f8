package dev.mycelium.broker;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.BrokerException.Reason;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.StoredClaim;
import dev.mycelium.broker.store.StoredPeer;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.ClaimCheck;
import dev.mycelium.protocol.ClaimRelease;
import dev.mycelium.protocol.ClaimRequest;
import dev.mycelium.protocol.Headers;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.MessageKind;

/**
 * The rules of claims on files: who may claim what, which claims stand in each other's
 * way, what an edit of a claimed file gets, and who is told what when. A claim stands
 * while its holder is live and its time has not run out; {@link #sweep} ends the others
 * and tells who waited. Paths are {@link ClaimPaths}' business, keeping them the store's.
 */
final class ClaimService {

	private static final Logger log = LoggerFactory.getLogger(ClaimService.class);

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

	private final BrokerStore store;

	private final BrokerOperations broker;

	private final Clock clock;

	private final BrokerEventLog events;

	private final ClaimsMarker marker;

	ClaimService(BrokerStore store, BrokerOperations broker, Clock clock, BrokerEventLog events, ClaimsMarker marker) {
		this.store = store;
		this.broker = broker;
		this.clock = clock;
		this.events = events;
		this.marker = marker;
		marker.set(any());
	}

	/** What an edit of a file gets: refused, a notice to show, or neither. */
	record EditVerdict(String denial, String notice) {

		static final EditVerdict ALLOWED = new EditVerdict(null, null);

	}

	Claim claim(Caller caller, ClaimRequest request) {
		StoredPeer self = claimant(caller, "claim files");
		Workspace workspace = workspace(self);
		List<String> patterns = request.paths()
			.stream()
			.map(path -> ClaimPaths.pattern(path, workspace.cwd(), workspace.top()))
			.distinct()
			.toList();
		Instant now = clock.instant();
		boolean exclusive = !Boolean.TRUE.equals(request.shared());
		Instant expiresAt = request.ttlSeconds() == null ? null : now.plusSeconds(request.ttlSeconds());
		String reason = request.reason() == null || request.reason().isBlank() ? null : request.reason().strip();
		StoredClaim claim = new StoredClaim(Ids.shortId(8), self.repo(), self.id(), self.name(), patterns, exclusive,
				reason, now, expiresAt, Set.of());
		Set<String> live = livePeerIds();
		List<StoredClaim> conflicts = store.claims()
			.add(claim,
					claims -> claims.stream()
						.filter(other -> standing(other, live, now) && !other.holderId().equals(self.id()))
						.filter(other -> other.exclusive() || exclusive)
						.filter(other -> overlap(other.patterns(), patterns))
						.toList());
		if (!conflicts.isEmpty()) {
			conflicts.forEach(other -> store.claims().await(other.id(), self.id()));
			throw new BrokerException(Reason.CONFLICT,
					"Not claimed: " + conflicts.stream().map(this::described).collect(Collectors.joining("; ")) + ". "
							+ askFor(conflicts.get(0).holderName()) + ", or wait: you are told the moment it ends.");
		}
		marker.set(true);
		Claim view = view(claim);
		log.info("{} ({}) claimed {}", self.name(), self.id(), view.describe());
		events.publishClaim(BrokerEvent.CLAIMED, now, view, null, null);
		return view;
	}

	/**
	 * Ends the caller's claims holding any of {@code release.paths()} (spelled as
	 * claimed, or any way that reads the same), or all of them.
	 */
	List<Claim> release(Caller caller, ClaimRelease release) {
		StoredPeer self = claimant(caller, "release claims");
		List<StoredClaim> own = store.claims().all().stream().filter(c -> c.holderId().equals(self.id())).toList();
		List<StoredClaim> chosen = own;
		if (release.paths() != null && !release.paths().isEmpty()) {
			Workspace workspace = workspace(self);
			Set<String> patterns = release.paths()
				.stream()
				.map(path -> ClaimPaths.pattern(path, workspace.cwd(), workspace.top()))
				.collect(Collectors.toSet());
			chosen = own.stream().filter(c -> c.patterns().stream().anyMatch(patterns::contains)).toList();
			if (chosen.isEmpty()) {
				throw new BrokerException(Reason.NOT_FOUND,
						"No claim of " + self.name() + " holds " + String.join(", ", release.paths()) + "; "
								+ (own.isEmpty() ? "it holds none."
										: "its claims: " + own.stream()
											.map(c -> String.join(", ", c.patterns()))
											.collect(Collectors.joining("; ")) + "."));
			}
		}
		List<StoredClaim> ended = store.claims().end(chosen.stream().map(StoredClaim::id).toList());
		List<Claim> views = ended.stream().map(this::view).toList();
		tellEnded(ended, "released", clock.instant());
		marker.set(any());
		return views;
	}

	/** Whether any claim is stored: most repositories have none, most of the time. */
	boolean any() {
		return !store.claims().all().isEmpty();
	}

	/** The claims that stand, oldest first. */
	List<Claim> claims() {
		Set<String> live = livePeerIds();
		Instant now = clock.instant();
		return store.claims().all().stream().filter(c -> standing(c, live, now)).map(this::view).toList();
	}

	/**
	 * What an edit of {@code file} (absolute, or relative to the caller's directory) by
	 * the caller gets: denied when another session's exclusive claim holds it (that
	 * holder is told once per editor), a notice for a shared one. Its own claims never
	 * stand in its way; a file outside its repository is none of mycelium's business.
	 */
	EditVerdict edit(Caller caller, String file) {
		List<StoredClaim> all = store.claims().all();
		if (all.isEmpty() || file == null || file.isBlank() || !caller.isPeer()) {
			return EditVerdict.ALLOWED;
		}
		StoredPeer self = store.peer(caller.peerId()).orElse(null);
		if (self == null || self.repo() == null || self.cwd() == null) {
			return EditVerdict.ALLOWED;
		}
		Instant now = clock.instant();
		Set<String> live = livePeerIds();
		List<StoredClaim> others = all.stream()
			.filter(c -> c.repo().equals(self.repo()) && !c.holderId().equals(self.id()) && standing(c, live, now))
			.toList();
		if (others.isEmpty()) {
			return EditVerdict.ALLOWED;
		}
		String path;
		try {
			Workspace workspace = workspace(self);
			Path resolved = workspace.cwd().resolve(file).normalize();
			if (!resolved.startsWith(workspace.top()) || resolved.equals(workspace.top())) {
				return EditVerdict.ALLOWED;
			}
			path = workspace.top().relativize(resolved).toString();
		}
		catch (InvalidPathException ex) {
			return EditVerdict.ALLOWED;
		}
		List<StoredClaim> holding = others.stream()
			.filter(c -> c.patterns().stream().anyMatch(pattern -> ClaimPaths.holds(pattern, path)))
			.toList();
		List<StoredClaim> exclusive = holding.stream().filter(StoredClaim::exclusive).toList();
		if (!exclusive.isEmpty()) {
			denied(self, path, exclusive, now);
			StoredClaim first = exclusive.get(0);
			return new EditVerdict("mycelium: " + path + " is claimed by " + first.holderName() + " ("
					+ String.join(", ", first.patterns()) + ", exclusive, since " + TIME.format(first.claimedAt())
					+ (first.reason() != null ? ": \"" + first.reason() + "\"" : "") + "). The edit was not made. "
					+ askFor(first.holderName())
					+ ", or work on something else: you are told the moment the claim ends.", null);
		}
		if (!holding.isEmpty()) {
			return new EditVerdict(null,
					"mycelium: " + path + " is under a shared claim: "
							+ holding.stream().map(this::described).collect(Collectors.joining("; "))
							+ ". The edit goes ahead; tell them (signal) if it touches their work.");
		}
		return EditVerdict.ALLOWED;
	}

	/**
	 * The files of {@code check.paths()} that another session's exclusive claim holds,
	 * with the claim: sessions working in the same top directory are the committer's own
	 * (whichever of them commits), sessions elsewhere (another worktree, clone or host)
	 * are not.
	 */
	Map<String, Claim> heldElsewhere(ClaimCheck check) {
		String repo = RepoIdentity.normalize(check.repo());
		Path top;
		try {
			top = Path.of(check.top()).toAbsolutePath().normalize();
		}
		catch (InvalidPathException ex) {
			throw new BrokerException(Reason.INVALID, "top is not a path: " + ex.getReason() + ".");
		}
		Instant now = clock.instant();
		Set<String> live = livePeerIds();
		List<StoredClaim> others = store.claims()
			.all()
			.stream()
			.filter(c -> c.repo().equals(repo) && c.exclusive() && standing(c, live, now))
			.filter(c -> store.peer(c.holderId())
				.map(holder -> holder.cwd() == null || !ClaimPaths.topDirectory(Path.of(holder.cwd())).equals(top))
				.orElse(false))
			.toList();
		Map<String, Claim> held = new LinkedHashMap<>();
		for (String path : check.paths()) {
			others.stream()
				.filter(c -> c.patterns().stream().anyMatch(pattern -> ClaimPaths.holds(pattern, path)))
				.findFirst()
				.ifPresent(c -> held.put(path, view(c)));
		}
		return held;
	}

	/**
	 * Ends the claims whose time ran out or whose holder is gone, and tells who waited.
	 */
	void sweep() {
		List<StoredClaim> all = store.claims().all();
		marker.set(!all.isEmpty());
		if (all.isEmpty()) {
			return;
		}
		Instant now = clock.instant();
		Set<String> live = livePeerIds();
		Map<String, List<StoredClaim>> byWhy = new LinkedHashMap<>();
		for (StoredClaim claim : all) {
			if (!live.contains(claim.holderId())) {
				byWhy.computeIfAbsent("its session ended", why -> new ArrayList<>()).add(claim);
			}
			else if (claim.expiresAt() != null && !claim.expiresAt().isAfter(now)) {
				byWhy.computeIfAbsent("its time ran out", why -> new ArrayList<>()).add(claim);
			}
		}
		byWhy.forEach((why, claims) -> tellEnded(store.claims().end(claims.stream().map(StoredClaim::id).toList()), why,
				now));
		if (!byWhy.isEmpty()) {
			marker.set(any());
		}
	}

	/** Each holder is told once per editor; the editor waits for the end. */
	private void denied(StoredPeer editor, String path, List<StoredClaim> claims, Instant now) {
		Optional<Claim> first = Optional.empty();
		List<Message> notices = new ArrayList<>();
		for (StoredClaim claim : claims) {
			Claim view = view(claim);
			first = first.or(() -> Optional.of(view));
			if (store.claims().await(claim.id(), editor.id())) {
				store.peer(claim.holderId())
					.ifPresent(holder -> notices.add(notice(holder, editor.name() + " (id " + editor.id()
							+ ") wanted to edit " + path + ", which your claim on "
							+ String.join(", ", claim.patterns()) + " holds; the edit was denied, and " + editor.name()
							+ " waits for it. Release the claim when you are done (mycelium's release tool), or answer "
							+ editor.name() + " with signal. You are told this once.", now)));
			}
		}
		first.ifPresent(view -> events.publishClaim(BrokerEvent.EDIT_DENIED, now, view, peerView(editor.id()), path));
		deliver(notices, now);
	}

	private void tellEnded(List<StoredClaim> ended, String why, Instant now) {
		List<Message> notices = new ArrayList<>();
		for (StoredClaim claim : ended) {
			Claim view = view(claim);
			log.info("Claim {} ended ({}): {}", claim.id(), why, view.describe());
			events.publishClaim(BrokerEvent.CLAIM_ENDED, now, view, null, null);
			for (String waiter : claim.waiters()) {
				store.peer(waiter)
					.filter(StoredPeer::isLive)
					.ifPresent(peer -> notices.add(notice(peer,
							"The claim of " + claim.holderName() + " on " + String.join(", ", claim.patterns())
									+ " ended (" + why + "): you can edit those files now.",
							now)));
			}
		}
		deliver(notices, now);
	}

	private static Message notice(StoredPeer to, String body, Instant now) {
		return Notices.notice(MessageKind.CLAIM, to.id(), to.name(), body, now);
	}

	private void deliver(List<Message> notices, Instant now) {
		Notices.deliver(store, events, notices, now);
	}

	private StoredPeer claimant(Caller caller, String action) {
		if (!caller.isPeer()) {
			throw new BrokerException(Reason.FORBIDDEN, "Only a session can " + action
					+ ": send its peer secret in the " + Headers.PEER_SECRET + " header.");
		}
		StoredPeer self = store.peer(caller.peerId())
			.filter(StoredPeer::isLive)
			.orElseThrow(() -> new BrokerException(Reason.NOT_FOUND,
					"This session is no longer registered; it registers again by itself."));
		if (self.repo() == null || self.cwd() == null) {
			throw new BrokerException(Reason.INVALID, "A claim holds files of a git repository, and " + self.name()
					+ "'s directory (" + self.cwd() + ") is in none.");
		}
		return self;
	}

	private record Workspace(Path cwd, Path top) {
	}

	private static Workspace workspace(StoredPeer self) {
		Path cwd = Path.of(self.cwd()).toAbsolutePath().normalize();
		return new Workspace(cwd, ClaimPaths.topDirectory(cwd));
	}

	private static boolean standing(StoredClaim claim, Set<String> live, Instant now) {
		return live.contains(claim.holderId()) && (claim.expiresAt() == null || claim.expiresAt().isAfter(now));
	}

	private static boolean overlap(List<String> a, List<String> b) {
		return a.stream().anyMatch(x -> b.stream().anyMatch(y -> ClaimPaths.overlap(x, y)));
	}

	private Set<String> livePeerIds() {
		Set<String> live = new HashSet<>();
		store.peers().stream().filter(StoredPeer::isLive).forEach(peer -> live.add(peer.id()));
		return live;
	}

	private String described(StoredClaim claim) {
		return String.join(", ", claim.patterns()) + " is claimed by " + claim.holderName() + " ("
				+ (claim.exclusive() ? "exclusive" : "shared") + ", since " + TIME.format(claim.claimedAt())
				+ (claim.reason() != null ? ": \"" + claim.reason() + "\"" : "") + ")";
	}

	private static String askFor(String holder) {
		return "Signal " + holder + " to ask for it (mycelium's signal tool, to=\"" + holder + "\")";
	}

	private Claim view(StoredClaim claim) {
		List<String> waiting = claim.waiters()
			.stream()
			.map(id -> store.peer(id).map(StoredPeer::name).orElse(id))
			.sorted(Comparator.naturalOrder())
			.toList();
		return new Claim(claim.id(), claim.repo(), claim.holderName(), claim.holderId(), claim.patterns(),
				claim.exclusive(), claim.reason(), claim.claimedAt(), claim.expiresAt(), waiting);
	}

	private dev.mycelium.protocol.Peer peerView(String peerId) {
		try {
			return broker.peer(peerId);
		}
		catch (BrokerException ex) {
			return null;
		}
	}

}
