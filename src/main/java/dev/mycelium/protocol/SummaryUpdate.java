package dev.mycelium.protocol;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** {@code PATCH /api/peers/{peer}}: set what this session is working on. */
public record SummaryUpdate(@NotNull(message = "summary is required") @Size(max = Names.MAX_SUMMARY) String summary) {
}
