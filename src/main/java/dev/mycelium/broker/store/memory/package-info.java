/**
 * The memory store ({@code MYCELIUM_STORE=memory}): everything in this process, gone with
 * it. The broker's behaviour before it had a durable store.
 */
package dev.mycelium.broker.store.memory;
