package dev.mycelium.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.mycelium.client.Git;

/**
 * What git says about the session's working directory: the repository identity (remote
 * URL, else the common git directory, so worktrees match), the branch, HEAD and the last
 * commits. Outside a repository every answer is empty; git never blocks start-up for
 * long.
 */
final class GitWorkspace {

	private static final Duration TIMEOUT = Duration.ofSeconds(3);

	private final Path directory;

	/** Where git keeps HEAD, and the refs; asked once: null until then. */
	private volatile Optional<GitDirectories> directories;

	private record GitDirectories(Path gitDir, Path commonDir) {
	}

	GitWorkspace(Path directory) {
		this.directory = directory;
	}

	Path directory() {
		return directory;
	}

	/** The state that the summary follows: branch and HEAD. */
	record Head(String branch, String commit) {
	}

	/**
	 * What changes whenever HEAD or its branch may have moved, read from git's files
	 * without running git: HEAD's content and when the branch's ref and packed-refs were
	 * last written. A session looks every 10 s, and the two git processes of
	 * {@link #head()} each time were most of an idle serve's CPU. Outside a repository
	 * (as it was at the first look) it never changes.
	 */
	String headFiles() {
		Optional<GitDirectories> known = directories;
		if (known == null) {
			known = git("rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir").map(output -> {
				String[] lines = output.split("\n");
				return lines.length == 2 ? new GitDirectories(Path.of(lines[0]), Path.of(lines[1])) : null;
			});
			directories = known;
		}
		if (known.isEmpty()) {
			return "no repository";
		}
		GitDirectories git = known.get();
		try {
			String headContent = Files.readString(git.gitDir().resolve("HEAD"), StandardCharsets.UTF_8).strip();
			StringBuilder files = new StringBuilder(headContent);
			if (headContent.startsWith("ref: ")) {
				files.append('|').append(modified(git.commonDir().resolve(headContent.substring(5))));
			}
			return files.append('|').append(modified(git.commonDir().resolve("packed-refs"))).toString();
		}
		catch (IOException ex) {
			// Unreadable just now (git is writing it): count it as moved.
			return "unreadable " + System.nanoTime();
		}
	}

	private static String modified(Path file) {
		try {
			return Files.getLastModifiedTime(file).toString();
		}
		catch (IOException ex) {
			return "none";
		}
	}

	Optional<String> repositoryIdentity() {
		return Git.repositoryIdentity(directory, TIMEOUT);
	}

	Head head() {
		return new Head(git("rev-parse", "--abbrev-ref", "HEAD").orElse(null), git("rev-parse", "HEAD").orElse(null));
	}

	/**
	 * {@code shop on main: Fix cart totals; Add tax rules; …}, or just the directory's
	 * name.
	 */
	String summary(Head head) {
		String name = directory.getFileName() == null ? directory.toString() : directory.getFileName().toString();
		if (head.branch() == null) {
			return name;
		}
		List<String> subjects = git("log", "-3", "--format=%s").map(log -> List.of(log.split("\n"))).orElse(List.of());
		return name + " on " + head.branch() + (subjects.isEmpty() ? "" : ": " + String.join("; ", subjects));
	}

	private Optional<String> git(String... args) {
		return Git.output(directory, TIMEOUT, args);
	}

}
