package dev.revenuebridge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.cash.StripePayouts;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.outcome.OutcomeEvents;
import dev.revenuebridge.throttle.RemoteThrottleSignals;
import dev.revenuebridge.throttle.ThrottleMetrics;
import dev.revenuebridge.trace.DealExceptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The payout routes on their own (payout-reconciliation, payout-deposit): a paid payout's balance transactions listed
 * by {@link CannedStripe} as Stripe pages them, gathered by the real aggregation strategy into the real JDBC
 * aggregation repository (PostgreSQL), and the ERP upsert a mock. What it checks: 250 transactions in 3 list calls make
 * one deposit that adds up to the payout, the bridge's own payments moved out of Undeposited Funds; a repeated event
 * deposits under the same external id; a payout that does not add up is an exception naming the variance, no deposit.
 */
class PayoutRouteTest {

    static final String PAYOUT = "po_1Payout";

    RouteHarness harness;
    JdbcTemplate jdbc;
    CannedStripe stripe;

    @BeforeEach
    void start() throws Exception {
        DataSource database = RouteHarness.database();
        jdbc = new JdbcTemplate(database);
        ObjectMapper json = new ObjectMapper();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        DealExceptions exceptions = new DealExceptions(jdbc, json);
        stripe = new CannedStripe();
        var aggregations = new JdbcAggregationRepository(new DataSourceTransactionManager(database), "payout_aggregation", database);
        aggregations.setDeserializationFilter("java.**;org.apache.camel.**;dev.revenuebridge.cash.**;!*");
        RedeliveryPolicy retries = new RedeliveryPolicy();
        retries.setMaximumRedeliveries(0);
        harness = RouteHarness.of("routes/payout-reconciliation.camel.yaml")
                .property("revenue.payouts.reconcile-timeout-ms", "1000")
                .property("revenue.payouts.pages-per-step", "10")
                .bind("stripePayouts", new StripePayouts(stripe, jdbc, new MappingCatalog("mappings", false), exceptions,
                        "1100", "6140", new OutcomeEvents(jdbc, json, 500)))
                .bind("payoutAggregations", aggregations)
                .bind("dealExceptions", exceptions)
                .bind("remoteThrottleSignals", new RemoteThrottleSignals(new ThrottleMetrics(meters)))
                .bind("dealRetries", retries)
                .bind("consumedOffsets", new dev.revenuebridge.kafka.ConsumedOffsets())
                .advise("payout-deposit", route -> route.mockEndpointsAndSkip("direct:erp-upsert", "direct:dead-letter"))
                .start();
        harness.mock("direct:erp-upsert").whenAnyExchangeReceived(e -> e.getIn().setHeader("erpInternalId", "DEP-1"));
        // three of the charges are the bridge's own customer payments (booked from invoice payments)
        for (int i = 1; i <= 3; i++) {
            jdbc.update("INSERT INTO cash_document (stripe_id, kind, status, currency, amount, erp_id, charge_id, occurred_at) "
                    + "VALUES (?, 'payment', 'succeeded', 'USD', 100.00, ?, ?, now())", "inpay_" + i, "PAY-" + i, "ch_" + i);
        }
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPayoutOf250TransactionsInThreePagesBecomesOneDepositThatAddsUpToIt() {
        payout(250, 0);
        harness.producer().sendBody("direct:payout-paid", payoutPaid());

        await().atMost(Duration.ofSeconds(10)).until(() -> harness.mock("direct:erp-upsert").getReceivedCounter() == 1);
        assertThat(stripe.requests.stream().filter(r -> r.startsWith("/v1/balance_transactions")).count())
                .as("250 balance transactions, 100 a page").isEqualTo(3);
        Map<String, Object> deposit = harness.mock("direct:erp-upsert").getReceivedExchanges().get(0).getIn().getBody(Map.class);
        assertThat(deposit).containsEntry("externalId", PAYOUT);
        List<Map<String, Object>> payments = items(deposit, "payment");
        List<Map<String, Object>> other = items(deposit, "other");
        List<Map<String, Object>> cashBack = items(deposit, "cashBack");
        assertThat(payments).as("the bridge's own payments leave Undeposited Funds").hasSize(3);
        BigDecimal deposited = new BigDecimal("300.00")
                .add(other.stream().map(l -> (BigDecimal) l.get("amount")).reduce(BigDecimal.ZERO, BigDecimal::add))
                .subtract(cashBack.stream().map(l -> (BigDecimal) l.get("amount")).reduce(BigDecimal.ZERO, BigDecimal::add));
        assertThat(deposited).as("payments + other deposits - cash back").isEqualByComparingTo("24200.00");
        assertThat(cashBack).anySatisfy(l -> assertThat(l.get("memo")).isEqualTo("Stripe fees"));
        // the route goes on after the deposit's upsert (the mock answered): its last steps are awaited, not raced
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(jdbc.queryForMap("SELECT status, erp_id FROM cash_document WHERE stripe_id = ?", PAYOUT))
                    .containsEntry("status", "reconciled").containsEntry("erp_id", "DEP-1");
            assertThat(jdbc.queryForList("SELECT stripe_id FROM cash_document WHERE payout_id = ? AND kind = 'payment' ORDER BY 1",
                    String.class, PAYOUT)).containsExactly("inpay_1", "inpay_2", "inpay_3");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM payout_aggregation", Integer.class))
                    .as("the aggregate is gone once deposited").isZero();
        });

        harness.producer().sendBody("direct:payout-paid", payoutPaid());
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.mock("direct:erp-upsert").getReceivedCounter() == 2);
        assertThat(harness.mock("direct:erp-upsert").getReceivedExchanges())
                .allSatisfy(e -> assertThat(e.getIn().getBody(Map.class)).containsEntry("externalId", PAYOUT));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM cash_document WHERE kind = 'payout'", Integer.class)).isEqualTo(1);
    }

    @Test
    void aPayoutThatDoesNotAddUpIsAnExceptionNamingTheVarianceAndNoDeposit() {
        payout(40, 12345);
        harness.producer().sendBody("direct:payout-paid", payoutPaid());

        await().atMost(Duration.ofSeconds(10)).until(() -> !jdbc.queryForList(
                "SELECT reasons::text FROM deal_exception WHERE subject = ? AND kind = 'unreconciled-payout'", String.class, PAYOUT).isEmpty());
        assertThat(jdbc.queryForObject("SELECT reasons::text FROM deal_exception WHERE subject = ?", String.class, PAYOUT))
                .contains("does not add up").contains("variance 123.45");
        assertThat(harness.mock("direct:erp-upsert").getReceivedCounter()).isZero();
    }

    /** {@code charges} charges of 100.00 (fee 3.20) in USD, and a payout of their net plus {@code missing} (minor units). */
    private void payout(int charges, long missing) {
        List<Map<String, Object>> transactions = new ArrayList<>();
        for (int i = 1; i <= charges; i++) {
            transactions.add(Map.of("id", String.format("txn_%04d", i), "object", "balance_transaction", "type", "charge",
                    "reporting_category", "charge", "amount", 10000, "fee", 320, "net", 9680, "currency", "usd",
                    "source", "ch_" + i));
        }
        long net = 9680L * charges;
        // Stripe lists newest first: the payout's own transaction (not a component of it) comes first
        transactions.add(0, Map.of("id", "txn_payout", "object", "balance_transaction", "type", "payout",
                "reporting_category", "payout", "amount", -(net + missing), "fee", 0, "net", -(net + missing), "currency", "usd",
                "source", PAYOUT));
        stripe.list("/v1/balance_transactions?payout=" + PAYOUT, transactions);
        stripe.object("/v1/payouts/" + PAYOUT, Map.of("id", PAYOUT, "object", "payout", "amount", net + missing,
                "currency", "usd", "arrival_date", 1767312000, "status", "paid"));
    }

    private static Map<String, Object> payoutPaid() {
        return Map.of("id", "evt_payout", "type", "payout.paid", "data", Map.of("object", Map.of("id", PAYOUT)));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Map<String, Object> deposit, String sublist) {
        return (List<Map<String, Object>>) ((Map<String, Object>) deposit.get(sublist)).get("items");
    }
}
