package dev.mycelium.client;

import dev.mycelium.protocol.DashboardLogin;

/**
 * The dashboard's login codes, for {@code mycelium dashboard}. Not a method of
 * {@link BrokerClient}: every {@code serve} makes that class a bean, and Spring's look at
 * its methods would load their types, this one's too, into each session.
 */
public final class DashboardLogins {

	private DashboardLogins() {
	}

	/**
	 * A one-time code that signs a browser in to the broker's dashboard, as the operator.
	 */
	public static DashboardLogin issue(BrokerClient client) {
		return client.post("/api/dashboard/login-codes", DashboardLogin.class);
	}

}
