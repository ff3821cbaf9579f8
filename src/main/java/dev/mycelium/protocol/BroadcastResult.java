package dev.mycelium.protocol;

import java.util.List;

/**
 * @param id the message id, the same in every recipient's inbox
 * @param reached how many peers got a copy
 * @param recipients their names
 * @param skipped peers that should have got it but could not, each with the reason
 */
public record BroadcastResult(String id, String topic, int reached, List<String> recipients, List<Skipped> skipped) {

	public record Skipped(String peer, String reason) {
	}

}
