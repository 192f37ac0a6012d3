package dev.revenuebridge.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.plan.DealFacts.Change;
import dev.revenuebridge.plan.DealFacts.History;
import dev.revenuebridge.plan.DealFacts.Opportunity;
import dev.revenuebridge.plan.DealFacts.SyncedContract;
import dev.revenuebridge.revenue.RevenueSchedule;
import dev.revenuebridge.revenue.RevenueScheduler;
import dev.revenuebridge.revenue.SeedDeals;
import java.io.IOException;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner against the golden cases in src/test/resources/golden/planner: from the facts alone (the deal, the
 * Opportunity, the change, the deal's history, the month) to the outcome, its reasons, the audit entry it asks for, the
 * contract version and the revenue to post. Nothing runs beside the planner.
 */
class DealPlannerGoldenTest {

    static final MappingCatalog MAPPINGS = new MappingCatalog("mappings", false);
    static final RevenueScheduler REVENUE = new RevenueScheduler(MAPPINGS, "monthly");
    static final DealPlanner PLANNER = new DealPlanner(MAPPINGS, REVENUE);

    static Stream<Path> cases() throws IOException {
        return Files.list(ValidationGoldenTest.golden("planner")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePlanIsWhatTheGoldenCaseSays(Path file) throws IOException {
        JsonNode golden = SeedDeals.YAML.readTree(file.toFile());
        DealFacts facts = facts(golden);
        DealPlan plan = PLANNER.plan(facts);
        JsonNode expected = golden.path("expected");
        String description = golden.path("description").asText();

        assertThat(plan.outcome()).as(description + ": " + plan.reasons()).hasToString(expected.path("outcome").asText());
        assertThat(plan.reasons()).as(description).containsExactlyElementsOf(ValidationGoldenTest.strings(expected.path("reasons")));
        assertThat(plan.approvalReasons()).as(description)
                .containsExactlyElementsOf(ValidationGoldenTest.strings(expected.path("approvalReasons")));
        assertThat(plan.contractVersion()).as(description).isEqualTo(expected.path("contractVersion").asInt());
        if (expected.has("auditStep")) {
            assertThat(plan.auditStep()).as(description).isNotNull();
            assertThat(plan.auditStep().action()).hasToString(expected.path("auditStep").path("action").asText());
            assertThat(plan.auditStep().actor()).isEqualTo(expected.path("auditStep").path("actor").asText());
            if (plan.auditStep().action() == AuditStep.Action.BILLING_APPROVAL) {
                assertThat(plan.auditStep().approvedReasons()).isEqualTo(plan.approvalReasons());
                assertThat(plan.auditStep().heldTerms()).containsEntry("heldFor", plan.approvalReasons());
            }
        } else {
            assertThat(plan.auditStep()).as(description).isNull();
        }
        if (expected.has("revenueTotal")) {
            assertThat(plan.revenueSchedule().total().setScale(2, RoundingMode.UNNECESSARY).toPlainString())
                    .as(description).isEqualTo(expected.path("revenueTotal").asText());
            assertThat(plan.contract().obligations()).hasSameSizeAs(facts.deal().lines());
            // what was recognized before the month planned in stays exactly as posted (ASC 606 prospective treatment)
            List<RevenueSchedule.Entry> before = facts.history().postedSchedule().stream()
                    .filter(e -> e.month().isBefore(facts.month())).toList();
            assertThat(plan.revenueSchedule().entries().stream().filter(e -> e.month().isBefore(facts.month())).toList())
                    .as(description).containsExactlyInAnyOrderElementsOf(before);
        } else {
            assertThat(plan.revenueSchedule()).as(description + ": only a valid deal has a schedule").isNull();
        }
        assertThat(PLANNER.plan(facts)).as("the same facts, the same plan").isEqualTo(plan);
    }

    static DealFacts facts(JsonNode golden) throws IOException {
        ClosedWonDeal deal = SeedDeals.fromSeed(ValidationGoldenTest.deal(golden.path("deal")));
        JsonNode opportunity = golden.path("opportunity");
        String seedType = ValidationGoldenTest.deal(golden.path("deal")).path("opportunity").path("Type").asText(null);
        Opportunity state = new Opportunity(opportunity.path("won").asBoolean(true),
                opportunity.path("type").asText(seedType), opportunity.path("billingApproved").asBoolean(false));
        JsonNode change = golden.path("change");
        Change event = change.isMissingNode() ? Change.NONE : new Change(change.path("changedBy").asText(null),
                ValidationGoldenTest.strings(change.path("changedFields")));
        JsonNode history = golden.path("history");
        SyncedContract synced = null;
        List<RevenueSchedule.Entry> posted = List.of();
        if (history.has("synced")) {
            JsonNode spec = history.path("synced");
            ClosedWonDeal syncedDeal = SeedDeals.fromSeed(ValidationGoldenTest.deal(spec.path("deal")));
            synced = new SyncedContract(spec.path("version").asInt(), ContractTerms.modstamp(spec.path("modstamp").asText()),
                    ContractTerms.of(syncedDeal));
            if ("synced".equals(history.path("posted").asText())) {
                posted = REVENUE.schedule(REVENUE.contract(syncedDeal)).entries();
            }
        }
        History before = history.isMissingNode() ? History.NONE : new History(synced, posted,
                ValidationGoldenTest.strings(history.path("approvedReasons")), history.path("closedBy").asText(null),
                history.path("heldAfterSync").asBoolean(false));
        return new DealFacts(deal, state, event, before, YearMonth.parse(golden.path("month").asText("2026-01")));
    }
}
