package dev.mycelium.broker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.apache.catalina.core.StandardHost;
import tools.jackson.databind.module.SimpleModule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.mycelium.broker.push.MailSignals;
import dev.mycelium.broker.store.BrokerStore;
import dev.mycelium.broker.store.StoreRefusedException;
import dev.mycelium.broker.store.memory.MemoryStore;
import dev.mycelium.broker.store.redis.RedisStore;
import dev.mycelium.broker.store.sqlite.SqliteStore;
import dev.mycelium.protocol.BrokerEvent;
import dev.mycelium.protocol.MyceliumHome;

/**
 * The broker profile: everything in this package, and nothing when another profile runs.
 */
@Configuration(proxyBeanMethods = false)
@Profile("broker")
@ComponentScan
@EnableScheduling
@EnableConfigurationProperties(BrokerProperties.class)
public class BrokerConfiguration {

	private static final Logger log = LoggerFactory.getLogger(BrokerConfiguration.class);

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	MyceliumHome myceliumHome(BrokerProperties properties) {
		return new MyceliumHome(properties.home());
	}

	/**
	 * Opened once this broker holds {@code broker.lock} (the state file takes it): two
	 * brokers never open one database.
	 */
	@Bean(destroyMethod = "close")
	BrokerStore brokerStore(BrokerProperties properties, MyceliumHome home, BrokerStateFile lock) {
		BrokerProperties.Store store = properties.store();
		String kind = store.kind();
		if (!kind.equals("redis") && !store.redisUrl().isBlank()) {
			// Never ignore a shared store silently: the other machines would not see this
			// one.
			throw new StoreRefusedException("MYCELIUM_STORE=" + store.type() + " and MYCELIUM_REDIS_URL are both set:"
					+ " unset MYCELIUM_REDIS_URL to keep the state on this machine, or MYCELIUM_STORE to share it"
					+ " through Redis.");
		}
		return switch (kind) {
			case "sqlite" -> SqliteStore.open(home.database(), fsync(store.fsync()));
			case "memory" -> new MemoryStore();
			case "redis" -> {
				if (store.redisUrl().isBlank()) {
					throw new StoreRefusedException("MYCELIUM_STORE=redis needs MYCELIUM_REDIS_URL"
							+ " (redis://[user:password@]host:port[/database], or rediss:// for TLS).");
				}
				yield RedisStore.open(store.redisUrl(),
						store.redisCa().isBlank() ? null : java.nio.file.Path.of(store.redisCa()));
			}
			default -> throw new StoreRefusedException("MYCELIUM_STORE=" + store.type()
					+ " is not a store: use sqlite (the default, durable), memory, or redis (with MYCELIUM_REDIS_URL).");
		};
	}

	private static SqliteStore.Fsync fsync(String fsync) {
		return switch (fsync.toLowerCase(Locale.ROOT)) {
			case "normal" -> SqliteStore.Fsync.NORMAL;
			case "full" -> SqliteStore.Fsync.FULL;
			default -> throw new StoreRefusedException(
					"MYCELIUM_FSYNC=" + fsync + " is not a policy: use normal (the default) or full.");
		};
	}

	@Bean
	MailSignals mailSignals() {
		return new MailSignals();
	}

	@Bean
	MachineName machineName(BrokerProperties properties) {
		return new MachineName(properties.hostname());
	}

	@Bean
	BrokerOperations brokerOperations(BrokerStore store, MailSignals signals, Clock clock, BrokerProperties properties,
			BrokerEventLog events, MachineName machineName) {
		return new BrokerService(store, signals, clock, properties.limits(), properties.liveness(), events,
				machineName);
	}

	@Bean
	BrokerEventLog brokerEventLog(BrokerProperties properties, BrokerStore store, JsonMapper json) {
		BrokerEventLog events = new BrokerEventLog(properties.push().eventHistory());
		if (!store.sharedWithOtherBrokers()) {
			// Nobody to tell: no event is written as JSON on the way to nowhere.
			return events;
		}
		events.shareWith(event -> store.shareEvent(json.writeValueAsString(event)));
		store.onSharedEvent(shared -> {
			try {
				events.relay(json.readValue(shared, BrokerEvent.class));
			}
			catch (JacksonException ex) {
				log.warn("An event shared by another broker is not one this broker reads: {}", ex.getMessage());
			}
		});
		return events;
	}

	@Bean
	WakeBudget wakeBudget(BrokerProperties properties, Clock clock, BrokerStore store, BrokerEventLog events) {
		return new WakeBudget(properties.wakes(), clock, store, events);
	}

	@Bean
	ClaimService claimService(BrokerStore store, BrokerOperations broker, Clock clock, BrokerEventLog events,
			MyceliumHome home) {
		return new ClaimService(store, broker, clock, events, new ClaimsMarker(home.claimsStanding()));
	}

	@Bean
	Sweeper sweeper(BrokerOperations broker, ClaimService claims) {
		return new Sweeper(broker, claims);
	}

	@Bean(destroyMethod = "close")
	BrokerStateFile brokerStateFile(MyceliumHome home, JsonMapper json, BrokerProperties properties,
			MachineName machineName, ObjectProvider<BuildProperties> build, Clock clock) {
		String version = Optional.ofNullable(build.getIfAvailable()).map(BuildProperties::getVersion).orElse("dev");
		return new BrokerStateFile(home, json, properties.host(), machineName, version, clock);
	}

	@Bean
	FilterRegistrationBean<RequestGuardFilter> requestGuardFilter(MyceliumHome home, BrokerOperations broker,
			BrokerProperties properties, ObjectProvider<BrowserAccess> browsers) {
		Optional<String> remoteHost = requireLoopbackUnlessAllowed(properties);
		RequestGuardFilter filter = new RequestGuardFilter(TokenFile.ensureToken(home), broker,
				properties.limits().maxRequestBytes(), remoteHost, browsers.getIfAvailable(() -> BrowserAccess.NONE));
		FilterRegistrationBean<RequestGuardFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	/** Tomcat's own refusals (a malformed URL, headers too large) as problem details. */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReports() {
		return factory -> factory.addContextCustomizers(context -> {
			if (context.getParent() instanceof StandardHost host) {
				host.setErrorReportValveClass(ProblemReportValve.class.getName());
				host.getPipeline().addValve(new ProblemReportValve());
			}
		});
	}

	/** Request bodies whose strings are not Unicode (a lone surrogate) are a 400. */
	@Bean
	JsonMapperBuilderCustomizer wellFormedText() {
		return builder -> builder
			.addModule(new SimpleModule("mycelium-text").addDeserializer(String.class, new WellFormedText()));
	}

	@Bean
	WebMvcConfigurer callerArgument() {
		return new WebMvcConfigurer() {
			@Override
			public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
				resolvers.add(new CallerArgumentResolver());
			}
		};
	}

	/**
	 * Refuses to start on an address other machines can reach unless the user said so;
	 * when they did, requests naming that host are accepted too.
	 */
	private static Optional<String> requireLoopbackUnlessAllowed(BrokerProperties properties) {
		boolean loopback;
		try {
			loopback = Arrays.stream(InetAddress.getAllByName(properties.host()))
				.allMatch(InetAddress::isLoopbackAddress);
		}
		catch (UnknownHostException ex) {
			throw new SettingRefusedException("MYCELIUM_HOST=" + properties.host() + " is not a known host name", ex);
		}
		if (loopback) {
			return Optional.empty();
		}
		if (!properties.allowRemote()) {
			throw new SettingRefusedException("MYCELIUM_HOST=" + properties.host()
					+ " is not a loopback address: other machines could reach the broker. Use localhost, or set"
					+ " MYCELIUM_ALLOW_REMOTE=true (--allow-remote) if that is really what you want.");
		}
		return Optional.of(properties.host());
	}

}
