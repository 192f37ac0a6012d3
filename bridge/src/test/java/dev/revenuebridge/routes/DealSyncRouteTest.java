package dev.revenuebridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.trace.DeadLetters;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.kafka.DealEventCheck;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.metrics.DealOutcomes;
import dev.revenuebridge.outcome.OutcomeEvents;
import dev.revenuebridge.plan.DealFacts;
import dev.revenuebridge.plan.DealPlan;
import dev.revenuebridge.plan.DealPlanner;
import dev.revenuebridge.plan.Outcome;
import dev.revenuebridge.revenue.RevenueScheduler;
import dev.revenuebridge.revenue.SeedDeals;
import dev.revenuebridge.throttle.RemoteThrottleSignals;
import dev.revenuebridge.throttle.ThrottleMetrics;
import dev.revenuebridge.trace.Approvals;
import dev.revenuebridge.trace.ContractVersions;
import dev.revenuebridge.trace.DealExceptions;
import dev.revenuebridge.trace.DealFactsReader;
import dev.revenuebridge.trace.DealTrace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * deal-sync on its own: the deal events as deal-events hands them over (direct:deal-sync; an exchange that ends without
 * an exception is what the hand-off counts as done and commits, KeyOrderedHandOffTest),
 * the bridge's state in a PostgreSQL database of its own, the real planner, and every adapter route it calls (fetch,
 * Stripe, ERP and write-back, review, approval, dead letter) a mock. What it checks: which way each outcome goes, that
 * an approval is recorded before billing, that a change event is applied once, that bad input and a failing step end
 * in the dead letters as done (the offset committed) and the route still consuming.
 */
class DealSyncRouteTest {

    static final MappingCatalog MAPPINGS = new MappingCatalog("mappings", false);
    static final String OPPORTUNITY = "006Dn00000SeedAAA";
    static final String CLOSER = "005Dn00000RepAAA";
    static final String FINANCE = "005Dn00000FinAAA";

    RouteHarness harness;
    JdbcTemplate jdbc;
    ContractVersions versions;
    /** Events whose exchange ended without an exception: done, so the hand-off commits them. */
    final AtomicInteger done = new AtomicInteger();
    /** What the mocked fetch answers: the deal and the Opportunity's state. */
    ClosedWonDeal fetched;
    DealFacts.Opportunity opportunity = new DealFacts.Opportunity(true, "New Business", false);
    final List<String> order = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        jdbc = new JdbcTemplate(RouteHarness.database());
        ObjectMapper json = new ObjectMapper();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        DealExceptions exceptions = new DealExceptions(jdbc, json);
        Approvals approvals = new Approvals(jdbc, json);
        DealTrace trace = new DealTrace(jdbc, exceptions, approvals, new DeadLetters(jdbc, json), new DealOutcomes(meters),
                new OutcomeEvents(jdbc, json, 500));
        versions = new ContractVersions(jdbc);
        RedeliveryPolicy retries = new RedeliveryPolicy();
        retries.setMaximumRedeliveries(2);
        retries.setRedeliveryDelay(10);
        harness = RouteHarness.of("routes/deal-sync.camel.yaml")
                .bind("dealEventCheck", new DealEventCheck(65536))
                .bind("processedDealEvents", MemoryIdempotentRepository.memoryIdempotentRepository())
                .bind("dealTrace", trace)
                .bind("dealFacts", new DealFactsReader(versions, trace, approvals,
                        Clock.fixed(Instant.parse("2026-01-10T12:00:00Z"), ZoneOffset.UTC)))
                .bind("dealPlanner", new DealPlanner(MAPPINGS, new RevenueScheduler(MAPPINGS, "monthly")))
                .bind("approvals", approvals)
                .bind("contractVersions", versions)
                .bind("dealExceptions", exceptions)
                .bind("remoteThrottleSignals", new RemoteThrottleSignals(new ThrottleMetrics(meters)))
                .bind("dealRetries", retries)
                .without("deal-events")
                .advise("deal-sync", route -> {
                    route.mockEndpointsAndSkip("direct:fetch-closed-won-deal", "direct:stripe-*", "direct:deal-book-and-write-back",
                            "direct:deal-requires-review", "direct:deal-pending-approval", "direct:salesforce-*",
                            "direct:dead-letter");
                })
                .start();
        harness.mock("direct:fetch-closed-won-deal").whenAnyExchangeReceived(e -> {
            e.setProperty("deal", fetched);
            e.setProperty("opportunity", opportunity);
        });
        for (String step : List.of("direct:stripe-billing", "direct:stripe-amendment", "direct:deal-book-and-write-back",
                "direct:deal-pending-approval")) {
            harness.mock(step).whenAnyExchangeReceived(e -> order.add(step));
        }
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aNewDealIsBilledThenBookedOnceAndDone() {
        fetched = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");
        send(event(1, CLOSER, true, "StageName"));

        assertThat(order).containsExactly("direct:stripe-billing", "direct:deal-book-and-write-back");
        Exchange booked = harness.mock("direct:deal-book-and-write-back").getReceivedExchanges().get(0);
        DealPlan plan = booked.getProperty("plan", DealPlan.class);
        assertThat(plan.outcome()).isEqualTo(Outcome.NEW_BUSINESS);
        assertThat(plan.revenueSchedule().total()).isEqualByComparingTo("120000.00");
        assertThat(harness.mock("direct:deal-requires-review").getReceivedCounter()).isZero();
        assertThat(harness.mock("direct:dead-letter").getReceivedCounter()).isZero();
        assertThat(jdbc.queryForMap("SELECT status, closed_by, account_id FROM deal_sync WHERE opportunity_id = ?", OPPORTUNITY))
                .containsEntry("closed_by", CLOSER).containsEntry("account_id", "001Dn00000AcmeAAA");
        assertThat(done).hasValue(1);
    }

    @Test
    void theSameChangeEventTwiceIsAppliedOnceAndDoneTwice() {
        fetched = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");
        send(event(7, CLOSER, true, "StageName"));
        send(event(7, CLOSER, true, "StageName"));

        assertThat(harness.mock("direct:fetch-closed-won-deal").getReceivedCounter()).isEqualTo(1);
        assertThat(harness.mock("direct:stripe-billing").getReceivedCounter()).isEqualTo(1);
        assertThat(done).hasValue(2);
    }

    @Test
    void anInvalidDealGoesToReviewWithEveryReasonAndNothingIsBilled() {
        fetched = withCountry(SeedDeals.fromClasspath("/deals/seed-120k-deal.json"), "DE");
        send(event(1, CLOSER, true, "StageName"));

        Exchange review = harness.mock("direct:deal-requires-review").getReceivedExchanges().get(0);
        assertThat(review.getProperty("plan", DealPlan.class).reasons())
                .contains("Billing country DE requires a VAT ID (Account.Tax_Id__c is empty)");
        assertThat(order).isEmpty();
        assertThat(done).hasValue(1);
    }

    @Test
    void financeApprovingInSalesforceIsRecordedBeforeTheDealIsBilled() {
        fetched = discounted(SeedDeals.fromClasspath("/deals/seed-120k-deal.json"));
        send(event(1, CLOSER, true, "StageName"));
        assertThat(order).containsExactly("direct:deal-pending-approval");

        opportunity = new DealFacts.Opportunity(true, "New Business", true);
        harness.mock("direct:stripe-billing").whenAnyExchangeReceived(e -> {
            order.add("direct:stripe-billing");
            // the approval is in the audit log by the time Stripe is called
            order.add("audit rows: " + jdbc.queryForObject(
                    "SELECT count(*) FROM audit_log WHERE opportunity_id = ? AND action = 'billing-approval'", Integer.class, OPPORTUNITY));
        });
        send(event(2, FINANCE, false, "Billing_Approved__c"));

        assertThat(order).containsExactly("direct:deal-pending-approval", "direct:stripe-billing", "audit rows: 1",
                "direct:deal-book-and-write-back");
        assertThat(jdbc.queryForMap("SELECT actor, comment FROM audit_log WHERE opportunity_id = ? AND action = 'billing-approval'",
                OPPORTUNITY)).containsEntry("actor", "salesforce user " + FINANCE);
    }

    @Test
    void theCloserApprovingTheirOwnDealIsRefusedAndTheDealStaysHeld() {
        fetched = discounted(SeedDeals.fromClasspath("/deals/seed-120k-deal.json"));
        send(event(1, CLOSER, true, "StageName"));
        opportunity = new DealFacts.Opportunity(true, "New Business", true);
        send(event(2, CLOSER, false, "Billing_Approved__c"));

        assertThat(order).containsExactly("direct:deal-pending-approval", "direct:deal-pending-approval");
        assertThat(jdbc.queryForList("SELECT action FROM audit_log WHERE opportunity_id = ?", String.class, OPPORTUNITY))
                .containsExactly("approval-refused");
    }

    @Test
    void changedTermsOfASyncedContractAmendItAsVersionTwo() {
        ClosedWonDeal original = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");
        jdbc.update("INSERT INTO deal_sync (opportunity_id, status) VALUES (?, 'Synced')", OPPORTUNITY);
        versions.synced(original);
        fetched = moreSeats(original);
        send(event(3, CLOSER, false, "Amount"));

        assertThat(order).containsExactly("direct:stripe-amendment", "direct:deal-book-and-write-back");
        assertThat(harness.mock("direct:stripe-amendment").getReceivedExchanges().get(0).getProperty("plan", DealPlan.class)
                .contractVersion()).isEqualTo(2);
    }

    @Test
    void anUnreadableEventIsADeadLetterAndTheNextEventIsStillApplied() {
        fetched = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");
        send("{not json");
        send(event(1, CLOSER, true, "StageName"));

        assertThat(harness.mock("direct:dead-letter").getReceivedCounter()).isEqualTo(1);
        assertThat(order).containsExactly("direct:stripe-billing", "direct:deal-book-and-write-back");
        assertThat(done).hasValue(2);
    }

    @Test
    void aStepThatKeepsFailingIsRetriedThenDeadLetteredAndNothingIsBooked() {
        fetched = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");
        harness.mock("direct:stripe-billing").whenAnyExchangeReceived(e -> {
            throw new IllegalStateException("Stripe is away");
        });
        send(event(1, CLOSER, true, "StageName"));

        assertThat(harness.mock("direct:stripe-billing").getReceivedCounter()).as("the first try and two retries").isEqualTo(3);
        assertThat(harness.mock("direct:dead-letter").getReceivedCounter()).isEqualTo(1);
        assertThat(harness.mock("direct:deal-book-and-write-back").getReceivedCounter()).isZero();
        assertThat(done).hasValue(1);
    }

    private void send(String body) {
        Exchange exchange = harness.producer().send("direct:deal-sync", e -> e.getIn().setBody(body));
        if (exchange.getException() == null) {
            done.incrementAndGet();
        }
    }

    private static String event(int commitNumber, String user, boolean closedWon, String changedField) {
        return "{\"opportunityId\":\"" + OPPORTUNITY + "\",\"commitNumber\":" + commitNumber + ",\"commitUser\":\"" + user
                + "\",\"closedWon\":" + closedWon + ",\"changeType\":\"UPDATE\",\"changedFields\":[\"" + changedField + "\"]}";
    }

    private static ClosedWonDeal withCountry(ClosedWonDeal deal, String country) {
        var a = deal.account();
        return new ClosedWonDeal(deal.opportunityId(), deal.name(), deal.accountId(), deal.version(), deal.closeDate(),
                deal.contractStart(), deal.contractEnd(), deal.billingCadence(), deal.paymentTerms(), deal.paymentMethod(),
                deal.currency(), deal.amount(), new ClosedWonDeal.BillingAccount(a.accountId(), a.name(), a.street(), a.city(),
                a.postalCode(), a.state(), country, a.taxId(), a.billingEmail()), deal.lines());
    }

    /** The platform line at a 20% discount (above the 15% that needs no approval). */
    private static ClosedWonDeal discounted(ClosedWonDeal deal) {
        return withPlatform(deal, new BigDecimal("10000.00"), new BigDecimal("20"), new BigDecimal("80000.00"), new BigDecimal("100000.00"));
    }

    /** The platform line at 11,000 a month instead of 10,000: 130,000 in all. */
    private static ClosedWonDeal moreSeats(ClosedWonDeal deal) {
        return withPlatform(deal, new BigDecimal("11000.00"), null, new BigDecimal("110000.00"), new BigDecimal("130000.00"));
    }

    private static ClosedWonDeal withPlatform(ClosedWonDeal deal, BigDecimal unitPrice, BigDecimal discount, BigDecimal total,
                                              BigDecimal amount) {
        List<ClosedWonDeal.DealLine> lines = deal.lines().stream().map(l -> !"PLAT-SUB".equals(l.productCode()) ? l
                : new ClosedWonDeal.DealLine(l.lineId(), l.productCode(), l.productName(), l.quantity(), unitPrice, discount,
                total, l.termMonths(), l.serviceDate(), l.description())).toList();
        return new ClosedWonDeal(deal.opportunityId(), deal.name(), deal.accountId(), deal.version(), deal.closeDate(),
                deal.contractStart(), deal.contractEnd(), deal.billingCadence(), deal.paymentTerms(), deal.paymentMethod(),
                deal.currency(), amount, deal.account(), lines);
    }
}
