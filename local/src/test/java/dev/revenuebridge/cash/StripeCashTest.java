package dev.revenuebridge.cash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.sandbox.stripe.StripeWebhooks;
import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The cash side through Stripe's webhooks: signatures verified as Stripe defines them (forged, stale and oversized
 * deliveries refused), events delivered twice and out of order applied once, and the worked example's ACH payment
 * booked in the ERP against the ERP invoice, with the invoice and payment status on the Opportunity and in the trace.
 */
class StripeCashTest extends BridgeTestSupport {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aHandSignedEventIsAcceptedAndForgedStaleOrOversizedOnesAreRefused() {
        String event = """
                {"id":"evt_handSigned0001","object":"event","type":"radar.early_fraud_warning.created","created":1766163900,
                 "data":{"object":{"id":"issfr_handSigned0001","object":"radar.early_fraud_warning"}}}""";
        long now = Instant.now().getEpochSecond();
        assertThat(post(event, StripeWebhooks.signatureHeader(event, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, now)))
                .isEqualTo(200);
        assertThat(post(event, StripeWebhooks.signatureHeader(event, "whsec_someoneElsesSecret", now))).isEqualTo(400);
        assertThat(post(event, StripeWebhooks.signatureHeader(event, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, now - 3600)))
                .as("signed an hour ago").isEqualTo(400);
        assertThat(post(event.replace("evt_handSigned0001", "evt_tampered00001"),
                StripeWebhooks.signatureHeader(event, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, now)))
                .as("body changed after signing").isEqualTo(400);
        assertThat(post(event, null)).isEqualTo(400);
        String huge = "{\"id\":\"evt_huge\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}";
        assertThat(post(huge, StripeWebhooks.signatureHeader(huge, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, now)))
                .isEqualTo(413);

        // the accepted event, of a type the bridge does not act on, was applied (acknowledged and counted) once
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM camel_messageprocessed WHERE processorname = 'stripe-events' AND messageid = ?",
                Integer.class, "evt_handSigned0001") == 1);
        assertThat(counter("revenue.bridge.stripe.events.ignored", "type:radar.early_fraud_warning.created")).isEqualTo(1.0);
        assertThat(counter("revenue.bridge.stripe.webhooks.refused", "reason:signature")).isEqualTo(2.0);
        assertThat(counter("revenue.bridge.stripe.webhooks.refused", "reason:stale")).isEqualTo(1.0);
        assertThat(counter("revenue.bridge.stripe.webhooks.refused", "reason:too_large")).isEqualTo(1.0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theWorkedExamplesAchPaymentIsAppliedToItsErpInvoiceAndShownOnTheOpportunity() throws Exception {
        StripeCalls.deliverWebhooksTo(port, true, true);   // every event twice, newest first
        String opportunity = "006Dn0CashPayAAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0CashPayAAAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        String invoiceId = StripeCalls.oneTimeInvoiceOf(opportunity);
        // the ERP invoice from invoice.finalized
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", invoiceId).isPresent());

        // the customer pays the 20,000.00 implementation invoice by ACH Direct Debit
        StripeCalls.Paid paid = StripeCalls.pay(invoiceId, "pm_usBankAccount");
        Map<String, Object> paidInvoice = paid.invoice();
        assertThat(paidInvoice).as("an invoice as API %s shapes it", com.stripe.Stripe.API_VERSION)
                .containsKey("parent").doesNotContainKeys("charge", "payment_intent", "paid", "subscription");
        assertThat(paid.invoicePayment()).startsWith("inpay_");
        assertThat(paid.charge()).as("an ACH Direct Debit charge").startsWith("py_");
        String paymentId = paid.invoicePayment();

        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("customerPayment", paymentId).isPresent());
        Map<String, Object> erpInvoice = INFRA.erp().byExternalId("invoice", invoiceId).orElseThrow();
        Map<String, Object> payment = INFRA.erp().byExternalId("customerPayment", paymentId).orElseThrow();
        assertThat(new BigDecimal(String.valueOf(payment.get("payment")))).isEqualByComparingTo("20000.00");
        List<Map<String, Object>> applied = (List<Map<String, Object>>) ((Map<String, Object>) payment.get("apply")).get("items");
        assertThat(applied).singleElement().satisfies(a -> {
            assertThat(((Map<String, Object>) a.get("doc")).get("id")).isEqualTo(erpInvoice.get("id"));
            assertThat(new BigDecimal(String.valueOf(a.get("amount")))).isEqualByComparingTo("20000.00");
        });
        assertThat(((Map<String, Object>) erpInvoice.get("createdFrom")).get("id"))
                .isEqualTo(INFRA.erp().byExternalId("salesOrder", opportunity).orElseThrow().get("id"));

        await().atMost(Duration.ofSeconds(20)).until(() ->
                "Paid".equals(INFRA.salesforce().record("Opportunity", opportunity).get("Invoice_Status__c")));
        Map<String, Object> opp = INFRA.salesforce().record("Opportunity", opportunity);
        assertThat(opp.get("Invoice_Number__c")).isEqualTo(paidInvoice.get("number"));
        assertThat(opp.get("Payment_Date__c")).isEqualTo("2025-12-19");
        assertThat(new BigDecimal(String.valueOf(opp.get("Outstanding_Balance__c")))).isEqualByComparingTo("0");

        // delivered twice and reordered, yet booked once
        assertThat(INFRA.erp().records("customerPayment").stream().filter(p -> paymentId.equals(p.get("externalId")))).hasSize(1);
        assertThat(INFRA.erp().records("invoice").stream().filter(i -> invoiceId.equals(i.get("externalId")))).hasSize(1);

        Map<String, Object> trace = trace(opportunity);
        List<Map<String, Object>> cash = (List<Map<String, Object>>) trace.get("cash");
        assertThat(cash).anySatisfy(d -> {
            assertThat(d).containsEntry("stripeId", invoiceId).containsEntry("kind", "invoice").containsEntry("status", "paid");
            assertThat(d.get("erpId")).isEqualTo(erpInvoice.get("id"));
        });
        // the subscription's 0.00 invoice "until the billing anchor" bills nothing: NetSuite has no invoice for it
        assertThat(cash).filteredOn(d -> "invoice".equals(d.get("kind"))
                        && new BigDecimal(String.valueOf(d.get("amount"))).signum() == 0)
                .isNotEmpty().allSatisfy(d -> {
                    assertThat(d.get("erpId")).isNull();
                    assertThat(INFRA.erp().byExternalId("invoice", (String) d.get("stripeId"))).isEmpty();
                });
        // the invoice billed the order's implementation line, by transform of the order
        List<Map<String, Object>> billedLines = (List<Map<String, Object>>) ((Map<String, Object>) erpInvoice.get("item")).get("items");
        assertThat(billedLines).singleElement().satisfies(l -> {
            assertThat(l.get("orderLine")).isEqualTo(1);
            assertThat(new BigDecimal(String.valueOf(l.get("amount")))).isEqualByComparingTo("20000.00");
        });
        assertThat(cash).anySatisfy(d -> assertThat(d).containsEntry("stripeId", paymentId).containsEntry("kind", "payment")
                .containsEntry("erpId", payment.get("id")).containsEntry("relatedId", invoiceId)
                .containsEntry("chargeId", paid.charge()).containsEntry("paymentIntentId", paid.paymentIntent()));

        // the warehouse sees the invoice and the payment as booked, amounts in major units
        await().atMost(Duration.ofSeconds(20)).until(() -> outcomeEvents(opportunity).stream()
                .anyMatch(e -> "payment.booked".equals(e.get("type"))));
        List<Map<String, Object>> events = outcomeEvents(opportunity);
        assertThat(events).anySatisfy(e -> {
            assertThat(e).containsEntry("type", "invoice.booked").containsEntry("subject", invoiceId);
            assertThat((Map<String, Object>) e.get("data")).containsEntry("status", "paid")
                    .containsEntry("erpId", erpInvoice.get("id")).containsEntry("amount", "20000.0000");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e).containsEntry("type", "payment.booked").containsEntry("subject", paymentId);
            assertThat((Map<String, Object>) e.get("data")).containsEntry("erpId", payment.get("id"))
                    .containsEntry("relatedId", invoiceId).containsEntry("currency", "USD");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void anInvoicePaidInTwoPartsIsTwoErpPaymentsAndPartiallyPaidInBetween() {
        StripeCalls.deliverWebhooksTo(port, true, false);
        String opportunity = "006Dn0CashPartAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0CashPartAAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        String invoiceId = StripeCalls.oneTimeInvoiceOf(opportunity);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", invoiceId).isPresent());

        StripeCalls.Paid first = StripeCalls.payPart(invoiceId, 500_000L, "pm_usBankAccount");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "Partially Paid".equals(INFRA.salesforce().record("Opportunity", opportunity).get("Invoice_Status__c")));
        assertThat(new BigDecimal(String.valueOf(INFRA.salesforce().record("Opportunity", opportunity)
                .get("Outstanding_Balance__c")))).isEqualByComparingTo("15000.00");
        StripeCalls.Paid rest = StripeCalls.pay(invoiceId, "pm_card_visa");
        assertThat(rest.invoicePayment()).isNotEqualTo(first.invoicePayment());

        await().atMost(Duration.ofSeconds(30)).until(() ->
                "Paid".equals(INFRA.salesforce().record("Opportunity", opportunity).get("Invoice_Status__c"))
                        && INFRA.erp().byExternalId("customerPayment", rest.invoicePayment()).isPresent());
        Map<String, Object> erpInvoice = INFRA.erp().byExternalId("invoice", invoiceId).orElseThrow();
        for (var part : List.of(Map.entry(first, "5000.00"), Map.entry(rest, "15000.00"))) {
            Map<String, Object> payment = INFRA.erp().byExternalId("customerPayment", part.getKey().invoicePayment())
                    .orElseThrow();
            assertThat(new BigDecimal(String.valueOf(payment.get("payment")))).isEqualByComparingTo(part.getValue());
            List<Map<String, Object>> applied = (List<Map<String, Object>>) ((Map<String, Object>) payment.get("apply")).get("items");
            assertThat(((Map<String, Object>) applied.get(0).get("doc")).get("id")).isEqualTo(erpInvoice.get("id"));
        }
        assertThat(INFRA.erp().records("customerPayment").stream()
                .filter(p -> List.of(first.invoicePayment(), rest.invoicePayment()).contains(p.get("externalId"))))
                .as("each part once, though every event came twice").hasSize(2);
        assertThat(new BigDecimal(String.valueOf(INFRA.salesforce().record("Opportunity", opportunity)
                .get("Outstanding_Balance__c")))).isEqualByComparingTo("0");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPaymentThatCouldNotBeBookedIsADeadLetterAndItsReplayBooksIt() {
        StripeCalls.deliverWebhooksTo(port, false, false);
        String opportunity = "006Dn0CashDeadAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0CashDeadAAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        String invoiceId = StripeCalls.oneTimeInvoiceOf(opportunity);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", invoiceId).isPresent());

        INFRA.erp().faults().outage(503);
        String paymentId = StripeCalls.pay(invoiceId, "pm_usBankAccount").invoicePayment();
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("SELECT count(*) FROM dead_letter "
                + "WHERE opportunity_id = ? AND source_route = 'stripe-events' AND status = 'open'", Integer.class, opportunity) > 0);
        assertThat(INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Status__c"))
                .as("a cash booking that failed leaves the deal synced").isEqualTo("Synced");
        INFRA.erp().faults().clear();

        List<Map<String, Object>> open = http.getForObject("/api/dead-letters", List.class);
        open.stream().filter(d -> opportunity.equals(d.get("opportunityId"))).forEach(d -> assertThat(
                http.postForEntity("/api/dead-letters/" + d.get("id") + "/replay", null, Map.class).getStatusCode().value())
                .isEqualTo(202));
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("customerPayment", paymentId).isPresent());
        assertThat(INFRA.erp().records("customerPayment").stream().filter(p -> paymentId.equals(p.get("externalId")))).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                "Paid".equals(INFRA.salesforce().record("Opportunity", opportunity).get("Invoice_Status__c")));
    }

    @Test
    void anInvoiceMadeOutsideTheBridgeGoesToTheExceptionQueueNotIntoRetries() {
        StripeCalls.deliverWebhooksTo(port, false, false);
        String customer = (String) StripeCalls.post("/v1/customers", "name=Walk-in+customer").get("id");
        StripeCalls.post("/v1/invoiceitems", "customer=" + customer + "&amount=5000&currency=usd&description=Consulting");
        String invoice = (String) StripeCalls.post("/v1/invoices", "customer=" + customer
                + "&collection_method=send_invoice&days_until_due=30&pending_invoice_items_behavior=include").get("id");
        StripeCalls.post("/v1/invoices/" + invoice + "/finalize", "");

        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM deal_exception WHERE subject = ? AND kind = 'unknown-object' AND status = 'open'",
                Integer.class, invoice) == 1);
        assertThat(jdbc.queryForObject("SELECT reasons::text FROM deal_exception WHERE subject = ?", String.class, invoice))
                .contains("belongs to no deal the bridge synced");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE body LIKE ?", Integer.class, "%" + invoice + "%"))
                .as("not a technical failure").isZero();
        assertThat(INFRA.erp().byExternalId("invoice", invoice)).isEmpty();
    }


    private int post(String body, String signature) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (signature != null) {
            headers.set("Stripe-Signature", signature);
        }
        return webhooks.postForEntity("/webhooks/stripe", new HttpEntity<>(body, headers), String.class).getStatusCode().value();
    }

    @SuppressWarnings("unchecked")
    private double counter(String name, String tag) {
        Map<String, Object> metric = http.getForObject("/actuator/metrics/" + name + "?tag=" + tag, Map.class);
        if (metric == null || metric.get("measurements") == null) {
            return 0;
        }
        return ((Number) ((List<Map<String, Object>>) metric.get("measurements")).get(0).get("value")).doubleValue();
    }
}
