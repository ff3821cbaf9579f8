/**
 * The broker's client, shared by {@code serve} and the CLI: {@link BrokerClient} over
 * {@code RestClient}, and the auto-start of a broker when none runs. Depends on
 * {@code protocol} only.
 */
package dev.mycelium.client;
