package dev.mycelium.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.mycelium.protocol.Acknowledgement;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.Claim;
import dev.mycelium.protocol.ClaimCheck;
import dev.mycelium.protocol.ClaimRelease;
import dev.mycelium.protocol.ClaimRequest;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.Headers;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;
import dev.mycelium.protocol.PeerRegistration;
import dev.mycelium.protocol.PeerUpdate;
import dev.mycelium.protocol.Registration;
import dev.mycelium.protocol.Scope;
import dev.mycelium.protocol.Task;
import dev.mycelium.protocol.TaskOutcome;
import dev.mycelium.protocol.TaskRequest;
import dev.mycelium.protocol.Topic;

/**
 * The broker's REST API as Java calls. A refusal is a {@link BrokerProblem} carrying the
 * broker's own sentence; no broker at all is a {@link BrokerUnavailableException}.
 * Methods that act as a peer take its {@link Identity}; {@code null} acts as the
 * operator.
 * <p>
 * Requests go through {@link LoopbackHttp} and bodies through the {@link JsonMapper},
 * with no {@code RestClient} between them: the broker speaks one JSON API, and Spring's
 * HTTP client, its converters and status handlers were a few hundred classes in every
 * session.
 */
public class BrokerClient {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

	/** Longer than the longest long-poll the broker allows. */
	private static final Duration READ_TIMEOUT = Duration.ofSeconds(75);

	private static final byte[] NO_BODY = new byte[0];

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private final LoopbackHttp http;

	private final Duration readTimeout;

	private final ClientProperties properties;

	private final JsonMapper json;

	private volatile String token;

	/**
	 * The client of {@code serve}: long-polls, so it waits longer for an answer than the
	 * broker lets a long-poll last.
	 */
	public BrokerClient(ClientProperties properties, JsonMapper json) {
		this(properties, json, READ_TIMEOUT);
	}

	/**
	 * @param readTimeout how long to wait for an answer before the broker counts as
	 * unavailable
	 */
	private BrokerClient(ClientProperties properties, JsonMapper json, Duration readTimeout) {
		this.properties = properties;
		this.json = json;
		this.readTimeout = readTimeout;
		this.http = new LoopbackHttp(properties.baseUri(), CONNECT_TIMEOUT);
	}

	/**
	 * A client built by hand, for the command line: starting a Spring context would cost
	 * seconds for a command that should answer at once. It never long-polls, so a broker
	 * that does not answer within {@code readTimeout} counts as unavailable.
	 */
	public static BrokerClient create(ClientProperties properties, JsonMapper json, Duration readTimeout) {
		return new BrokerClient(properties, json, readTimeout);
	}

	public ClientProperties properties() {
		return properties;
	}

	public BrokerInfo info() {
		return call("GET", "/api/broker", null, null, BrokerInfo.class);
	}

	/**
	 * Asks the broker to stop (as the operator); it answers at once and then shuts down
	 * gracefully. Not in the spec: {@code POST /api/broker/shutdown}. Not named
	 * {@code shutdown()}: Spring would take a public {@code shutdown()} of a bean for its
	 * destroy method, and every {@code serve} would stop the broker as it exits.
	 */
	public BrokerInfo stopBroker() {
		return call("POST", "/api/broker/shutdown", null, null, BrokerInfo.class);
	}

	/**
	 * A bodiless POST as the operator, for calls that live outside this class: see
	 * {@link DashboardLogins} why.
	 */
	<T> T post(String path, Class<T> answer) {
		return call("POST", path, null, null, answer);
	}

	public Registration register(PeerRegistration registration) {
		return call("POST", "/api/peers", null, registration, Registration.class);
	}

	public List<Peer> peers(Scope scope, Identity as) {
		return call("GET", "/api/peers?scope=" + encoded(scope.wireName()), as, null, listOf(Peer.class));
	}

	public Peer peer(String peerRef) {
		return call("GET", "/api/peers/" + encoded(peerRef), null, null, Peer.class);
	}

	public Peer heartbeat(Identity as) {
		return call("POST", "/api/peers/" + encoded(as.id()) + "/heartbeat", as, null, Peer.class);
	}

	public Peer update(Identity as, PeerUpdate update) {
		return call("PATCH", "/api/peers/" + encoded(as.id()), as, update, Peer.class);
	}

	public void leave(Identity as) {
		exchange("DELETE", "/api/peers/" + encoded(as.id()), as, null);
	}

	public Message send(String recipientRef, DirectMessage message, Identity as) {
		return call("POST", "/api/peers/" + encoded(recipientRef) + "/messages", as, message, Message.class);
	}

	/**
	 * The unread inbox, oldest first, without what this peer holds for its own delivery
	 * into the session: what no other path is bringing to the model.
	 */
	public List<Message> unreadNotHeld(Identity as) {
		return call("GET", "/api/peers/" + encoded(as.id()) + "/messages?held=false", as, null, listOf(Message.class));
	}

	/**
	 * Holds messages for this peer's own delivery into its session.
	 * @return how many this call held (the others were read or already held)
	 */
	public int hold(Identity as, List<String> messageIds) {
		return count(call("POST", "/api/peers/" + encoded(as.id()) + "/messages/hold", as,
				new Acknowledgement(messageIds), JsonNode.class), "held");
	}

	/** The ids of the messages this peer holds. */
	public Set<String> held(Identity as) {
		return call("GET", "/api/peers/" + encoded(as.id()) + "/messages/held", as, null,
				json.getTypeFactory().constructCollectionType(Set.class, String.class));
	}

	public int release(Identity as, List<String> messageIds) {
		return count(call("POST", "/api/peers/" + encoded(as.id()) + "/messages/release", as,
				new Acknowledgement(messageIds), JsonNode.class), "released");
	}

	private static int count(JsonNode answer, String field) {
		return answer == null ? 0 : answer.path(field).asInt(0);
	}

	/** The unread inbox, oldest first, waiting up to {@code wait} for mail to arrive. */
	public List<Message> unread(Identity as, Duration wait) {
		// Without wait the broker answers synchronously, which is cheaper.
		String path = "/api/peers/" + encoded(as.id()) + "/messages";
		if (!wait.isZero()) {
			path += "?wait=" + wait.toMillis() / 1000.0;
		}
		return call("GET", path, as, null, listOf(Message.class));
	}

	/** Messages this peer sent that are still unread. */
	public List<Message> outbox(Identity as) {
		return call("GET", "/api/peers/" + encoded(as.id()) + "/outbox", as, null, listOf(Message.class));
	}

	public AcknowledgementResult acknowledge(Identity as, List<String> messageIds) {
		return call("POST", "/api/peers/" + encoded(as.id()) + "/messages/ack", as, new Acknowledgement(messageIds),
				AcknowledgementResult.class);
	}

	public BroadcastResult broadcast(Broadcast broadcast, Identity as) {
		return call("POST", "/api/broadcasts", as, broadcast, BroadcastResult.class);
	}

	public List<Topic> topics() {
		return call("GET", "/api/topics", null, null, listOf(Topic.class));
	}

	public Topic subscribe(String topic, Identity as) {
		return call("PUT", "/api/topics/" + encoded(topic) + "/subscribers/" + encoded(as.id()), as, null, Topic.class);
	}

	public Topic unsubscribe(String topic, Identity as) {
		return call("DELETE", "/api/topics/" + encoded(topic) + "/subscribers/" + encoded(as.id()), as, null,
				Topic.class);
	}

	public Task delegate(TaskRequest request, Identity as) {
		return call("POST", "/api/tasks", as, request, Task.class);
	}

	public Task report(String taskId, TaskOutcome outcome, Identity as) {
		return call("POST", "/api/tasks/" + encoded(taskId) + "/result", as, outcome, Task.class);
	}

	public Task task(String taskId) {
		return call("GET", "/api/tasks/" + encoded(taskId), null, null, Task.class);
	}

	public List<Task> tasks(String peerRef) {
		return call("GET", "/api/tasks?peer=" + encoded(peerRef), null, null, listOf(Task.class));
	}

	public Claim claim(ClaimRequest request, Identity as) {
		return call("POST", "/api/claims", as, request, Claim.class);
	}

	public List<Claim> release(ClaimRelease release, Identity as) {
		return call("POST", "/api/claims/release", as, release, listOf(Claim.class));
	}

	/** Each of these files another session holds exclusively, with its claim. */
	public Map<String, Claim> heldElsewhere(ClaimCheck check) {
		return call("POST", "/api/claims/check", null, check,
				json.getTypeFactory().constructMapType(java.util.LinkedHashMap.class, String.class, Claim.class));
	}

	/** The claims that stand, oldest first. */
	public List<Claim> claims() {
		return call("GET", "/api/claims", null, null, listOf(Claim.class));
	}

	/**
	 * The peer's inbox as Server-Sent Events: unread messages after {@code lastEventId}
	 * (all unread without one), then each new one. Nothing is acknowledged.
	 */
	public EventStream inboxEvents(Identity as, String lastEventId) {
		return openStream("/api/peers/" + as.id() + "/events", as, lastEventId);
	}

	/**
	 * Everything happening on the broker, as Server-Sent Events of
	 * {@link dev.mycelium.protocol.BrokerEvent}; without {@code lastEventId} from now on.
	 */
	public EventStream brokerEvents(String lastEventId) {
		return openStream("/api/events", null, lastEventId);
	}

	private EventStream openStream(String path, Identity as, String lastEventId) {
		Map<String, String> headers = headers(as);
		headers.put("Accept", "text/event-stream");
		if (lastEventId != null) {
			headers.put("Last-Event-ID", lastEventId);
		}
		LoopbackHttp.Answer answer;
		try {
			answer = http.openStream(path, headers);
		}
		catch (IOException ex) {
			throw new BrokerUnavailableException(
					"No mycelium broker answers at " + properties.baseUri() + ": " + ex.getMessage(), ex);
		}
		if (answer.status() != 200) {
			try (InputStream body = answer.body()) {
				throw problem(answer.status(), body.readAllBytes());
			}
			catch (IOException ex) {
				throw new BrokerUnavailableException("The broker closed the connection: " + ex.getMessage(), ex);
			}
		}
		return new EventStream(answer.body());
	}

	private <T> T call(String method, String path, Identity as, Object body, Class<T> answer) {
		return call(method, path, as, body, json.constructType(answer));
	}

	/**
	 * @return the answer's body as {@code answer}; {@code null} for an empty body
	 */
	private <T> T call(String method, String path, Identity as, Object body, JavaType answer) {
		byte[] content = exchange(method, path, as, body);
		return content.length == 0 ? null : json.readValue(content, answer);
	}

	private JavaType listOf(Class<?> element) {
		return json.getTypeFactory().constructCollectionType(List.class, element);
	}

	/**
	 * One request, with the bearer token and, acting as a peer, its secret; a body is
	 * sent as JSON.
	 * @return the answer's body, when its status is neither 4xx nor 5xx
	 * @throws BrokerProblem for a 4xx or 5xx answer
	 * @throws BrokerUnavailableException when no answer came
	 */
	private byte[] exchange(String method, String path, Identity as, Object body) {
		Map<String, String> headers = headers(as);
		byte[] content = NO_BODY;
		if (body != null) {
			headers.put("Content-Type", "application/json");
			content = json.writeValueAsBytes(body);
		}
		int status;
		byte[] answered;
		try {
			LoopbackHttp.Answer answer = http.exchange(method, path, headers, content, readTimeout);
			status = answer.status();
			answered = answer.body().readAllBytes();
		}
		catch (IOException ex) {
			throw new BrokerUnavailableException(
					"No mycelium broker answers at " + properties.baseUri() + ": " + rootCause(ex).getMessage(), ex);
		}
		if (status >= 400 && status < 600) {
			throw problem(status, answered);
		}
		return answered;
	}

	private Map<String, String> headers(Identity as) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + token());
		if (as != null) {
			headers.put(Headers.PEER_SECRET, as.secret());
		}
		return headers;
	}

	/**
	 * What went wrong underneath, e.g. the reset that ended a connection before its
	 * answer.
	 */
	private static Throwable rootCause(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root;
	}

	/**
	 * A path segment or query value with every byte but RFC 3986's unreserved characters
	 * percent-encoded, as URI templates encode their variables: a name may hold a slash,
	 * a question mark or an ampersand.
	 */
	private static String encoded(String value) {
		if (value == null) {
			return "";
		}
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		StringBuilder encoded = new StringBuilder(bytes.length + 8);
		for (byte b : bytes) {
			int c = b & 0xff;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
					|| c == '_' || c == '~') {
				encoded.append((char) c);
			}
			else {
				encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
			}
		}
		return encoded.toString();
	}

	private String token() {
		String current = token;
		if (current == null) {
			current = properties.myceliumHome().readToken().orElse("");
			if (!current.isEmpty()) {
				token = current;
			}
		}
		return current;
	}

	/**
	 * A problem detail from the broker, or a plain description of whatever else answered.
	 */
	private BrokerProblem problem(int status, byte[] body) {
		try {
			JsonNode problem = json.readTree(body);
			if (problem.has("detail")) {
				if (status == 401 && !problem.path("code").asString("").equals("unknown_peer")) {
					token = null;
				}
				return new BrokerProblem(status, problem.path("code").asString("error"),
						problem.path("detail").asString());
			}
		}
		catch (RuntimeException ex) {
			// not a problem detail: described below
		}
		return new BrokerProblem(status, "unexpected_answer", "The broker at " + properties.baseUri()
				+ " answered HTTP " + status + " without a problem detail; is it really a mycelium broker?");
	}

}
