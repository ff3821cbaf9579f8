package dev.mycelium.broker.dashboard;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The dashboard, found by the broker's component scan: so only the broker profile loads
 * it, and {@code serve} never pays for it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DashboardProperties.class)
class DashboardConfiguration {

	@Bean
	DashboardSessions dashboardSessions(Clock clock, DashboardProperties properties) {
		return new DashboardSessions(clock, properties.codeLifetime(), properties.sessionLifetime());
	}

	@Bean
	DashboardAccess dashboardAccess(DashboardSessions sessions) {
		return new DashboardAccess(sessions);
	}

	/**
	 * The page's scripts and styles, from the jar. Revalidated on every load (they are
	 * small, and a new jar must not run with an old script).
	 */
	@Bean
	WebMvcConfigurer dashboardAssets() {
		return new WebMvcConfigurer() {
			@Override
			public void addResourceHandlers(ResourceHandlerRegistry registry) {
				registry.addResourceHandler("/dashboard/**")
					.addResourceLocations("classpath:/dashboard/")
					.setCacheControl(CacheControl.noCache());
			}
		};
	}

}
