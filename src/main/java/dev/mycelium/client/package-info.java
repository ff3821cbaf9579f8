/**
 * The broker's client, shared by {@code serve} and the CLI: {@link BrokerClient} over
 * {@code LoopbackHttp} (plain HTTP/1.1 and Jackson, no Spring HTTP client), and the
 * auto-start of a broker when none runs. Depends on {@code protocol} only.
 */
package dev.mycelium.client;
