package dev.mycelium.broker;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Arrays;
import java.util.List;
import java.util.regex.PatternSyntaxException;

import dev.mycelium.broker.BrokerException.Reason;

/**
 * What a claim holds, as paths relative to the repository's top directory: reading what a
 * session asked for, whether a file falls under a claim, and whether two claims conflict.
 * Pure: the one file-system look is {@link #topDirectory}, which finds the top of a
 * working tree by its {@code .git} (a directory, or a file in a linked worktree) without
 * starting git.
 * <p>
 * A pattern without a wildcard is a path: that file, or everything under that directory.
 * With one, it is a glob as {@link java.nio.file.FileSystem#getPathMatcher} reads it:
 * {@code *} and {@code ?} within a directory, {@code **} across directories,
 * {@code {a,b}} and {@code [ab]}.
 */
final class ClaimPaths {

	private static final String WILDCARDS = "*?[{";

	private ClaimPaths() {
	}

	/**
	 * The top directory of the working tree holding {@code directory}: the nearest
	 * directory with a {@code .git}, else {@code directory} itself.
	 */
	static Path topDirectory(Path directory) {
		Path absolute = directory.toAbsolutePath().normalize();
		for (Path at = absolute; at != null; at = at.getParent()) {
			if (Files.exists(at.resolve(".git"))) {
				return at;
			}
		}
		return absolute;
	}

	/**
	 * A pattern as the session wrote it (relative to its directory {@code cwd}, or
	 * absolute), as a pattern relative to {@code top}.
	 * @throws BrokerException for a pattern outside the repository, one that would hold
	 * all of it, or one that is no pattern
	 */
	static String pattern(String asked, Path cwd, Path top) {
		if (asked == null || asked.isBlank()) {
			throw invalid("A path to claim must not be empty.");
		}
		if (asked.chars().anyMatch(Character::isISOControl)) {
			throw invalid("'" + printable(asked) + "' holds a control character; a path to claim is one line of text.");
		}
		String text = asked.strip();
		Path resolved;
		try {
			resolved = cwd.resolve(text).normalize();
		}
		catch (InvalidPathException ex) {
			throw invalid("'" + text + "' is not a path: " + ex.getReason() + ".");
		}
		if (!resolved.startsWith(top)) {
			throw invalid("'" + text + "' is outside the repository (its top directory is " + top
					+ "): a claim holds files of the session's own repository only.");
		}
		String relative = top.relativize(resolved).toString();
		if (relative.isEmpty()) {
			throw wholeRepository(text);
		}
		if (isGlob(relative)) {
			PathMatcher matcher = matcher(relative, text);
			// A glob that takes any file two directories down, whatever its name, takes
			// them all.
			if (matcher.matches(Path.of("a/b/c.x"))) {
				throw wholeRepository(text);
			}
		}
		return relative;
	}

	/** Whether the file {@code path} (relative to the top directory) falls under it. */
	static boolean holds(String pattern, String path) {
		if (!isGlob(pattern)) {
			return path.equals(pattern) || path.startsWith(pattern + "/");
		}
		return matcher(pattern, pattern).matches(Path.of(path));
	}

	/**
	 * Whether two patterns could hold a file in common. Exact for paths; for globs it
	 * errs towards yes: their fixed directories nest, and nothing shows they are apart
	 * (two different literal names at the same depth, or two different extensions such as
	 * {@code **}{@code /*.java} and {@code **}{@code /*.ts}).
	 */
	static boolean overlap(String a, String b) {
		boolean globA = isGlob(a);
		boolean globB = isGlob(b);
		if (!globA && !globB) {
			return holds(a, b) || holds(b, a);
		}
		if (!globA || !globB) {
			String path = globA ? b : a;
			String glob = globA ? a : b;
			String base = base(glob);
			if (holds(glob, path) || base.equals(path) || base.startsWith(path + "/")) {
				return true;
			}
			return holds(base, path) && (glob.contains("**") || depth(path) < depth(glob));
		}
		String baseA = base(a);
		String baseB = base(b);
		if (!(holds(baseA, baseB) || holds(baseB, baseA) || baseA.isEmpty() || baseB.isEmpty())) {
			return false;
		}
		if (differentExtensions(last(a), last(b))) {
			return false;
		}
		if (!a.contains("**") && !b.contains("**")) {
			List<String> partsA = Arrays.asList(a.split("/"));
			List<String> partsB = Arrays.asList(b.split("/"));
			if (partsA.size() != partsB.size()) {
				return false;
			}
			for (int i = 0; i < partsA.size(); i++) {
				String x = partsA.get(i);
				String y = partsB.get(i);
				boolean wildX = isGlob(x);
				boolean wildY = isGlob(y);
				if ((!wildX && !wildY && !x.equals(y)) || (!wildX && wildY && !holds(y, x))
						|| (wildX && !wildY && !holds(x, y)) || (wildX && wildY && differentExtensions(x, y))) {
					return false;
				}
			}
		}
		return true;
	}

	static boolean isGlob(String pattern) {
		return pattern.chars().anyMatch(c -> WILDCARDS.indexOf(c) >= 0);
	}

	/**
	 * The fixed directories before the first wildcard: {@code src/api} of
	 * {@code src/api/**}.
	 */
	private static String base(String glob) {
		String[] parts = glob.split("/");
		StringBuilder base = new StringBuilder();
		for (String part : parts) {
			if (isGlob(part)) {
				break;
			}
			base.append(base.isEmpty() ? "" : "/").append(part);
		}
		return base.toString();
	}

	private static int depth(String pattern) {
		return pattern.split("/").length;
	}

	private static String last(String pattern) {
		return pattern.substring(pattern.lastIndexOf('/') + 1);
	}

	/** {@code *.java} and {@code *.ts}: names that cannot both end a file name. */
	private static boolean differentExtensions(String x, String y) {
		String extX = extension(x);
		String extY = extension(y);
		return extX != null && extY != null && !extX.endsWith(extY) && !extY.endsWith(extX);
	}

	/**
	 * The fixed end of {@code *.java}; {@code null} when the name ends with a wildcard.
	 */
	private static String extension(String name) {
		int wildcard = -1;
		for (int i = 0; i < name.length(); i++) {
			if (WILDCARDS.indexOf(name.charAt(i)) >= 0) {
				wildcard = i;
			}
		}
		if (wildcard < 0 || name.charAt(wildcard) == '{' || name.indexOf('}', wildcard) >= 0
				|| name.indexOf(']', wildcard) >= 0) {
			return null;
		}
		String end = name.substring(wildcard + 1);
		return end.isEmpty() ? null : end;
	}

	private static PathMatcher matcher(String glob, String asked) {
		try {
			return FileSystems.getDefault().getPathMatcher("glob:" + glob);
		}
		catch (PatternSyntaxException ex) {
			throw invalid("'" + asked + "' is not a glob: " + ex.getDescription() + ".");
		}
	}

	private static BrokerException wholeRepository(String asked) {
		return invalid("'" + asked + "' would claim the whole repository: claim the files or directories you work on,"
				+ " such as src/api or src/api/**.");
	}

	private static String printable(String text) {
		return text.replaceAll("\\p{Cntrl}", "?");
	}

	private static BrokerException invalid(String sentence) {
		return new BrokerException(Reason.INVALID, sentence);
	}

}
