package dev.mycelium.protocol;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /api/claims/check}: which of these files of a working tree other sessions
 * hold exclusively, as the git pre-commit guard asks before a commit.
 *
 * @param repo the repository identity as git gives it (remote URL, else the git common
 * directory)
 * @param top the working tree's top directory: claims of sessions working in it are its
 * own
 * @param paths relative to {@code top}, as {@code git diff --cached --name-only} lists
 * them
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ClaimCheck(@NotBlank(message = "repo is required: the repository identity") String repo,
		@NotBlank(message = "top is required: the working tree's top directory") String top,
		@NotNull(message = "paths is required") @Size(max = 100_000,
				message = "paths holds at most 100000 files") List<String> paths) {
}
