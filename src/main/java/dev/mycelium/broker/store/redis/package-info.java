/**
 * The Redis store ({@code MYCELIUM_REDIS_URL}): the brokers of several machines share one
 * Redis, each step a Lua script, new mail told to every broker by pub/sub. Only the
 * broker loads it, and with it Lettuce and Netty.
 */
package dev.mycelium.broker.store.redis;
