/**
 * The broker: the REST API, its security filter and problem details, and the rules
 * ({@code BrokerService}) over a store of peers, inboxes, topics and tasks
 * ({@code store}: memory or SQLite) and in-process signalling ({@code push}). Depends on
 * {@code protocol} only.
 */
package dev.mycelium.broker;
