package dev.mycelium.broker;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a claim holds and which claims conflict: a wrong answer here either lets two
 * sessions edit one file or refuses a claim nobody is in the way of.
 */
class ClaimPathsTests {

	@ParameterizedTest(name = "{0} holds {1}: {2}")
	@CsvSource({ "src/api, src/api/Orders.java, true", "src/api, src/api, true", "src/api, src/apix/A.java, false",
			"src/api/**, src/api/v2/Orders.java, true", "src/api/**, src/web/App.tsx, false",
			"src/*.java, src/A.java, true", "src/*.java, src/a/A.java, false", "**/*.css, web/styles/site.css, true",
			"**/*.css, site.css, false", "'{src,lib}/**', lib/x.c, true", "docs/[ab].md, docs/a.md, true" })
	void aPatternHoldsTheFilesAUserExpects(String pattern, String path, boolean held) {
		assertThat(ClaimPaths.holds(pattern, path)).isEqualTo(held);
	}

	@ParameterizedTest(name = "{0} and {1} overlap: {2}")
	@CsvSource({ "src/api, src/api/v2, true", "src/api, src/web, false", "src/api, src/api, true",
			"src/api/**, src/api/Orders.java, true", "src/api/**, src, true", "src/api/**, src/web/**, false",
			"src/**/*.java, src/**/*.ts, false", "src/**/*.java, src/api/**, true", "src/*.java, src/*.java, true",
			"src/*.java, src/a/*.java, false", "src/*/x.java, src/*/y.java, false", "**/*.css, web/site.css, true",
			"src/a/*.java, src/b, false", "docs/*.md, docs/guide.md, true", "docs/*.md, docs/img/logo.png, false" })
	void claimsConflictWhenTheyCouldHoldAFileInCommon(String a, String b, boolean overlap) {
		assertThat(ClaimPaths.overlap(a, b)).isEqualTo(overlap);
		assertThat(ClaimPaths.overlap(b, a)).as("either way round").isEqualTo(overlap);
	}

	@Test
	void theTopOfAWorkingTreeIsFoundByItsGitEntryWithoutGit(@TempDir Path dir) throws Exception {
		Path main = Files.createDirectories(dir.resolve("app/.git")).getParent();
		Path linked = Files.createDirectories(dir.resolve("app-feature/src/api"));
		Files.writeString(dir.resolve("app-feature/.git"), "gitdir: " + main.resolve(".git/worktrees/feature"));

		assertThat(ClaimPaths.topDirectory(main.resolve("src/deep/er"))).isEqualTo(main);
		assertThat(ClaimPaths.topDirectory(linked)).isEqualTo(dir.resolve("app-feature"));
		Path none = Files.createDirectories(dir.resolve("plain"));
		assertThat(ClaimPaths.topDirectory(none)).as("no repository: the directory itself").isEqualTo(none);
	}

	@Test
	void aPatternIsKeptRelativeToTheTopWhereverTheSessionStands(@TempDir Path top) {
		Path cwd = top.resolve("src");

		assertThat(ClaimPaths.pattern("api/**", cwd, top)).isEqualTo("src/api/**");
		assertThat(ClaimPaths.pattern(" ../docs/ ", cwd, top)).isEqualTo("docs");
		assertThat(ClaimPaths.pattern(top.resolve("web/App.tsx").toString(), cwd, top)).isEqualTo("web/App.tsx");
		assertThat(ClaimPaths.pattern("*.md", top, top)).as("top-level files are not the whole repository")
			.isEqualTo("*.md");
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> ClaimPaths.pattern("**/*", top, top))
			.withMessage("'**/*' would claim the whole repository: claim the files or directories you work on,"
					+ " such as src/api or src/api/**.");
		assertThatExceptionOfType(BrokerException.class).isThrownBy(() -> ClaimPaths.pattern("  ", top, top))
			.withMessage("A path to claim must not be empty.");
		assertThatExceptionOfType(BrokerException.class)
			.isThrownBy(() -> ClaimPaths.pattern("x".repeat(10) + "/{a,", top, top))
			.withMessageStartingWith("'xxxxxxxxxx/{a,' is not a glob: ");
	}

}
