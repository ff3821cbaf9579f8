package dev.mycelium.cli;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mycelium.protocol.Peer;

import static org.assertj.core.api.Assertions.assertThat;

class PeerTableTests {

	private static final Instant NOW = Instant.parse("2026-11-24T14:02:11Z");

	@Test
	void everyLineFitsTheWidthAndOnlyTheSummaryIsCut() {
		List<String> lines = PeerTable.render(
				List.of(peer("shop", "github.com/acme/shop", "main", "shop on main: cart API returns cents; checkout",
						3, Peer.ACTIVE, 2, false),
						peer("docs", null, null, "docs\nfor the API", 250, Peer.ACTIVE, 0, true, "inbox socket")),
				NOW, 80);

		assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
		assertThat(lines.get(0).split("\\s+")).containsExactly("NAME", "ID", "REPO", "BRANCH", "SUMMARY", "SEEN",
				"UNREAD", "MAIL");
		assertThat(lines.get(1))
			.isEqualTo("shop  id-shop  github.com/acme/shop  main    cart API r…  3s ago       2  -");
		assertThat(lines.get(2))
			.isEqualTo("docs  id-docs  -                     -       docs⏎for t…  4m ago       0  socket");
	}

	@Test
	void aWideTerminalShowsTheWholeSummaryAndAStalePeerIsMarked() {
		List<String> lines = PeerTable.render(List
			.of(peer("shop", "github.com/acme/shop", "main", "a summary of some length", 45, Peer.STALE, 0, false)),
				NOW, 200);

		assertThat(lines.get(1)).contains("a summary of some length").contains("45s ago");
		assertThat(lines.get(3)).isEqualTo("Stale (no heartbeat for a while; the session may be gone): shop");
	}

	@Test
	void aHostColumnOnlyWhenThePeersAreOnSeveralMachines() {
		Peer here = peer("shop", "github.com/acme/shop", "main", "cart", 1, Peer.ACTIVE, 0, false, null, "laptop");
		Peer there = peer("shop-2", "github.com/acme/shop", "main", "tax", 2, Peer.ACTIVE, 1, false, null,
				"build-server");

		assertThat(PeerTable.render(List.of(here), NOW, 120).get(0)).doesNotContain("HOST");
		List<String> lines = PeerTable.render(List.of(here, there), NOW, 120);
		assertThat(lines.get(0).split("\\s+")).containsExactly("NAME", "ID", "HOST", "REPO", "BRANCH", "SUMMARY",
				"SEEN", "UNREAD", "MAIL");
		assertThat(lines.get(2)).startsWith("shop-2  id-shop-  build-server  github.com/acme/shop  main")
			.endsWith("2s ago       1  -");
	}

	@Test
	void theDirectoryAndBranchAreNotRepeatedInTheSummary() {
		Peer fromGit = peer("shop-2", "github.com/acme/shop", "main", "shop on main: Fix cart totals; Add tax rules", 1,
				Peer.ACTIVE, 0, false);
		Peer chosen = peer("docs", null, "main", "writing the API reference", 1, Peer.ACTIVE, 0, false);

		assertThat(PeerTable.summary(fromGit)).isEqualTo("Fix cart totals; Add tax rules");
		assertThat(PeerTable.summary(chosen)).isEqualTo("writing the API reference");
	}

	private static Peer peer(String name, String repo, String branch, String summary, int secondsAgo, String state,
			int unread, boolean push) {
		return peer(name, repo, branch, summary, secondsAgo, state, unread, push, null);
	}

	private static Peer peer(String name, String repo, String branch, String summary, int secondsAgo, String state,
			int unread, boolean push, String delivery) {
		return peer(name, repo, branch, summary, secondsAgo, state, unread, push, delivery, "laptop");
	}

	private static Peer peer(String name, String repo, String branch, String summary, int secondsAgo, String state,
			int unread, boolean push, String delivery, String host) {
		Instant seen = NOW.minusSeconds(secondsAgo);
		return new Peer("id-" + name, name, 42L, "/work/" + name.replace("-2", ""), repo, branch, summary, List.of(),
				seen, seen, state, unread, push, delivery, host);
	}

}
