/**
 * The broker's live dashboard: a static page served at {@code /} that reads the REST API
 * and the event stream with a session cookie instead of the token, and the one-time login
 * codes of {@code mycelium dashboard} that open such a session. Only the broker loads it.
 */
package dev.mycelium.broker.dashboard;
