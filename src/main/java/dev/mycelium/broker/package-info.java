/**
 * The broker: the REST API over an in-memory repository of peers, inboxes, topics and
 * tasks, its security filter and its problem details. Depends on {@code protocol} only.
 */
package dev.mycelium.broker;
