package dev.mycelium.broker.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard's settings, under {@code mycelium.dashboard.*}.
 *
 * @param codeLifetime how long a login code of {@code mycelium dashboard} works (once)
 * @param sessionLifetime how long a browser stays signed in (no longer than the broker
 * runs: sessions live in its memory only)
 */
@ConfigurationProperties("mycelium.dashboard")
record DashboardProperties(@DefaultValue("1m") Duration codeLifetime, @DefaultValue("12h") Duration sessionLifetime) {
}
