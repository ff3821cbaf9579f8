package dev.mycelium.broker;

/**
 * Who sent a request, as established by the security filter: a peer (by its secret) or
 * the operator, the person holding the token without acting as any peer (the CLI).
 *
 * @param peerId the peer's id, {@code null} for the operator
 * @param name the name stamped on what the caller sends
 */
record Caller(String peerId, String name) {

	static final String ATTRIBUTE = Caller.class.getName();

	static Caller operator() {
		return new Caller(null, "cli:" + System.getProperty("user.name", "user"));
	}

	boolean isPeer() {
		return peerId != null;
	}

}
