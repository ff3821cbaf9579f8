/**
 * In-process signalling: long-poll waiters and open push streams, told when mail arrived
 * for a peer. Not storage: nothing here survives the process, and a store tells it about
 * new mail (from this process, or later from other brokers).
 */
package dev.mycelium.broker.push;
