package dev.mycelium.client;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/** The client for every command but the broker itself. */
@Configuration(proxyBeanMethods = false)
@Profile("!broker")
@EnableConfigurationProperties(ClientProperties.class)
public class ClientConfiguration {

	@Bean
	BrokerClient brokerClient(ClientProperties properties, JsonMapper json) {
		return new BrokerClient(properties, json);
	}

	@Bean
	BrokerStarter brokerStarter(BrokerClient client) {
		return new BrokerStarter(client);
	}

}
