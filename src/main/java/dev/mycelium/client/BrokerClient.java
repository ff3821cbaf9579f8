package dev.mycelium.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import dev.mycelium.protocol.Acknowledgement;
import dev.mycelium.protocol.AcknowledgementResult;
import dev.mycelium.protocol.Broadcast;
import dev.mycelium.protocol.BroadcastResult;
import dev.mycelium.protocol.BrokerInfo;
import dev.mycelium.protocol.Claim;
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
 */
public class BrokerClient {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

	/** Longer than the longest long-poll the broker allows. */
	private static final Duration READ_TIMEOUT = Duration.ofSeconds(75);

	private final RestClient rest;

	private final LoopbackHttp http;

	private final ClientProperties properties;

	private final JsonMapper json;

	private volatile String token;

	/**
	 * The client of {@code serve}: long-polls, so it waits longer for an answer than the
	 * broker lets a long-poll last.
	 */
	public BrokerClient(RestClient.Builder builder, ClientProperties properties, JsonMapper json) {
		this(builder, properties, json, READ_TIMEOUT);
	}

	/**
	 * Every request and stream goes through {@link LoopbackHttp}, not a JDK client: see
	 * there why.
	 * @param readTimeout how long to wait for an answer before the broker counts as
	 * unavailable
	 */
	private BrokerClient(RestClient.Builder builder, ClientProperties properties, JsonMapper json,
			Duration readTimeout) {
		this.properties = properties;
		this.json = json;
		this.http = new LoopbackHttp(properties.baseUri(), CONNECT_TIMEOUT);
		this.rest = builder.clone()
			.baseUrl(properties.baseUri())
			.requestFactory(http.requestFactory(readTimeout))
			.requestInitializer(request -> request.getHeaders().setBearerAuth(token()))
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
				throw problem(response.getStatusCode().value(), response.getBody().readAllBytes());
			})
			.build();
	}

	/**
	 * A client built by hand, for the command line: starting a Spring context would cost
	 * seconds for a command that should answer at once. It never long-polls, so a broker
	 * that does not answer within {@code readTimeout} counts as unavailable.
	 */
	public static BrokerClient create(ClientProperties properties, JsonMapper json, Duration readTimeout) {
		RestClient.Builder builder = RestClient.builder()
			.configureMessageConverters(
					converters -> converters.withJsonConverter(new JacksonJsonHttpMessageConverter(json)));
		return new BrokerClient(builder, properties, json, readTimeout);
	}

	public ClientProperties properties() {
		return properties;
	}

	public BrokerInfo info() {
		return call(r -> r.get().uri("/api/broker").retrieve().body(BrokerInfo.class));
	}

	/**
	 * Asks the broker to stop (as the operator); it answers at once and then shuts down
	 * gracefully. Not in the spec: {@code POST /api/broker/shutdown}. Not named
	 * {@code shutdown()}: Spring would take a public {@code shutdown()} of a bean for its
	 * destroy method, and every {@code serve} would stop the broker as it exits.
	 */
	public BrokerInfo stopBroker() {
		return call(r -> r.post().uri("/api/broker/shutdown").retrieve().body(BrokerInfo.class));
	}

	/**
	 * A bodiless POST as the operator, for calls that live outside this class: see
	 * {@link DashboardLogins} why.
	 */
	<T> T post(String path, Class<T> answer) {
		return call(r -> r.post().uri(path).retrieve().body(answer));
	}

	public Registration register(PeerRegistration registration) {
		return call(r -> r.post().uri("/api/peers").body(registration).retrieve().body(Registration.class));
	}

	public List<Peer> peers(Scope scope, Identity as) {
		return call(r -> as(as, r.get().uri("/api/peers?scope={scope}", scope.wireName())).retrieve()
			.body(new ParameterizedTypeReference<List<Peer>>() {
			}));
	}

	public Peer peer(String peerRef) {
		return call(r -> r.get().uri("/api/peers/{peer}", peerRef).retrieve().body(Peer.class));
	}

	public Peer heartbeat(Identity as) {
		return call(r -> as(as, r.post().uri("/api/peers/{peer}/heartbeat", as.id())).retrieve().body(Peer.class));
	}

	public Peer update(Identity as, PeerUpdate update) {
		return call(r -> as(as, r.patch().uri("/api/peers/{peer}", as.id())).body(update).retrieve().body(Peer.class));
	}

	public void leave(Identity as) {
		call(r -> as(as, r.delete().uri("/api/peers/{peer}", as.id())).retrieve().toBodilessEntity());
	}

	public Message send(String recipientRef, DirectMessage message, Identity as) {
		return call(r -> as(as, r.post().uri("/api/peers/{peer}/messages", recipientRef)).body(message)
			.retrieve()
			.body(Message.class));
	}

	/**
	 * The unread inbox, oldest first, without what this peer holds for its own delivery
	 * into the session: what no other path is bringing to the model.
	 */
	public List<Message> unreadNotHeld(Identity as) {
		return call(r -> as(as, r.get().uri("/api/peers/{peer}/messages?held=false", as.id())).retrieve()
			.body(new ParameterizedTypeReference<List<Message>>() {
			}));
	}

	/**
	 * Holds messages for this peer's own delivery into its session.
	 * @return how many this call held (the others were read or already held)
	 */
	public int hold(Identity as, List<String> messageIds) {
		return count(call(r -> as(as, r.post().uri("/api/peers/{peer}/messages/hold", as.id()))
			.body(new Acknowledgement(messageIds))
			.retrieve()
			.body(JsonNode.class)), "held");
	}

	/** The ids of the messages this peer holds. */
	public Set<String> held(Identity as) {
		return call(r -> as(as, r.get().uri("/api/peers/{peer}/messages/held", as.id())).retrieve()
			.body(new ParameterizedTypeReference<Set<String>>() {
			}));
	}

	public int release(Identity as, List<String> messageIds) {
		return count(call(r -> as(as, r.post().uri("/api/peers/{peer}/messages/release", as.id()))
			.body(new Acknowledgement(messageIds))
			.retrieve()
			.body(JsonNode.class)), "released");
	}

	private static int count(JsonNode answer, String field) {
		return answer == null ? 0 : answer.path(field).asInt(0);
	}

	/** The unread inbox, oldest first, waiting up to {@code wait} for mail to arrive. */
	public List<Message> unread(Identity as, Duration wait) {
		double seconds = wait.toMillis() / 1000.0;
		// Without wait the broker answers synchronously, which is cheaper.
		String uri = wait.isZero() ? "/api/peers/{peer}/messages" : "/api/peers/{peer}/messages?wait={wait}";
		return call(r -> as(as, r.get().uri(uri, as.id(), seconds)).retrieve()
			.body(new ParameterizedTypeReference<List<Message>>() {
			}));
	}

	/** Messages this peer sent that are still unread. */
	public List<Message> outbox(Identity as) {
		return call(r -> as(as, r.get().uri("/api/peers/{peer}/outbox", as.id())).retrieve()
			.body(new ParameterizedTypeReference<List<Message>>() {
			}));
	}

	public AcknowledgementResult acknowledge(Identity as, List<String> messageIds) {
		return call(r -> as(as, r.post().uri("/api/peers/{peer}/messages/ack", as.id()))
			.body(new Acknowledgement(messageIds))
			.retrieve()
			.body(AcknowledgementResult.class));
	}

	public BroadcastResult broadcast(Broadcast broadcast, Identity as) {
		return call(
				r -> as(as, r.post().uri("/api/broadcasts")).body(broadcast).retrieve().body(BroadcastResult.class));
	}

	public List<Topic> topics() {
		return call(r -> r.get().uri("/api/topics").retrieve().body(new ParameterizedTypeReference<List<Topic>>() {
		}));
	}

	public Topic subscribe(String topic, Identity as) {
		return call(r -> as(as, r.put().uri("/api/topics/{topic}/subscribers/{peer}", topic, as.id())).retrieve()
			.body(Topic.class));
	}

	public Topic unsubscribe(String topic, Identity as) {
		return call(r -> as(as, r.delete().uri("/api/topics/{topic}/subscribers/{peer}", topic, as.id())).retrieve()
			.body(Topic.class));
	}

	public Task delegate(TaskRequest request, Identity as) {
		return call(r -> as(as, r.post().uri("/api/tasks")).body(request).retrieve().body(Task.class));
	}

	public Task report(String taskId, TaskOutcome outcome, Identity as) {
		return call(
				r -> as(as, r.post().uri("/api/tasks/{id}/result", taskId)).body(outcome).retrieve().body(Task.class));
	}

	public Task task(String taskId) {
		return call(r -> r.get().uri("/api/tasks/{id}", taskId).retrieve().body(Task.class));
	}

	public List<Task> tasks(String peerRef) {
		return call(r -> r.get()
			.uri("/api/tasks?peer={peer}", peerRef)
			.retrieve()
			.body(new ParameterizedTypeReference<List<Task>>() {
			}));
	}

	public Claim claim(ClaimRequest request, Identity as) {
		return call(r -> as(as, r.post().uri("/api/claims")).body(request).retrieve().body(Claim.class));
	}

	public List<Claim> release(ClaimRelease release, Identity as) {
		return call(r -> as(as, r.post().uri("/api/claims/release")).body(release)
			.retrieve()
			.body(new ParameterizedTypeReference<List<Claim>>() {
			}));
	}

	/** The claims that stand, oldest first. */
	public List<Claim> claims() {
		return call(r -> r.get().uri("/api/claims").retrieve().body(new ParameterizedTypeReference<List<Claim>>() {
		}));
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
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.ACCEPT, "text/event-stream");
		headers.setBearerAuth(token());
		if (as != null) {
			headers.set(Headers.PEER_SECRET, as.secret());
		}
		if (lastEventId != null) {
			headers.set("Last-Event-ID", lastEventId);
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

	private static RestClient.RequestHeadersSpec<?> as(Identity identity, RestClient.RequestHeadersSpec<?> spec) {
		if (identity != null) {
			spec.header(Headers.PEER_SECRET, identity.secret());
		}
		return spec;
	}

	private static RestClient.RequestBodySpec as(Identity identity, RestClient.RequestBodySpec spec) {
		as(identity, (RestClient.RequestHeadersSpec<?>) spec);
		return spec.contentType(MediaType.APPLICATION_JSON);
	}

	private <T> T call(Function<RestClient, T> exchange) {
		try {
			return exchange.apply(rest);
		}
		catch (ResourceAccessException ex) {
			throw new BrokerUnavailableException("No mycelium broker answers at " + properties.baseUri() + ": "
					+ ex.getMostSpecificCause().getMessage(), ex);
		}
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
