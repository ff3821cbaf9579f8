package dev.mycelium.broker;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The broker's settings, under {@code mycelium.*} (so {@code MYCELIUM_HOME},
 * {@code MYCELIUM_HOST}, {@code MYCELIUM_PORT} and {@code MYCELIUM_ALLOW_REMOTE} apply).
 *
 * @param allowRemote whether a non-loopback host may be bound; off unless the user says
 * so
 * @param hostname the name of this machine as peers show it ({@code MYCELIUM_HOSTNAME});
 * blank: the name the operating system gives
 */
@ConfigurationProperties("mycelium")
record BrokerProperties(Path home, @DefaultValue("localhost") String host, @DefaultValue("7890") int port,
		@DefaultValue("false") boolean allowRemote, @DefaultValue Limits limits, @DefaultValue Liveness liveness,
		@DefaultValue Push push, @DefaultValue Store store, @DefaultValue("") String hostname,
		@DefaultValue Wakes wakes) {

	/**
	 * How often messages between sessions may wake an idle one, per hour, without a
	 * person in between (a person's message or a prompt typed in either session starts
	 * the count again); past it, their messages wait unread instead of waking it.
	 *
	 * @param perPair wakes by the messages of one pair of sessions, both ways
	 * @param perSession wakes of one session by all the others
	 */
	record Wakes(@DefaultValue("20") int perPair, @DefaultValue("60") int perSession,
			@DefaultValue("1h") Duration window) {
	}

	/**
	 * @param maxBody the largest message body, task description or result, in UTF-8 bytes
	 * @param maxInbox how many unread messages an inbox holds before senders get 429
	 * @param messageTtl how long a message may stay unread before it expires
	 * @param maxWait the longest long-poll a client may ask for
	 */
	record Limits(@DefaultValue("64KB") DataSize maxBody, @DefaultValue("1000") int maxInbox,
			@DefaultValue("24h") Duration messageTtl, @DefaultValue("60s") Duration maxWait) {

		/**
		 * The largest request accepted before it is read: JSON escaping can make a body
		 * up to six times longer ({@code \u0000}), plus room for the other fields.
		 */
		long maxRequestBytes() {
			return maxBody.toBytes() * 6 + 16 * 1024;
		}

	}

	/**
	 * @param staleAfter silence after which a peer is shown stale
	 * @param removeAfter silence after which a peer is removed (its inbox kept for the
	 * grace)
	 * @param grace how long a peer that left keeps its unread mail for a returning
	 * session
	 * @param sweepInterval how often the broker checks liveness and expiry
	 */
	record Liveness(@DefaultValue("30s") Duration staleAfter, @DefaultValue("2m") Duration removeAfter,
			@DefaultValue("10m") Duration grace, @DefaultValue("5s") Duration sweepInterval) {
	}

	/**
	 * @param type {@code sqlite} (durable, {@code MYCELIUM_HOME/mycelium.db}),
	 * {@code memory} or {@code redis} ({@code MYCELIUM_STORE}, {@code --store}); blank:
	 * {@code redis} when a Redis URL is given, else {@code sqlite}
	 * @param fsync {@code normal}: a commit survives a crash of the broker; {@code full}:
	 * also power loss, one fsync per commit ({@code MYCELIUM_FSYNC})
	 * @param redisUrl the Redis that the brokers of several machines share
	 * ({@code MYCELIUM_REDIS_URL}: {@code redis://} or {@code rediss://}, with a password
	 * or ACL user and a database number)
	 * @param redisCa PEM certificates to trust for {@code rediss://}
	 * ({@code MYCELIUM_REDIS_CA}); blank: the JVM's trust store
	 */
	record Store(@DefaultValue("") String type, @DefaultValue("normal") String fsync, @DefaultValue("") String redisUrl,
			@DefaultValue("") String redisCa) {

		/** The store to open: the type given, else what the settings imply. */
		String kind() {
			if (type.isBlank()) {
				return redisUrl.isBlank() ? "sqlite" : "redis";
			}
			return type.trim().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * @param heartbeat how often an idle push stream gets a comment line, so that both
	 * ends notice a dead connection
	 * @param eventHistory how many broker-wide events are kept for readers that resume
	 */
	record Push(@DefaultValue("15s") Duration heartbeat, @DefaultValue("10000") int eventHistory) {
	}

}
