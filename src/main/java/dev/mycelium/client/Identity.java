package dev.mycelium.client;

/**
 * Acting as a peer: its id and the secret its registration returned. Requests without one
 * act as the operator (the person at the terminal).
 */
public record Identity(String id, String secret) {

	@Override
	public String toString() {
		return "Identity[" + id + "]";
	}

}
