package dev.mycelium.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.core.type.TypeReference;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.mycelium.broker.BrokerApi.Agent;
import dev.mycelium.broker.BrokerApi.Response;
import dev.mycelium.protocol.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many senders at once, through the real HTTP server: every message is delivered exactly
 * once, in order per sender and recipient, while the recipients read and acknowledge
 * concurrently and senders retry what a full inbox refused.
 */
@ExtendWith(OutputCaptureExtension.class)
class BrokerConcurrencyIntegrationTests extends BrokerIntegrationTest {

	private static final int SENDERS = 16;

	private static final int MESSAGES_PER_SENDER = 2_000;

	private static final int RECIPIENTS = 8;

	private static final TypeReference<List<Message>> MESSAGES = new TypeReference<>() {
	};

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void sixteenSendersToEightRecipientsDeliverEveryMessageExactlyOnceInOrder(CapturedOutput output) throws Exception {
		List<Agent> senders = new ArrayList<>();
		List<Agent> recipients = new ArrayList<>();
		for (int i = 0; i < SENDERS; i++) {
			senders.add(api.register(unique("sender")));
		}
		for (int i = 0; i < RECIPIENTS; i++) {
			recipients.add(api.register(unique("recipient")));
		}
		int expectedPerRecipient = SENDERS * MESSAGES_PER_SENDER / RECIPIENTS;
		Map<String, List<Message>> received = new ConcurrentHashMap<>();
		AtomicInteger retries = new AtomicInteger();

		ExecutorService pool = Executors.newFixedThreadPool(SENDERS + RECIPIENTS);
		try {
			List<Future<?>> work = new ArrayList<>();
			for (Agent recipient : recipients) {
				work.add(pool.submit(() -> receive(recipient, expectedPerRecipient, received)));
			}
			for (int s = 0; s < SENDERS; s++) {
				int index = s;
				work.add(pool.submit(() -> send(index, senders.get(index), recipients, retries)));
			}
			for (Future<?> future : work) {
				future.get(4, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}

		Set<String> ids = new HashSet<>();
		for (Agent recipient : recipients) {
			List<Message> inbox = received.get(recipient.id());
			assertThat(inbox).hasSize(expectedPerRecipient);
			Map<String, Integer> lastSequenceBySender = new HashMap<>();
			for (Message message : inbox) {
				assertThat(ids.add(message.id())).as("delivered once: %s", message.id()).isTrue();
				assertThat(message.fromId()).isEqualTo(senders.get(senderIndex(message)).id());
				int sequence = sequence(message);
				Integer previous = lastSequenceBySender.put(message.fromId(), sequence);
				assertThat(previous == null || previous < sequence).as("order kept from %s", message.from()).isTrue();
			}
			assertThat(api.unread(recipient)).as("nothing left unread").isEmpty();
		}
		assertThat(ids).hasSize(SENDERS * MESSAGES_PER_SENDER);
		assertThat(output.getAll()).doesNotContain("ERROR").doesNotContain("Exception");
	}

	private void send(int index, Agent sender, List<Agent> recipients, AtomicInteger retries) {
		for (int i = 0; i < MESSAGES_PER_SENDER; i++) {
			Agent recipient = recipients.get(i % recipients.size());
			String body = index + ":" + i;
			Response response;
			while ((response = api.send(sender, recipient, body)).status() == 429) {
				// A full inbox refuses, never drops: the sender retries the same message.
				retries.incrementAndGet();
				sleep(Duration.ofMillis(5));
			}
			assertThat(response.status()).as(response.body()).isEqualTo(201);
		}
	}

	private void receive(Agent recipient, int expected, Map<String, List<Message>> received) {
		List<Message> all = new ArrayList<>();
		while (all.size() < expected) {
			List<Message> batch = api.get("/api/peers/" + recipient.id() + "/messages?wait=5", recipient.secret())
				.as(MESSAGES);
			if (batch.isEmpty()) {
				continue;
			}
			all.addAll(batch);
			Response ack = api.ack(recipient, batch.stream().map(Message::id).toList());
			assertThat(ack.json().path("acknowledged").asInt()).isEqualTo(batch.size());
		}
		received.put(recipient.id(), all);
	}

	private static int senderIndex(Message message) {
		return Integer.parseInt(message.body().substring(0, message.body().indexOf(':')));
	}

	private static int sequence(Message message) {
		return Integer.parseInt(message.body().substring(message.body().indexOf(':') + 1));
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
