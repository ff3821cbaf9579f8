/**
 * The wire contract shared by the broker, the client, {@code serve} and the CLI: the JSON
 * records of the REST API and the files under {@code MYCELIUM_HOME}. Records evolve by
 * appending components; readers tolerate unknown fields.
 */
package dev.mycelium.protocol;
