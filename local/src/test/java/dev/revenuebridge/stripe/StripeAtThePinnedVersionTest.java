package dev.revenuebridge.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.sandbox.stripe.StripeSandbox;
import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The bridge against Stripe as the API version stripe-java pins shapes it: every object the sandbox sends (responses
 * and events) has only keys the SDK's models declare, and every key the cash side reads from raw JSON is one of them;
 * a new deal takes six requests once the catalog is known; a server error Stripe saved under an idempotency key does
 * not keep the bridge stuck behind it.
 */
class StripeAtThePinnedVersionTest extends BridgeTestSupport {

    @LocalServerPort
    int port;

    /**
     * What the cash side (StripeCash, StripeAdjustments, StripePayouts, PayoutLedger, routes/stripe-events and
     * cash-*.camel.yaml) reads from Stripe's JSON, by object: each path must be declared by the pinned SDK's model.
     * Keep it next to the code that reads them: a key added there belongs here too.
     */
    static final Map<String, List<String>> RAW_KEYS_READ = Map.of(
            "event", List.of("id", "type", "data.object"),
            "invoice", List.of("id", "number", "status", "currency", "customer", "created", "due_date", "metadata",
                    "amount_due", "amount_paid", "amount_remaining", "status_transitions.finalized_at",
                    "status_transitions.paid_at", "parent.subscription_details.metadata",
                    "parent.subscription_details.subscription", "lines.data", "lines.has_more"),
            "line_item", List.of("id", "description", "quantity", "amount"),
            "subscription", List.of("metadata"),
            "invoice_payment", List.of("id", "invoice", "amount_paid", "currency", "created", "status_transitions.paid_at",
                    "payment.payment_intent", "payment.charge"),
            "payment_intent", List.of("id", "latest_charge"),
            "refund", List.of("id", "object", "amount", "currency", "charge", "payment_intent", "created", "status"),
            "dispute", List.of("id", "object", "amount", "currency", "charge", "payment_intent", "created", "status",
                    "reason", "balance_transactions"),
            "payout", List.of("id", "amount", "currency", "arrival_date"),
            "balance_transaction", List.of("id", "type", "reporting_category", "amount", "fee", "net", "exchange_rate",
                    "source", "currency"));

    @Test
    void everyKeyTheCashSideReadsIsDeclaredByTheSdkModels() {
        RAW_KEYS_READ.forEach((object, paths) -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("object", object);
            paths.forEach(path -> put(json, path.split("\\.")));
            assertThat(StripeSandbox.undeclaredKeys(json)).as("keys read from %s", object).isEmpty();
        });
        // and the check bites: a key removed in 2025-03-31.basil is reported
        assertThat(StripeSandbox.undeclaredKeys(Map.of("object", "invoice", "charge", "ch_1")))
                .containsExactly("invoice.charge");
    }

    @Test
    void aNewDealTakesSixStripeRequestsOnceTheCatalogIsKnown() {
        // a first deal makes sure the catalog's products are known to exist in Stripe
        INFRA.salesforce().loadDeal(seedDeal("006Dn0ReqWarmAAAAA", "001Dn0ReqWarmAAAAA"), true);
        awaitSyncStatus("006Dn0ReqWarmAAAAA", "Synced");
        Set<String> earlier = INFRA.stripe().requests().stream().map(StripeSandbox.ReceivedRequest::requestId)
                .collect(Collectors.toSet());

        INFRA.salesforce().loadDeal(seedDeal("006Dn0ReqCountAAAA", "001Dn0ReqCountAAAA"), true);
        awaitSyncStatus("006Dn0ReqCountAAAA", "Synced");
        List<String> operations = INFRA.stripe().requests().stream().filter(r -> !earlier.contains(r.requestId()))
                .map(r -> r.method() + " " + r.path().replaceAll("/(cus|sub|in|ii|sub_sched|prod)_[A-Za-z0-9]+", "/{id}"))
                .toList();
        assertThat(operations).containsExactly(
                "GET /v1/customers/search",             // the Account's customer, made by another deal or by hand?
                "POST /v1/customers",
                "POST /v1/subscriptions",               // the recurring lines, priced inline
                "POST /v1/invoices",                    // the one-time invoice, a draft
                "POST /v1/invoices/{id}/add_lines",     // all its lines in one request, priced inline
                "POST /v1/invoices/{id}/finalize");
    }

    @Test
    void aServerErrorStripeSavedUnderTheKeyIsRetriedUnderANewKeyOnceNothingWasMade() {
        String opportunity = "006Dn0Saved500AAAA";
        INFRA.stripe().failNextWithSavedInternalError("POST", "/v1/subscriptions");
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0Saved500AAAA"), true);
        awaitSyncStatus(opportunity, "Synced");

        String key = "rb-" + opportunity + "-subscription";
        List<StripeSandbox.ReceivedRequest> creates = INFRA.stripe().requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals("/v1/subscriptions")
                        && r.idempotencyKey() != null && r.idempotencyKey().startsWith(key)).toList();
        assertThat(creates).as("the saved 500, replayed, then the same create under a derived key")
                .anySatisfy(r -> assertThat(r.status()).isEqualTo(500))
                .anySatisfy(r -> {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.idempotencyKey()).startsWith(key + "-after-req_");
                });
        assertThat(INFRA.stripe().objects("subscriptions")).filteredOn(s -> opportunity.equals(metadata(s).get("sf_opportunity_id")))
                .as("exactly one subscription").hasSize(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyObjectTheSandboxSendsIsShapedAsTheSdkModelsIt() {
        StripeCalls.deliverWebhooksTo(port, false, false);
        String opportunity = "006Dn0ShapesAAAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0ShapesAAAAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        String invoice = StripeCalls.oneTimeInvoiceOf(opportunity);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", invoice).isPresent());
        StripeCalls.Paid part = StripeCalls.payPart(invoice, 1_000_000L, "pm_card_visa");
        StripeCalls.Paid rest = StripeCalls.pay(invoice, "pm_usBankAccount");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                INFRA.erp().byExternalId("customerPayment", rest.invoicePayment()).isPresent());
        String refund = (String) StripeCalls.post("/v1/refunds", "payment_intent=" + part.paymentIntent()
                + "&amount=10000").get("id");
        String dispute = (String) INFRA.stripe().dispute(rest.charge(), 50_000).get("id");
        INFRA.stripe().closeDispute(dispute, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("creditMemo", refund).isPresent()
                && INFRA.erp().byExternalId("journalEntry", dispute + "-won").isPresent());
        INFRA.stripe().payout(LocalDate.parse("2025-12-23"));
        // what the cash side reads, read here the same way
        StripeCalls.get("/v1/invoices/" + invoice + "?expand[]=customer");
        StripeCalls.get("/v1/invoice_payments?invoice=" + invoice + "&expand[]=data.payment.payment_intent");
        StripeCalls.get("/v1/refunds/" + refund);
        StripeCalls.get("/v1/disputes/" + dispute);

        assertThat(INFRA.stripe().shapeCheckedTypes()).contains("customer", "product", "price", "subscription",
                "subscription_item", "invoice", "line_item", "invoiceitem", "invoice_payment", "payment_intent", "charge",
                "refund", "dispute", "balance_transaction", "payout", "event");
        assertThat(INFRA.stripe().shapeViolations()).as("keys stripe-java %s does not model", com.stripe.Stripe.VERSION)
                .isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> json, String[] path) {
        Map<String, Object> at = json;
        for (int i = 0; i < path.length - 1; i++) {
            at = (Map<String, Object>) at.computeIfAbsent(path[i], k -> new LinkedHashMap<>());
        }
        at.putIfAbsent(path[path.length - 1], "x");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> object) {
        return object.get("metadata") == null ? Map.of() : (Map<String, Object>) object.get("metadata");
    }
}
