package dev.mycelium;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The modules' dependencies point one way: {@code broker → protocol}, {@code client →
 * protocol}, {@code serve, cli → client → protocol}. The broker never knows its clients.
 */
@AnalyzeClasses(packages = "dev.mycelium", importOptions = ImportOption.DoNotIncludeTests.class)
class ModularityTests {

	@ArchTest
	static final ArchRule protocolDependsOnNoOtherModule = noClasses().that()
		.resideInAPackage("dev.mycelium.protocol..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("dev.mycelium.broker..", "dev.mycelium.client..", "dev.mycelium.serve..",
				"dev.mycelium.cli..");

	@ArchTest
	static final ArchRule brokerDependsOnlyOnProtocol = noClasses().that()
		.resideInAPackage("dev.mycelium.broker..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("dev.mycelium.client..", "dev.mycelium.serve..", "dev.mycelium.cli..");

	@ArchTest
	static final ArchRule clientDependsOnlyOnProtocol = noClasses().that()
		.resideInAPackage("dev.mycelium.client..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("dev.mycelium.broker..", "dev.mycelium.serve..", "dev.mycelium.cli..")
		.allowEmptyShould(true);

	@ArchTest
	static final ArchRule serveAndCliReachTheBrokerOnlyThroughTheClient = noClasses().that()
		.resideInAnyPackage("dev.mycelium.serve..", "dev.mycelium.cli..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("dev.mycelium.broker..")
		.allowEmptyShould(true);

	/**
	 * What a session runs never touches Spring's HTTP and web types: the client speaks
	 * HTTP itself, and every class {@code serve} loads costs each session.
	 */
	@ArchTest
	static final ArchRule sessionsUseNoSpringHttp = noClasses().that()
		.resideInAnyPackage("dev.mycelium.client..", "dev.mycelium.serve..", "dev.mycelium.cli..",
				"dev.mycelium.protocol..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.springframework.http..", "org.springframework.web..");

	/** A store never knows the web layer or the broker's rules: the rules know stores. */
	@ArchTest
	static final ArchRule storesDependOnNeitherTheWebLayerNorTheRules = noClasses().that()
		.resideInAPackage("dev.mycelium.broker.store..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("dev.mycelium.broker", "dev.mycelium.broker.push..", "org.springframework.web..",
				"jakarta.servlet..");

	/** Which store runs is the configuration's choice alone. */
	@ArchTest
	static final ArchRule onlyTheConfigurationKnowsTheStoreImplementations = noClasses().that()
		.resideOutsideOfPackages("dev.mycelium.broker.store.memory..", "dev.mycelium.broker.store.sqlite..",
				"dev.mycelium.broker.store.redis..")
		.and()
		.doNotHaveFullyQualifiedName("dev.mycelium.broker.BrokerConfiguration")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("dev.mycelium.broker.store.memory..", "dev.mycelium.broker.store.sqlite..",
				"dev.mycelium.broker.store.redis..");

	/** JDBC, SQLite and Flyway stay in the SQLite store (serve never loads them). */
	@ArchTest
	static final ArchRule onlyTheSqliteStoreUsesJdbc = noClasses().that()
		.resideOutsideOfPackage("dev.mycelium.broker.store.sqlite..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("java.sql..", "org.sqlite..", "org.flywaydb..");

	/**
	 * Lettuce, Netty and Reactor stay in the Redis store: serve and the command line
	 * never load them, and the other stores do not need them.
	 */
	@ArchTest
	static final ArchRule onlyTheRedisStoreUsesLettuce = noClasses().that()
		.resideOutsideOfPackage("dev.mycelium.broker.store.redis..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("io.lettuce..", "io.netty..");

	/** Signalling is in-process plumbing: it knows no store and no web layer. */
	@ArchTest
	static final ArchRule signallingKnowsNoStoreAndNoWebLayer = noClasses().that()
		.resideInAPackage("dev.mycelium.broker.push..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("dev.mycelium.broker", "dev.mycelium.broker.store..", "org.springframework..");

	@ArchTest
	static final ArchRule modulesHaveNoCycles = slices().matching("dev.mycelium.(*)..").should().beFreeOfCycles();

}
