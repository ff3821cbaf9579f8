package dev.mycelium.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.mycelium.cli.CliProcesses.Peer;
import dev.mycelium.cli.CliProcesses.Run;
import dev.mycelium.cli.CliProcesses.Target;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code status}, {@code send}, the help and every error, each command a child process
 * against one real broker process (or against none), checked by output and exit code.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliIntegrationTests {

	@TempDir
	static Path temporary;

	private static CliProcesses cli;

	private static Target broker;

	private static Target nowhere;

	@BeforeAll
	static void startBroker() throws Exception {
		cli = new CliProcesses(temporary);
		broker = cli.startBroker("home");
		nowhere = cli.nowhere("empty-home");
	}

	@AfterAll
	static void stopBroker() {
		cli.close();
	}

	@Test
	void statusShowsTheBrokerAndATableOfPeersCutToTheTerminalWidth() throws Exception {
		Peer shop = cli.register(broker, "status-shop", "git@github.com:acme/shop.git", "main",
				"status-shop on main: cart API returns cents; checkout page; a summary far too long for the table");
		cli.request(broker, "POST", "/api/peers/" + shop.id() + "/messages", Map.of("body", "unread"), null, 201);

		Run status = cli.run(with("COLUMNS", "100"), "status");

		assertThat(status.exitCode()).isZero();
		assertThat(status.stderr()).isEmpty();
		List<String> lines = status.lines();
		assertThat(lines.get(0)).matches("Broker up at localhost:" + broker.port() + " \\(version \\S+, pid "
				+ broker.state().pid() + ", up (\\d+s|\\d+m \\d+s)\\)");
		assertThat(lines.get(2).split("\\s+")).containsExactly("NAME", "ID", "REPO", "BRANCH", "SUMMARY", "SEEN",
				"UNREAD", "MAIL");
		String row = lines.stream().filter(line -> line.startsWith("status-shop ")).findFirst().orElseThrow();
		assertThat(row.split("\\s{2,}")).satisfies(cells -> {
			assertThat(cells[1]).isEqualTo(shop.id());
			assertThat(cells[2]).isEqualTo("github.com/acme/shop");
			assertThat(cells[3]).isEqualTo("main");
			assertThat(cells[4]).as("without the directory and branch")
				.startsWith("cart API returns cents")
				.endsWith("…");
			assertThat(cells[5]).matches("\\d+s ago");
			assertThat(cells[6]).isEqualTo("1");
			assertThat(cells[7]).as("a peer of the REST API reports no way in").isEqualTo("-");
		});
		assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));

		Run wide = cli.run(with("COLUMNS", "200"), "status");
		assertThat(wide.stdout()).contains("a summary far too long for the table");
	}

	@Test
	void aNarrowTerminalStillGetsTheTableAndTheHelp() throws Exception {
		cli.register(broker, "narrow-shop", null, "main", "a summary that cannot fit");

		Run status = cli.run(with("COLUMNS", "30"), "status");
		Run help = cli.run(with("COLUMNS", "20"), "send", "--help");

		assertThat(status.exitCode()).as(status.stderr()).isZero();
		assertThat(status.stdout()).contains("narrow-shop");
		assertThat(help.exitCode()).as(help.stderr()).isZero();
		assertThat(help.stdout()).contains("usage: mycelium send");
	}

	@Test
	void statusJsonIsOneObjectForScripts() throws Exception {
		Peer peer = cli.register(broker, "json-peer", null, "dev", "for scripts");

		Run status = cli.run(broker, "status", "--json");

		assertThat(status.exitCode()).isZero();
		assertThat(status.lines()).hasSize(1);
		JsonNode report = CliProcesses.JSON.readTree(status.stdout());
		assertThat(report.path("up").asBoolean()).isTrue();
		assertThat(report.path("address").asString()).isEqualTo("localhost:" + broker.port());
		assertThat(report.path("broker").path("instance_id").asString()).isEqualTo(broker.state().instanceId());
		assertThat(report.path("uptime_seconds").asLong()).isNotNegative();
		JsonNode listed = findPeer(report.path("peers"), peer.id());
		assertThat(listed.path("name").asString()).isEqualTo("json-peer");
		assertThat(listed.path("branch").asString()).isEqualTo("dev");
		assertThat(listed.path("unread").asInt()).isZero();
		assertThat(listed.path("push").asBoolean()).isFalse();
	}

	@Test
	void statusWithoutABrokerSaysItIsDownWithExitCode1() throws Exception {
		Run status = cli.run(nowhere, "status");
		Run json = cli.run(nowhere, "status", "--json");

		assertThat(status.exitCode()).isEqualTo(1);
		assertThat(status.stdout()).isEqualTo("Broker down: nothing answers at localhost:" + nowhere.port()
				+ " (MYCELIUM_HOME=" + nowhere.home() + ").\n");
		assertThat(json.exitCode()).isEqualTo(1);
		JsonNode report = CliProcesses.JSON.readTree(json.stdout());
		assertThat(report.path("up").asBoolean()).isFalse();
		assertThat(report.path("error").asString()).contains("nothing answers");
		assertThat(Files.exists(nowhere.home().resolve("broker.json"))).as("no broker was started").isFalse();
	}

	@Test
	void aBrokerOfAnotherHomeIsNamedAsSuch() throws Exception {
		Path otherHome = temporary.resolve("other-home");
		Files.createDirectories(otherHome);
		Files.writeString(otherHome.resolve("token"), "not-the-token");

		Run status = cli.run(
				Map.of("MYCELIUM_HOME", otherHome.toString(), "MYCELIUM_PORT", String.valueOf(broker.port())),
				"status");

		assertThat(status.exitCode()).isEqualTo(1);
		assertThat(status.stdout()).contains("refuses the token").contains("another MYCELIUM_HOME");
	}

	@Test
	void sendDeliversAsThePersonAtTheTerminal() throws Exception {
		Peer docs = cli.register(broker, "send-docs", null, null, null);

		Run send = cli.run(broker, "send", "send-docs", "cart", "API", "returns", "--cents", "now");

		assertThat(send.exitCode()).isZero();
		assertThat(send.stderr()).isEmpty();
		String user = System.getProperty("user.name");
		assertThat(send.stdout()).matches("Sent to send-docs \\(message \\w+\\) as cli:" + user + "\\.\n");
		JsonNode inbox = cli.inbox(broker, docs);
		assertThat(inbox).hasSize(1);
		assertThat(inbox.get(0).path("from").asString()).isEqualTo("cli:" + user);
		assertThat(inbox.get(0).path("from_id").isNull()).isTrue();
		assertThat(inbox.get(0).path("kind").asString()).isEqualTo("direct");
		assertThat(inbox.get(0).path("body").asString()).isEqualTo("cart API returns --cents now");
	}

	@Test
	void sendFindsThePeerByIdOrUniqueIdPrefix() throws Exception {
		Peer peer = cli.register(broker, "send-by-id", null, null, null);

		Run byId = cli.run(broker, "send", peer.id(), "by id");
		Run byPrefix = cli.run(broker, "send", peer.id().substring(0, 6), "by prefix");

		assertThat(byId.exitCode()).isZero();
		assertThat(byPrefix.exitCode()).isZero();
		assertThat(byPrefix.stdout()).startsWith("Sent to send-by-id ");
		assertThat(cli.inbox(broker, peer)).extracting(message -> message.path("body").asString())
			.containsExactly("by id", "by prefix");
	}

	@Test
	void sendToASessionThatLeftSaysSoAndTheMessageWaitsForIt() throws Exception {
		Peer peer = cli.register(broker, "send-gone", null, null, null);
		cli.request(broker, "DELETE", "/api/peers/" + peer.id(), null, peer.secret(), 204);

		Run send = cli.run(broker, "send", peer.id(), "for when you are back");

		assertThat(send.exitCode()).isZero();
		assertThat(send.stdout()).startsWith("Sent to send-gone ")
			.contains("send-gone has left (its session ended): the message waits for it if it comes back soon;");
		assertThat(CliProcesses.JSON.readTree(cli.request(broker, "GET", "/api/peers/" + peer.id(), null, null, 200))
			.path("unread")
			.asInt()).isEqualTo(1);
	}

	@Test
	void sendToAnUnknownPeerFailsWithExitCode1() throws Exception {
		Run send = cli.run(broker, "send", "nobody-at-all", "hello");

		assertThat(send.exitCode()).isEqualTo(1);
		assertThat(send.stdout()).isEmpty();
		assertThat(send.stderr()).isEqualTo("No peer named 'nobody-at-all'; nothing was sent. 'mycelium status' lists"
				+ " the peers: use a name or id from there.\n");
	}

	@Test
	void sendToAnAmbiguousIdPrefixFailsWithExitCode1AndNamesTheCandidates() throws Exception {
		// Ids are random: register peers until two share a first character.
		Map<Character, Peer> byFirst = new HashMap<>();
		Peer[] clash = null;
		for (int i = 0; clash == null; i++) {
			Peer peer = cli.register(broker, "ambiguous-" + i, null, null, null);
			Peer earlier = byFirst.putIfAbsent(peer.id().charAt(0), peer);
			if (earlier != null) {
				clash = new Peer[] { earlier, peer };
			}
		}

		Run send = cli.run(broker, "send", clash[0].id().substring(0, 1), "which one?");

		assertThat(send.exitCode()).isEqualTo(1);
		assertThat(send.stderr()).contains("matches several peers")
			.contains(clash[0].name())
			.contains(clash[1].name())
			.contains("Nothing was sent");
	}

	@Test
	void sendWithoutABrokerFailsWithExitCode1AndStartsNone() throws Exception {
		Run send = cli.run(nowhere, "send", "docs", "hello");

		assertThat(send.exitCode()).isEqualTo(1);
		assertThat(send.stderr()).startsWith("No broker is running at localhost:" + nowhere.port())
			.contains("so nothing was sent");
		assertThat(Files.exists(nowhere.home().resolve("broker.json"))).isFalse();
	}

	@Test
	void sendWithoutAMessageIsAUsageError() throws Exception {
		Run send = cli.run(broker, "send", "docs");

		assertThat(send.exitCode()).isEqualTo(2);
		assertThat(send.stderr()).contains("Missing required parameter: '<message>'").contains("usage: mycelium send");
	}

	@Test
	void tailAndStopWithoutABroker() throws Exception {
		Run tail = cli.run(nowhere, "tail");
		Run stop = cli.run(nowhere, "stop");

		assertThat(tail.exitCode()).isEqualTo(1);
		assertThat(tail.stderr()).startsWith("No broker is running at localhost:" + nowhere.port());
		assertThat(stop.exitCode()).isZero();
		assertThat(stop.stdout())
			.isEqualTo("No broker is running at localhost:" + nowhere.port() + "; nothing to stop.\n");
	}

	@Test
	void helpDescribesTheToolAndEachCommand() throws Exception {
		Run help = cli.run(nowhere, "--help");

		assertThat(help.exitCode()).isZero();
		assertThat(help.stdout()).startsWith("usage: mycelium");
		for (String command : List.of("broker", "serve", "status", "send", "tail", "stop")) {
			assertThat(help.stdout()).containsPattern("(?m)^  " + command + " ");
			Run commandHelp = cli.run(nowhere, command, "--help");
			assertThat(commandHelp.exitCode()).as(command).isZero();
			assertThat(commandHelp.stdout()).contains("usage: mycelium " + command);
		}
		assertThat(cli.run(nowhere, "help", "send").stdout()).contains("<peer> <message>...");
		assertThat(Files.exists(nowhere.home().resolve("broker.json"))).as("broker --help starts nothing").isFalse();
	}

	@Test
	void anUnknownCommandOrOptionPrintsUsageWithExitCode2() throws Exception {
		Run unknown = cli.run(nowhere, "frobnicate");
		Run none = cli.run(nowhere);
		Run badOption = cli.run(nowhere, "status", "--jsn");

		assertThat(unknown.exitCode()).isEqualTo(2);
		assertThat(unknown.stderr()).startsWith("mycelium: unknown command 'frobnicate'").contains("usage: mycelium");
		assertThat(none.exitCode()).isEqualTo(2);
		assertThat(none.stderr()).contains("usage: mycelium");
		assertThat(badOption.exitCode()).isEqualTo(2);
		assertThat(badOption.stderr()).contains("Unknown option: '--jsn'").contains("usage: mycelium status");
	}

	private static Map<String, String> with(String name, String value) {
		Map<String, String> environment = new HashMap<>(broker.environment());
		environment.put(name, value);
		return environment;
	}

	private static JsonNode findPeer(JsonNode peers, String id) {
		for (JsonNode peer : peers) {
			if (peer.path("id").asString().equals(id)) {
				return peer;
			}
		}
		throw new AssertionError(id + " not in " + peers);
	}

}
