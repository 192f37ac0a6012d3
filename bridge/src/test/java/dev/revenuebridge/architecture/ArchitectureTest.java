package dev.revenuebridge.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The structure README "Architecture" describes, kept: packages by flow and by adapter with no cycle between them, and
 * the decision (plan), the revenue engine (revenue) and the deal model (deal) pure: no database, no HTTP, no Stripe SDK,
 * no adapter package, so the planner's golden tests need nothing running and the preview cannot touch anything.
 */
class ArchitectureTest {

    static final JavaClasses BRIDGE = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.revenuebridge");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.revenuebridge.(*)..").should().beFreeOfCycles().check(BRIDGE);
    }

    @Test
    void theDecisionTheRevenueEngineAndTheDealModelDoNoInputOrOutput() {
        noClasses().that().resideInAnyPackage("dev.revenuebridge.plan..", "dev.revenuebridge.revenue..", "dev.revenuebridge.deal..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.jdbc..", "java.sql..", "com.stripe..",
                        "org.apache.hc..", "java.net.http..", "org.apache.kafka..",
                        "dev.revenuebridge.trace..", "dev.revenuebridge.stripe..", "dev.revenuebridge.erp..",
                        "dev.revenuebridge.salesforce..", "dev.revenuebridge.cash..", "dev.revenuebridge.ingest..")
                .check(BRIDGE);
    }

    @Test
    void adaptersDoNotCallEachOther() {
        noClasses().that().resideInAnyPackage("dev.revenuebridge.stripe..", "dev.revenuebridge.erp..", "dev.revenuebridge.salesforce..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.revenuebridge.cash..", "dev.revenuebridge.api..",
                        "dev.revenuebridge.preview..", "dev.revenuebridge.deadletter..")
                .check(BRIDGE);
    }
}
