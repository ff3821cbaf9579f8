/**
 * {@code serve}: the stdio MCP server of one Claude Code session, its ten tools, its
 * identity (git, session key), heartbeat and exit. Reaches the broker only through
 * {@code client}.
 */
package dev.mycelium.serve;
