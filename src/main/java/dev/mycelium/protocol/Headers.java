package dev.mycelium.protocol;

/** HTTP headers of the API that are mycelium's own. */
public final class Headers {

	/** Carries the secret a peer got at registration: the request acts as that peer. */
	public static final String PEER_SECRET = "Mycelium-Peer-Secret";

	private Headers() {
	}

}
