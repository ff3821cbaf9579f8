package dev.mycelium.client;

/**
 * The broker refused a request: its status, its stable {@code code} and the sentence it
 * gave.
 */
public final class BrokerProblem extends RuntimeException {

	private final int status;

	private final String code;

	public BrokerProblem(int status, String code, String detail) {
		super(detail);
		this.status = status;
		this.code = code;
	}

	public int status() {
		return status;
	}

	public String code() {
		return code;
	}

	/** The broker no longer knows this peer (it left, or the broker restarted). */
	public boolean isUnknownPeer() {
		return status == 401 && "unknown_peer".equals(code);
	}

}
