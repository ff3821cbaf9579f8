/**
 * The SQLite store, the default: {@code MYCELIUM_HOME/mycelium.db}, its schema migrated
 * by Flyway, every change committed (in groups) before the request that made it is
 * answered. The only package that uses JDBC.
 */
package dev.mycelium.broker.store.sqlite;
