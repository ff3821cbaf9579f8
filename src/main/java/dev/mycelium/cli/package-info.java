/**
 * The command line: {@code status}, {@code send}, {@code tail}, {@code stop} and
 * {@code dashboard}, parsed by picocli and run without a Spring context so that each
 * answers at once. Reaches the broker only through {@code client}.
 */
package dev.mycelium.cli;
