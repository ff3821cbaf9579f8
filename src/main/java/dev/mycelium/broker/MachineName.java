package dev.mycelium.broker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/**
 * The name of the machine this broker runs on: the host of the peers it registers and of
 * {@code GET /api/broker}. {@code MYCELIUM_HOSTNAME} overrides it (two brokers on one
 * machine can then stand for two hosts). Looked up on first use rather than at start: the
 * lookup may wait for a name server.
 */
final class MachineName implements Supplier<String> {

	private final String configured;

	private volatile String name;

	MachineName(String configured) {
		this.configured = configured == null || configured.isBlank() ? null : configured.trim();
	}

	@Override
	public String get() {
		String known = name;
		if (known == null) {
			if (configured != null) {
				known = configured;
			}
			else {
				try {
					known = InetAddress.getLocalHost().getHostName();
				}
				catch (UnknownHostException ex) {
					known = "localhost";
				}
			}
			name = known;
		}
		return known;
	}

}
