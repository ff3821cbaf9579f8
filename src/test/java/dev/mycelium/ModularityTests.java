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

	@ArchTest
	static final ArchRule modulesHaveNoCycles = slices().matching("dev.mycelium.(*)..").should().beFreeOfCycles();

}
