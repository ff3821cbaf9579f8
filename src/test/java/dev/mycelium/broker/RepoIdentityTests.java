package dev.mycelium.broker;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RepoIdentityTests {

	@ParameterizedTest
	@CsvSource({ "git@github.com:acme/app.git, github.com/acme/app", "https://github.com/acme/app, github.com/acme/app",
			"https://github.com/acme/app.git/, github.com/acme/app",
			"ssh://git@GitHub.com:22/acme/app.git, github.com/acme/app",
			"https://user@gitlab.example/group/sub/app.git, gitlab.example/group/sub/app",
			"/home/me/src/app/.git, /home/me/src/app/.git", "/home/me/src/app/../app/.git/, /home/me/src/app/.git" })
	void spellingsOfOneRepositoryBecomeOneKey(String spelling, String key) {
		assertThat(RepoIdentity.normalize(spelling)).isEqualTo(key);
	}

}
