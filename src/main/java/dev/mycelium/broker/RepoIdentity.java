package dev.mycelium.broker;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the ways one repository is spelled into one key, so that worktrees and clones of
 * a repository share scope {@code repo}: {@code git@host:org/app.git},
 * {@code https://user@host/org/app} and {@code ssh://git@host/org/app.git} all become
 * {@code host/org/app}; a git directory path is normalised.
 */
final class RepoIdentity {

	private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$");

	private static final Pattern URL = Pattern
		.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/]+@)?([^/:]+)(?::\\d+)?/(.+)$");

	private RepoIdentity() {
	}

	static String normalize(String repo) {
		if (repo == null || repo.isBlank()) {
			return null;
		}
		String text = repo.trim();
		Matcher url = URL.matcher(text);
		if (url.matches()) {
			return hostAndPath(url.group(1), url.group(2));
		}
		if (!text.startsWith("/")) {
			Matcher scp = SCP_LIKE.matcher(text);
			if (scp.matches()) {
				return hostAndPath(scp.group(1), scp.group(2));
			}
		}
		return Path.of(text).normalize().toString();
	}

	private static String hostAndPath(String host, String path) {
		String trimmed = path.replaceAll("/+$", "");
		if (trimmed.endsWith(".git")) {
			trimmed = trimmed.substring(0, trimmed.length() - 4);
		}
		return host.toLowerCase(Locale.ROOT) + "/" + trimmed.replaceAll("^/+", "");
	}

}
