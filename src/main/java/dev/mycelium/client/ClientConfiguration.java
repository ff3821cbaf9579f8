package dev.mycelium.client;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.client.RestClient;

/** The client for every command but the broker itself. */
@Configuration(proxyBeanMethods = false)
@Profile("!broker")
@EnableConfigurationProperties(ClientProperties.class)
public class ClientConfiguration {

	@Bean
	BrokerClient brokerClient(RestClient.Builder builder, ClientProperties properties, JsonMapper json) {
		return new BrokerClient(builder, properties, json);
	}

	@Bean
	BrokerStarter brokerStarter(BrokerClient client) {
		return new BrokerStarter(client);
	}

}
