package dev.mycelium.broker;

import dev.mycelium.broker.BrokerException.Reason;
import dev.mycelium.protocol.Scope;

/** Query parameters turned into values, with the broker's own error sentences. */
final class QueryParameters {

	private QueryParameters() {
	}

	static Scope scope(String scope) {
		try {
			return Scope.parse(scope);
		}
		catch (IllegalArgumentException ex) {
			throw new BrokerException(Reason.INVALID, ex.getMessage() + ".");
		}
	}

}
