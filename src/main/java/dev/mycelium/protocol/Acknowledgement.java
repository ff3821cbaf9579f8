package dev.mycelium.protocol;

import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** {@code POST /api/peers/{peer}/messages/ack}: the ids of messages read. */
public record Acknowledgement(@NotNull(message = "ids is required") @Size(max = 10_000) List<String> ids) {
}
