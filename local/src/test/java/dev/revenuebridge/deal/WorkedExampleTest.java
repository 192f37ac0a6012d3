package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.sandbox.stripe.StripeSandbox;
import dev.revenuebridge.support.BridgeTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The worked example (shared/examples/seed-120k-deal.json) end to end, checked against seed-120k-deal.expected.md
 * items 3, 4 and 6 in the sandboxes' state, the Opportunity and the trace API; then delivered again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkedExampleTest extends BridgeTestSupport {

    static final String OPPORTUNITY = "006Dn00000SeedAAA";
    static final String ACCOUNT = "001Dn00000AcmeAAA";

    @Autowired
    CamelContext camel;
    @Autowired
    JdbcTemplate jdbc;
    @org.springframework.beans.factory.annotation.Value("${revenue.kafka.deals-group}")
    String dealsGroup;

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void closedWonDealBecomesStripeBillingErpSalesOrderAndWriteBack() {
        // the Stripe sandbox is shared with other test classes: only the requests made from here on are this deal's
        java.util.Set<String> earlierRequests = INFRA.stripe().requests().stream()
                .map(StripeSandbox.ReceivedRequest::requestId).collect(java.util.stream.Collectors.toSet());
        INFRA.salesforce().loadDeal(seedDeal(OPPORTUNITY, ACCOUNT), true);
        awaitSyncStatus(OPPORTUNITY, "Synced");

        // Stripe: one customer carrying the Salesforce ids
        StripeSandbox stripe = INFRA.stripe();
        List<Map<String, Object>> customers = forOpportunity(stripe.objects("customers"));
        assertThat(customers).hasSize(1);
        Map<String, Object> customer = customers.get(0);
        assertThat(metadata(customer)).containsEntry("sf_account_id", ACCOUNT).containsEntry("sf_opportunity_id", OPPORTUNITY);
        String customerId = (String) customer.get("id");
        assertThat(customerId).matches("cus_[A-Za-z0-9]{14}");

        // one subscription: 10,000.00 USD a month, ends after 10 monthly periods, send_invoice Net 30, ACH
        List<Map<String, Object>> subscriptions = forOpportunity(stripe.objects("subscriptions"));
        assertThat(subscriptions).hasSize(1);
        Map<String, Object> subscription = subscriptions.get(0);
        assertThat(subscription.get("customer")).isEqualTo(customerId);
        assertThat(subscription.get("status")).isEqualTo("active");
        // billing starts with the contract (2026-01-01), not when the deal closed
        assertThat(number(subscription.get("billing_cycle_anchor")))
                .isEqualTo(LocalDate.of(2026, 1, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        assertThat(subscription.get("collection_method")).isEqualTo("send_invoice");
        assertThat(number(subscription.get("days_until_due"))).isEqualTo(30);
        assertThat(number(subscription.get("cancel_at")))
                .isEqualTo(LocalDate.of(2026, 11, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        assertThat(String.valueOf(subscription.get("payment_settings"))).contains("us_bank_account");
        List<Map<String, Object>> items = data(subscription.get("items"));
        assertThat(items).hasSize(1);
        Map<String, Object> price = map(items.get(0).get("price"));
        assertThat(number(price.get("unit_amount"))).isEqualTo(1_000_000L);
        assertThat(price.get("currency")).isEqualTo("usd");
        assertThat(price.get("product")).isEqualTo("PLAT-SUB");
        assertThat(map(price.get("recurring")).get("interval")).isEqualTo("month");
        assertThat(number(items.get(0).get("quantity"))).isEqualTo(1);

        // nothing is billed for the days between the close and the contract start
        Map<String, Object> firstSubscriptionInvoice = stripe.objects("invoices").stream()
                .filter(i -> i.get("id").equals(subscription.get("latest_invoice"))).findFirst().orElseThrow();
        assertThat(number(firstSubscriptionInvoice.get("amount_due"))).isZero();

        // one one-time invoice of 20,000.00 USD due in 30 days
        List<Map<String, Object>> invoices = forOpportunity(stripe.objects("invoices"));
        assertThat(invoices).hasSize(1);
        Map<String, Object> invoice = invoices.get(0);
        assertThat(invoice.get("customer")).isEqualTo(customerId);
        assertThat(number(invoice.get("amount_due"))).isEqualTo(2_000_000L);
        assertThat(invoice.get("currency")).isEqualTo("usd");
        assertThat(invoice.get("status")).isEqualTo("open");
        assertThat(number(invoice.get("due_date")) - number(map(invoice.get("status_transitions")).get("finalized_at")))
                .as("due 30 days after it was finalized").isEqualTo(30 * 86_400L);
        assertThat(data(invoice.get("lines"))).singleElement()
                .satisfies(line -> assertThat(number(line.get("amount"))).isEqualTo(2_000_000L));

        // the Stripe sandbox, which validates every call against the params classes of the stripe-java it pins,
        // accepted every call; every create carried the bridge's deterministic Idempotency-Key (not the SDK's random
        // one); and the deal took at most 8 requests (6 once the catalog's products are known to exist in Stripe)
        List<StripeSandbox.ReceivedRequest> ours = stripe.requests().stream()
                .filter(r -> !earlierRequests.contains(r.requestId())).toList();
        assertThat(ours).noneMatch(r -> r.status() == 400);
        assertThat(ours).filteredOn(r -> !r.path().startsWith("/v1/products"))
                .as("Stripe requests for a new deal like the worked example").hasSizeLessThanOrEqualTo(6);
        assertThat(ours).filteredOn(r -> r.path().startsWith("/v1/products"))
                .as("a look-up, and a create when the test JVM has not made it yet, per catalog product")
                .hasSizeLessThanOrEqualTo(4);
        assertThat(ours).filteredOn(r -> r.method().equals("POST")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.idempotencyKey()).matches("rb-.+"));

        // ERP: one customer, one sales order under the Opportunity id with the two lines, Net 30, USD, US subsidiary
        Map<String, Object> erpCustomer = INFRA.erp().byExternalId("customer", ACCOUNT).orElseThrow();
        Map<String, Object> order = INFRA.erp().byExternalId("salesOrder", OPPORTUNITY).orElseThrow();
        assertThat(ref(order.get("entity"))).isEqualTo(erpCustomer.get("id"));
        assertThat(ref(order.get("subsidiary"))).isEqualTo("1");
        assertThat(ref(order.get("currency"))).isEqualTo("1");
        assertThat(ref(order.get("terms"))).isEqualTo("2");
        List<Map<String, Object>> lines = lines(order);
        assertThat(lines).hasSize(2);
        assertThat(lines).anySatisfy(l -> {
            assertThat(ref(l.get("item"))).isEqualTo("501");
            assertThat(new BigDecimal(String.valueOf(l.get("amount")))).isEqualByComparingTo("20000.00");
            // ARM recognizes a point-in-time obligation on its delivery date
            assertThat(l).containsEntry("revRecStartDate", "2026-02-15").containsEntry("revRecEndDate", "2026-02-15")
                    .containsKey("custcol_sf_line_item_id");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(ref(l.get("item"))).isEqualTo("502");
            assertThat(new BigDecimal(String.valueOf(l.get("amount")))).isEqualByComparingTo("100000.00");
            // and a ratable one over its service period
            assertThat(l).containsEntry("revRecStartDate", "2026-01-01").containsEntry("revRecEndDate", "2026-10-31");
        });
        // the billing address is the customer's address book line (a subrecord), not a string
        Map<String, Object> addressBook = map(erpCustomer.get("addressBook"));
        assertThat((List<Map<String, Object>>) addressBook.get("items")).singleElement().satisfies(a -> {
            assertThat(a).containsEntry("defaultBilling", true);
            assertThat(map(a.get("addressBookAddress"))).containsEntry("addr1", "1 Main Street")
                    .containsEntry("city", "Springfield").containsEntry("zip", "62701");
        });

        // write-back on the Opportunity
        Map<String, Object> opportunity = INFRA.salesforce().record("Opportunity", OPPORTUNITY);
        assertThat(opportunity.get("Stripe_Customer_Id__c")).isEqualTo(customerId);
        assertThat(opportunity.get("Stripe_Subscription_Id__c")).isEqualTo(subscription.get("id"));
        assertThat(opportunity.get("Stripe_Invoice_Id__c")).isEqualTo(invoice.get("id"));
        assertThat(opportunity.get("ERP_Sales_Order_Id__c")).isEqualTo(order.get("id"));
        assertThat(opportunity.get("Sync_Status__c")).isEqualTo("Synced");
        assertThat(opportunity.get("Last_Sync__c")).isNotNull();

        // the trace API
        Map<String, Object> trace = trace(OPPORTUNITY);
        assertThat(trace.get("status")).isEqualTo("Synced");
        assertThat(trace.get("accountId")).isEqualTo(ACCOUNT);
        Map<String, Object> ids = map(trace.get("externalIds"));
        assertThat(map(ids.get("stripe"))).containsEntry("customer", customerId)
                .containsEntry("subscription", subscription.get("id"))
                .containsEntry("one_time_invoice", invoice.get("id"));
        assertThat(map(ids.get("erp"))).containsEntry("customer", erpCustomer.get("id"))
                .containsEntry("sales_order", order.get("id"));
        assertThat(trace.get("syncedAt")).isNotNull();

        // ASC 606 (expected item 5): 20,000 in 2026-02 for IMPL-STD, 10,000 a month 2026-01..2026-10 for PLAT-SUB
        List<Map<String, Object>> schedule = (List<Map<String, Object>>) trace.get("revenueSchedule");
        assertThat(schedule).hasSize(11);
        assertThat(schedule).filteredOn(l -> l.get("productCode").equals("IMPL-STD")).singleElement().satisfies(l -> {
            assertThat(l.get("month")).isEqualTo("2026-02");
            assertThat(new BigDecimal(String.valueOf(l.get("amount")))).isEqualByComparingTo("20000.00");
        });
        assertThat(schedule).filteredOn(l -> l.get("productCode").equals("PLAT-SUB"))
                .extracting(l -> l.get("month")).containsExactly("2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10");
        assertThat(schedule).filteredOn(l -> l.get("productCode").equals("PLAT-SUB"))
                .allSatisfy(l -> assertThat(new BigDecimal(String.valueOf(l.get("amount")))).isEqualByComparingTo("10000.00"));
        // NetSuite makes revenue plans itself (ARM, from the order's dated lines): the bridge writes no schedule record
        // and ties ARM's plans out against its own schedule, month by month and line by line
        assertThat(INFRA.erp().writeLog()).noneMatch(w -> w.path().toLowerCase().contains("revrecschedule"));
        await().atMost(Duration.ofSeconds(20)).until(() -> trace(OPPORTUNITY).get("revenueTieOut") != null);
        Map<String, Object> tieOut = map(trace(OPPORTUNITY).get("revenueTieOut"));
        assertThat(tieOut.get("status")).as("revenue tie-out %s", tieOut).isEqualTo("TiedOut");
        assertThat(tieOut.get("salesOrderId")).isEqualTo(order.get("id"));
        assertThat(INFRA.erp().revenuePlans(String.valueOf(order.get("id")))).as("ARM's plans of the order").isNotEmpty();

        // downstream consumers read the outcomes on revenue.events, keyed by the Opportunity Id
        await().atMost(Duration.ofSeconds(20)).until(() -> outcomeEvents(OPPORTUNITY).stream()
                .map(e -> e.get("type")).toList().containsAll(List.of("deal.synced", "revenue.tie_out")));
        List<Map<String, Object>> events = outcomeEvents(OPPORTUNITY);
        assertThat(events).allSatisfy(e -> assertThat(e).containsEntry("schemaVersion", 1)
                .containsEntry("opportunityId", OPPORTUNITY).containsKeys("eventId", "occurredAt", "subject", "data"));
        Map<String, Object> synced = events.stream().filter(e -> "deal.synced".equals(e.get("type"))).findFirst().orElseThrow();
        assertThat(map(synced.get("data"))).containsEntry("status", "Synced").containsEntry("accountId", ACCOUNT);
        assertThat(map(map(map(synced.get("data")).get("externalIds")).get("erp"))).containsEntry("sales_order", order.get("id"));
        assertThat(map(events.stream().filter(e -> "revenue.tie_out".equals(e.get("type"))).findFirst().orElseThrow()
                .get("data"))).containsEntry("status", "TiedOut").containsEntry("salesOrderId", order.get("id"));
        assertThat(events).as("each outcome once").extracting(e -> e.get("type")).doesNotHaveDuplicates();
    }

    @Test
    @Order(5)
    @SuppressWarnings("unchecked")
    void thePreviewOfTheWorkedExampleIsWhatTheRouteCreated() throws Exception {
        // the deal desk previews before the close: an Opportunity the bridge has not synced (the same terms)
        String seed = new String(getClass().getResourceAsStream("/deals/seed-120k-deal.json").readAllBytes())
                .replace("006Dn00000SeedAAA", "006Dn00000PrevAAA");
        var response = http.postForEntity("/api/preview", new org.springframework.http.HttpEntity<>(seed, jsonHeaders()), Map.class);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        Map<String, Object> preview = response.getBody();
        assertThat(preview.get("status")).as("%s", preview.get("findings")).isEqualTo("Valid");
        assertThat(preview.get("outcome")).isEqualTo("NEW_BUSINESS");
        assertThat(new BigDecimal(String.valueOf(preview.get("revenueTotal")))).isEqualByComparingTo("120000.00");
        List<Map<String, Object>> previewed = (List<Map<String, Object>>) preview.get("revenueSchedule");
        List<Map<String, Object>> live = (List<Map<String, Object>>) trace(OPPORTUNITY).get("revenueSchedule");
        assertThat(previewed.stream().map(e -> e.get("month") + " " + e.get("productCode") + " "
                + new BigDecimal(String.valueOf(e.get("amount"))).setScale(2)).sorted().toList())
                .isEqualTo(live.stream().map(e -> e.get("month") + " " + e.get("productCode") + " "
                        + new BigDecimal(String.valueOf(e.get("amount"))).setScale(2)).sorted().toList());
        Map<String, Object> stripe = (Map<String, Object>) preview.get("stripe");
        assertThat(String.valueOf(stripe.get("subscription"))).contains("unit_amount=1000000");
        // the preview changed nothing: still one customer and one subscription for the worked example
        assertThat(forOpportunity(INFRA.stripe().objects("customers"))).hasSize(1);

        var malformed = http.postForEntity("/api/preview", new org.springframework.http.HttpEntity<>("{\"opportunity\": 42}",
                jsonHeaders()), Map.class);
        assertThat(malformed.getStatusCode().value()).isEqualTo(400);
        assertThat(String.valueOf(malformed.getBody().get("problems")))
                .contains("opportunity is missing or not an object").contains("lineItems is missing");
        var notJson = http.postForEntity("/api/preview", new org.springframework.http.HttpEntity<>("{oops", jsonHeaders()), Map.class);
        assertThat(notJson.getStatusCode().value()).isEqualTo(400);
        assertThat(String.valueOf(notJson.getBody().get("problems"))).contains("not valid JSON");
    }

    private static org.springframework.http.HttpHeaders jsonHeaders() {
        var headers = new org.springframework.http.HttpHeaders();
        headers.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
        return headers;
    }

    @Test
    @Order(2)
    void theSameChangeEventDeliveredTwiceCreatesNothingNew() {
        int stripePosts = stripePosts();
        int erpWrites = INFRA.erp().writeLog().size();
        NotifyBuilder done = new NotifyBuilder(camel).fromRoute("deal-sync").whenCompleted(1).create();
        long closingEvent = closingReplayId();
        assertThat(INFRA.salesforce().redeliver(closingEvent)).isTrue();
        assertThat(done.matches(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(stripePosts()).isEqualTo(stripePosts);
        assertThat(INFRA.erp().writeLog()).hasSize(erpWrites);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM camel_messageprocessed WHERE messageid LIKE ?",
                Integer.class, OPPORTUNITY + ":%")).isEqualTo(1);
        // both deliveries are done with: the consumer group's committed offsets cover them
        await().atMost(Duration.ofSeconds(10)).until(() -> committedOffsets() == 2);
    }

    private long committedOffsets() {
        return INFRA.kafka().doWithAdminFunction(admin -> {
            try {
                return admin.listConsumerGroupOffsets(dealsGroup).partitionsToOffsetAndMetadata().get().values()
                        .stream().mapToLong(o -> o.offset()).sum();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @Order(3)
    void aNewChangeEventForTheSameDealStillMakesOneOfEach() {
        int stripePosts = stripePosts();
        // reopened, then closed won again: two new change events, each processed (not skipped as duplicates)
        NotifyBuilder both = new NotifyBuilder(camel).fromRoute("deal-sync").whenCompleted(2).create();
        INFRA.salesforce().closeOpportunity(OPPORTUNITY, "Negotiation/Review");
        INFRA.salesforce().closeOpportunity(OPPORTUNITY, "Closed Won");
        assertThat(both.matches(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM camel_messageprocessed WHERE messageid LIKE ?", Integer.class, OPPORTUNITY + ":%") == 3);

        // the terms did not change: nothing is created or amended
        assertThat(stripePosts()).isEqualTo(stripePosts);
        assertThat(trace(OPPORTUNITY).get("status")).isEqualTo("Synced");
        assertThat(forOpportunity(INFRA.stripe().objects("customers"))).hasSize(1);
        assertThat(forOpportunity(INFRA.stripe().objects("subscriptions"))).hasSize(1);
        assertThat(forOpportunity(INFRA.stripe().objects("invoices"))).hasSize(1);
        assertThat(INFRA.erp().records("salesOrder").stream()
                .filter(o -> OPPORTUNITY.equals(o.get("externalId")))).hasSize(1);
        assertThat(lines(INFRA.erp().byExternalId("salesOrder", OPPORTUNITY).orElseThrow())).hasSize(2);
        assertThat(INFRA.erp().records("customer").stream().filter(c -> ACCOUNT.equals(c.get("externalId")))).hasSize(1);
    }

    @Test
    @Order(4)
    void theTraceOfAnUnknownOpportunityIs404() {
        var response = http.getForEntity("/api/deals/006Dn00000NopeAAA", Map.class);
        assertThat(response.getStatusCode().value()).isEqualTo(404);
        assertThat(response.getBody()).containsEntry("opportunityId", "006Dn00000NopeAAA");
    }

    private long closingReplayId() {
        return INFRA.salesforce().lastClosingReplayId(OPPORTUNITY);
    }

    private int stripePosts() {
        return (int) INFRA.stripe().requests().stream().filter(r -> r.method().equals("POST")).count();
    }

    static List<Map<String, Object>> forOpportunity(List<Map<String, Object>> objects) {
        return objects.stream().filter(o -> OPPORTUNITY.equals(metadata(o).get("sf_opportunity_id"))).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> metadata(Map<String, Object> o) {
        return o.get("metadata") == null ? Map.of() : map(o.get("metadata"));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> data(Object list) {
        return (List<Map<String, Object>>) map(list).get("data");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> lines(Map<String, Object> order) {
        return (List<Map<String, Object>>) map(order.get("item")).get("items");
    }

    static Object ref(Object reference) {
        return reference == null ? null : map(reference).get("id");
    }

    static long number(Object o) {
        return Objects.requireNonNull((Number) o, "missing number").longValue();
    }
}
