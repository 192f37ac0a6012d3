package dev.revenuebridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.cash.CashDocuments;
import dev.revenuebridge.cash.CashErpRecords;
import dev.revenuebridge.cash.StripeCash;
import dev.revenuebridge.trace.DeadLetters;
import dev.revenuebridge.kafka.ConsumedOffsets;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.metrics.DealOutcomes;
import dev.revenuebridge.outcome.OutcomeEvents;
import dev.revenuebridge.throttle.RemoteThrottleSignals;
import dev.revenuebridge.throttle.ThrottleMetrics;
import dev.revenuebridge.trace.Approvals;
import dev.revenuebridge.trace.DealExceptions;
import dev.revenuebridge.trace.DealTrace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The cash routes on their own (stripe-events and cash-erp): Stripe events as Kafka hands them, the Stripe reads
 * answered by {@link CannedStripe}, the real StripeCash, CashErpRecords and CashDocuments with the bridge's state in a PostgreSQL database of its own,
 * and the ERP and Salesforce adapter routes mocks. What it checks: a paid invoice is billed from the deal's sales order
 * by transform and its payment applied to it, once, whatever the events' order and repetition; the Opportunity written
 * once per event; an invoice of no deal an exception; a type the bridge does not act on counted.
 */
class CashRouteTest {

    static final String OPPORTUNITY = "006Dn00000CashAAA";
    static final String INVOICE = "in_1CashInvoice";

    RouteHarness harness;
    JdbcTemplate jdbc;
    SimpleMeterRegistry meters;
    final AtomicInteger commits = new AtomicInteger();
    /** The ERP's invoice id once the transform made it: what erp-find answers from then on. */
    String erpInvoice;

    @BeforeEach
    void start() throws Exception {
        jdbc = new JdbcTemplate(RouteHarness.database());
        ObjectMapper json = new ObjectMapper();
        meters = new SimpleMeterRegistry();
        MappingCatalog mappings = new MappingCatalog("mappings", false);
        DealExceptions exceptions = new DealExceptions(jdbc, json);
        OutcomeEvents events = new OutcomeEvents(jdbc, json, 500);
        DealTrace trace = new DealTrace(jdbc, exceptions, new Approvals(jdbc, json), new DeadLetters(jdbc, json),
                new DealOutcomes(meters), events);
        jdbc.update("INSERT INTO deal_sync (opportunity_id, status) VALUES (?, 'Synced')", OPPORTUNITY);
        trace.link(OPPORTUNITY, "erp", "sales_order", "SO-1");
        trace.link(OPPORTUNITY, "erp", "customer", "CUST-1");
        CannedStripe stripe = new CannedStripe()
                .object("/v1/invoices/" + INVOICE, invoice(INVOICE, OPPORTUNITY))
                .object("/v1/invoices/in_1Foreign", invoice("in_1Foreign", "006Dn00000GoneAAA"))
                .list("/v1/invoice_payments?invoice=" + INVOICE + "&status=paid", List.of(Map.of(
                        "id", "inpay_1", "invoice", INVOICE, "amount_paid", 2000000, "currency", "usd", "created", 1767225600,
                        "status_transitions", Map.of("paid_at", 1767312000),
                        "payment", Map.of("payment_intent", Map.of("id", "pi_1", "latest_charge", "ch_1")))));
        RedeliveryPolicy retries = new RedeliveryPolicy();
        retries.setMaximumRedeliveries(0);
        harness = RouteHarness.of("routes/stripe-events.camel.yaml", "routes/cash-erp.camel.yaml")
                .property("revenue.kafka.stripe-events-topic", "stripe-events")
                .bind("processedStripeEvents", MemoryIdempotentRepository.memoryIdempotentRepository())
                .bind("stripeCash", new StripeCash(stripe, jdbc, trace))
                .bind("cashErpRecords", new CashErpRecords(trace, mappings))
                .bind("cashDocuments", new CashDocuments(jdbc, events))
                .bind("consumedOffsets", new ConsumedOffsets())
                .bind("dealExceptions", exceptions)
                .bind("remoteThrottleSignals", new RemoteThrottleSignals(new ThrottleMetrics(meters)))
                .bind("dealRetries", retries)
                .bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters)
                .without("scheduled-subscription-started")
                .advise("stripe-events", route -> {
                    route.replaceFromWith("direct:kafka-stripe-events");
                    route.mockEndpointsAndSkip("direct:erp-*", "direct:salesforce-*", "direct:dead-letter",
                            "direct:cash-refund", "direct:cash-dispute", "direct:payout-paid", "direct:scheduled-subscription-started");
                })
                .advise("stripe-event-publish", route -> route.weaveById("kafka-publish-stripe-event").replace().to("mock:kafka"))
                .start();
        harness.mock("direct:erp-find").whenAnyExchangeReceived(e -> e.getIn().setHeader("erpInternalId", erpInvoice));
        harness.mock("direct:erp-read").whenAnyExchangeReceived(e -> e.getIn().setBody(Map.of("id", "SO-1",
                "item", Map.of("items", List.of(Map.of("line", 1, "custcol_sf_line_item_id", "00kDn00000Impl1AAA",
                        "item", Map.of("id", "IMPL")))))));
        harness.mock("direct:erp-transform").whenAnyExchangeReceived(e -> {
            erpInvoice = "INV-9";
            e.getIn().setHeader("erpInternalId", erpInvoice);
        });
        harness.mock("direct:erp-upsert").whenAnyExchangeReceived(e -> e.getIn().setHeader("erpInternalId", "PAY-3"));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPaidInvoiceIsBilledFromTheSalesOrderAndItsPaymentAppliedOnceWhateverTheEvents() {
        send(event("evt_paid", "invoice.paid", INVOICE));

        var transform = harness.mock("direct:erp-transform").getReceivedExchanges();
        assertThat(transform).hasSize(1);
        assertThat(transform.get(0).getIn().getHeader("erpFromId")).isEqualTo("SO-1");
        Map<String, Object> erpInvoiceRecord = transform.get(0).getIn().getBody(Map.class);
        assertThat(erpInvoiceRecord).containsEntry("externalId", INVOICE);
        assertThat((List<Map<String, Object>>) ((Map<String, Object>) erpInvoiceRecord.get("item")).get("items"))
                .singleElement().satisfies(line -> {
                    assertThat(line).containsEntry("orderLine", 1);
                    assertThat((BigDecimal) line.get("amount")).isEqualByComparingTo("20000.00");
                });
        Map<String, Object> payment = harness.mock("direct:erp-upsert").getReceivedExchanges().get(0).getIn().getBody(Map.class);
        assertThat(payment).containsEntry("externalId", "inpay_1").containsEntry("undepFunds", true);
        assertThat(payment.get("apply").toString()).contains("INV-9");
        assertThat(jdbc.queryForList("SELECT stripe_id || ' ' || kind || ' ' || erp_id FROM cash_document ORDER BY stripe_id",
                String.class)).containsExactly("in_1CashInvoice invoice INV-9", "inpay_1 payment PAY-3");
        var writeBacks = harness.mock("direct:salesforce-update-opportunity").getReceivedExchanges();
        assertThat(writeBacks).as("the invoice and its payment written at once").hasSize(1);
        assertThat(writeBacks.get(0).getIn().getBody(Map.class)).containsEntry("Invoice_Number__c", "RB-0001")
                .containsEntry("Payment_Date__c", "2026-01-02");

        // the same event again, then a late invoice.finalized of the same invoice: nothing booked twice
        send(event("evt_paid", "invoice.paid", INVOICE));
        send(event("evt_finalized", "invoice.finalized", INVOICE));
        assertThat(harness.mock("direct:erp-transform").getReceivedCounter()).isEqualTo(1);
        assertThat(harness.mock("direct:erp-upsert").getReceivedCounter()).isEqualTo(1);
        assertThat(harness.mock("direct:erp-find").getReceivedCounter()).isEqualTo(2);
        assertThat(harness.mock("direct:salesforce-update-opportunity").getReceivedCounter()).isEqualTo(2);
        assertThat(commits).hasValue(3);
    }

    @Test
    void anInvoiceOfNoDealOfTheBridgesIsAnExceptionForFinanceAndBooksNothing() {
        send(event("evt_foreign", "invoice.paid", "in_1Foreign"));

        assertThat(harness.mock("direct:erp-find").getReceivedCounter()).isZero();
        assertThat(jdbc.queryForList("SELECT kind || ': ' || reasons::text FROM deal_exception WHERE subject = 'in_1Foreign'",
                String.class)).singleElement().asString().startsWith("unknown-object").contains("belongs to no deal the bridge synced");
        assertThat(commits).hasValue(1);
    }

    @Test
    void anEventTypeTheBridgeDoesNotActOnIsCountedAndCommitted() {
        send(event("evt_customer", "customer.created", "cus_1"));

        assertThat(meters.get("revenue.bridge.stripe.events.ignored").tag("type", "customer.created").counter().count())
                .isEqualTo(1.0);
        assertThat(harness.mock("direct:erp-find").getReceivedCounter()).isZero();
        assertThat(commits).hasValue(1);
    }

    private void send(String body) {
        KafkaManualCommit commit = commits::incrementAndGet;
        harness.producer().sendBodyAndHeader("direct:kafka-stripe-events", body, KafkaConstants.MANUAL_COMMIT, commit);
    }

    private static String event(String id, String type, String objectId) {
        return "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"data\":{\"object\":{\"id\":\"" + objectId + "\"}}}";
    }

    private static Map<String, Object> invoice(String id, String opportunityId) {
        return Map.ofEntries(Map.entry("id", id), Map.entry("object", "invoice"), Map.entry("number", "RB-0001"),
                Map.entry("status", "paid"), Map.entry("currency", "usd"), Map.entry("customer", "cus_1"),
                Map.entry("total", 2000000), Map.entry("amount_due", 2000000), Map.entry("amount_paid", 2000000),
                Map.entry("amount_remaining", 0), Map.entry("created", 1767225600),
                Map.entry("status_transitions", Map.of("finalized_at", 1767225600, "paid_at", 1767312000)),
                Map.entry("metadata", Map.of("sf_opportunity_id", opportunityId)),
                Map.entry("lines", Map.of("object", "list", "has_more", false, "data", List.of(Map.of(
                        "id", "il_1", "amount", 2000000, "quantity", 1, "description", "Standard implementation",
                        "metadata", Map.of("sf_line_item_id", "00kDn00000Impl1AAA"))))));
    }
}
