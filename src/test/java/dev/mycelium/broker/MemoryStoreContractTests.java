package dev.mycelium.broker;

import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.memory.MemoryStore;

/** The contract on the memory store ({@code MYCELIUM_STORE=memory}). */
class MemoryStoreContractTests extends BrokerStoreContractTests {

	@Override
	BrokerStore createStore() {
		return new MemoryStore();
	}

}
