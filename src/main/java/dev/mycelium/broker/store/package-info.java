/**
 * Where the broker keeps peers, inboxes, holds, topics and tasks: the
 * {@link dev.mycelium.broker.store.BrokerStore} interface, whose operations are whole
 * use-case steps, each atomic in the store, and one sub-package per implementation.
 * Nothing here knows the web layer or the broker's rules beyond what a step is given.
 */
package dev.mycelium.broker.store;
