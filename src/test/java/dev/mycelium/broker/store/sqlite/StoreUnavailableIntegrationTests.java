package dev.mycelium.broker.store.sqlite;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;
import org.springframework.util.FileSystemUtils;

import dev.mycelium.MyceliumApplication;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.protocol.MyceliumHome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that cannot write (a full disk, a read-only file) answers each sender 503 with
 * a problem detail and keeps what it had; reading goes on, and writing comes back once it
 * can.
 */
@SpringBootTest(classes = MyceliumApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "mycelium.host=localhost")
@ActiveProfiles("broker")
class StoreUnavailableIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@Value("${mycelium.home}")
	Path home;

	private static final DiskFaults FAULTS = new DiskFaults();

	private static Path root;

	/** The broker's store, opened so that the test can fault its writer. */
	@TestBean(name = "brokerStore", methodName = "faultyStore")
	BrokerStore store;

	static BrokerStore faultyStore() {
		return FAULTS.open(root.resolve("faulty.db"));
	}

	@DynamicPropertySource
	static void homeOfItsOwn(DynamicPropertyRegistry registry) throws IOException {
		root = Files.createTempDirectory("mycelium-test");
		Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(root.toFile())));
		registry.add("mycelium.home", () -> root.resolve("home").toString());
	}

	@Test
	void aReadOnlyOrFullStoreAnswers503AndKeepsWhatItHad() throws Exception {
		JsonNode alice = register("alice");
		JsonNode bob = register("bob");
		assertThat(send(alice, "kept").statusCode()).isEqualTo(201);

		FAULTS.readOnly(true);
		assertRefused(send(alice, "refused while read-only"), "read-only");
		FAULTS.readOnly(false);
		FAULTS.fillDisk();
		assertRefused(send(alice, "refused on a full disk " + "x".repeat(60_000)), "the disk is full");

		HttpResponse<String> inbox = request("GET", "/api/peers/bob/messages", null, bob);
		assertThat(inbox.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(inbox.body())).singleElement()
			.satisfies(m -> assertThat(m.path("body").asString()).isEqualTo("kept"));
	}

	private static void assertRefused(HttpResponse<String> answer, String why) {
		assertThat(answer.statusCode()).isEqualTo(503);
		assertThat(answer.headers().firstValue("Content-Type"))
			.hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(answer.headers().firstValue("Retry-After")).isPresent();
		JsonNode problem = JSON.readTree(answer.body());
		assertThat(problem.path("code").asString()).isEqualTo("store_unavailable");
		assertThat(problem.path("detail").asString()).contains(why).contains("Nothing was changed");
	}

	private JsonNode register(String name) throws Exception {
		HttpResponse<String> answer = request("POST", "/api/peers",
				"{\"name\":\"" + name + "\",\"session_key\":\"key-" + name + "\"}", null);
		assertThat(answer.statusCode()).isEqualTo(201);
		return JSON.readTree(answer.body());
	}

	private HttpResponse<String> send(JsonNode from, String body) throws Exception {
		return request("POST", "/api/peers/bob/messages", JSON.writeValueAsString(java.util.Map.of("body", body)),
				from);
	}

	private HttpResponse<String> request(String method, String path, String json, JsonNode as) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Authorization", "Bearer " + new MyceliumHome(home).readToken().orElseThrow());
		if (as != null) {
			request.header("Mycelium-Peer-Secret", as.path("secret").asString());
		}
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		request.method(method,
				json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
