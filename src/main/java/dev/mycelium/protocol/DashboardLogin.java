package dev.mycelium.protocol;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /api/dashboard/login-codes}: a one-time code that signs a browser in to the
 * broker's dashboard ({@code mycelium dashboard}).
 *
 * @param path where to open it on the broker, code included, e.g. {@code /login?code=…}
 * @param expiresAt after this the code no longer works, used or not
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DashboardLogin(String code, String path, Instant expiresAt) {
}
