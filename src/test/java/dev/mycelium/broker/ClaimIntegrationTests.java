package dev.mycelium.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.broker.BrokerApi.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Claims over HTTP, as serve and the plugin's {@code PreToolUse} hook use them: the
 * hook's answer is the JSON Claude Code reads (a denial with the sentence for the model),
 * a session without claims in its way gets nothing, and bad claims get a problem detail.
 */
class ClaimIntegrationTests extends BrokerIntegrationTest {

	@TempDir
	Path repository;

	private String apiSession;

	private String webSession;

	private Agent holder;

	private Agent editor;

	@BeforeEach
	void twoSessionsOfOneRepository() throws Exception {
		Files.createDirectories(repository.resolve(".git"));
		String repo = "git@example.com:acme/" + unique("shop") + ".git";
		apiSession = UUID.randomUUID().toString();
		webSession = UUID.randomUUID().toString();
		holder = register(unique("api"), apiSession, repository, repo);
		editor = register(unique("web"), webSession, repository.resolve("web"), repo);
	}

	@Test
	void anEditOfAClaimedFileIsDeniedToOthersThroughTheHookAndGoesThroughOnceReleased() {
		Response claimed = apiClient().post("/api/claims",
				Map.of("paths", List.of("src/api/**"), "reason", "new cents"), holder.secret());
		assertThat(claimed.status()).as(claimed.body()).isEqualTo(201);
		String claimId = claimed.json().path("id").asString();

		Response denied = preToolUse(webSession, "Edit",
				Map.of("file_path", repository.resolve("src/api/A.java").toString()));
		assertThat(denied.status()).isEqualTo(200);
		assertThat(denied.json().path("hookSpecificOutput").path("permissionDecision").asString()).isEqualTo("deny");
		assertThat(denied.json().path("hookSpecificOutput").path("permissionDecisionReason").asString())
			.startsWith("mycelium: src/api/A.java is claimed by " + holder.name() + " (src/api/**, exclusive, since ")
			.contains("\"new cents\"");
		assertThat(preToolUse(webSession, "NotebookEdit",
				Map.of("notebook_path", repository.resolve("src/api/n.ipynb").toString()))
			.json()
			.path("hookSpecificOutput")
			.path("permissionDecision")
			.asString()).isEqualTo("deny");
		assertThat(preToolUse(apiSession, "Write", Map.of("file_path", repository.resolve("src/api/A.java").toString()))
			.status()).as("its own claim").isEqualTo(204);
		assertThat(preToolUse(webSession, "Read", Map.of("file_path", repository.resolve("src/api/A.java").toString()))
			.status()).as("reading is no edit").isEqualTo(204);
		assertThat(apiClient().get("/api/claims", null).json().get(0).path("waiting").get(0).asString())
			.isEqualTo(editor.name());

		Response released = apiClient().post("/api/claims/release", Map.of(), holder.secret());
		assertThat(released.json().get(0).path("id").asString()).isEqualTo(claimId);
		assertThat(preToolUse(webSession, "Edit", Map.of("file_path", repository.resolve("src/api/A.java").toString()))
			.status()).isEqualTo(204);
		assertThat(apiClient().unread(editor)).singleElement()
			.satisfies(notice -> assertThat(notice.body()).contains("ended (released)"));
	}

	@Test
	void badClaimsGetAProblemDetailAndChangeNothing() {
		Response outside = apiClient().post("/api/claims", Map.of("paths", List.of("../../etc")), holder.secret());
		assertThat(outside.status()).isEqualTo(400);
		assertThat(outside.json().path("detail").asString()).contains("is outside the repository");

		Response tooMany = apiClient().post("/api/claims",
				Map.of("paths", java.util.stream.IntStream.range(0, 33).mapToObj(i -> "f" + i).toList()),
				holder.secret());
		assertThat(tooMany.status()).isEqualTo(400);
		assertThat(tooMany.json().path("detail").asString()).contains("paths holds at most 32 entries");

		Response none = apiClient().post("/api/claims", Map.of("paths", List.of()), holder.secret());
		assertThat(none.json().path("detail").asString()).contains("paths is required");

		Response whole = apiClient().post("/api/claims", Map.of("paths", List.of("**")), holder.secret());
		assertThat(whole.json().path("detail").asString()).contains("would claim the whole repository");

		Response operator = apiClient().post("/api/claims", Map.of("paths", List.of("src")), null);
		assertThat(operator.status()).isEqualTo(403);

		Response notJson = apiClient().exchange("POST", "/api/claims", "paths=src", holder.secret(), Map.of());
		assertThat(notJson.status()).isEqualTo(400);

		assertThat(apiClient().post("/api/claims/release", Map.of("paths", List.of("nothing/here")), holder.secret())
			.json()
			.path("detail")
			.asString()).contains("No claim of " + holder.name() + " holds nothing/here");
		assertThat(apiClient().get("/api/claims", null).json()).as("nothing claimed").isEmpty();
	}

	@Test
	void withoutAnyClaimTheHookAnswersNothing() {
		assertThat(preToolUse(webSession, "Edit", Map.of("file_path", repository.resolve("x").toString())).status())
			.isEqualTo(204);
		assertThat(preToolUse(UUID.randomUUID().toString(), "Edit", Map.of("file_path", "/x")).status()).isEqualTo(204);
	}

	private BrokerApi apiClient() {
		return api;
	}

	private Agent register(String name, String sessionKey, Path cwd, String repo) {
		Map<String, Object> registration = new HashMap<>(
				Map.of("name", name, "cwd", cwd.toString(), "repo", repo, "session_key", sessionKey));
		return api.register(registration);
	}

	private Response preToolUse(String session, String tool, Map<String, Object> input) {
		return api.exchange("POST", "/api/hooks", Map.of("session_id", session, "hook_event_name", "PreToolUse",
				"tool_name", tool, "tool_input", input, "cwd", repository.toString()), null, Map.of());
	}

}
