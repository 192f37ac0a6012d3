package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An amendment changes the deal's own subscription and sales order, never a second one, and survives duplicate and
 * out-of-order delivery with the latest terms; a renewal starts a new term for the same customer.
 */
class AmendmentAndRenewalTest extends BridgeTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    @SuppressWarnings("unchecked")
    void amendmentsDeliveredTwiceAndOutOfOrderLeaveOneSubscriptionWithTheLatestTerms() {
        String opportunity = "006Dn0000AmendAAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn0000AmendAAAA");
        String platformLine = (String) lineItems(deal).get(1).get("Id");
        // 4 seats to begin with, so that each amendment below stays under the 25% that needs approval
        lineItems(deal).get(1).putAll(Map.of("Quantity", 4, "TotalPrice", 400000.00));
        opportunity(deal).put("Amount", 420000.00);
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");
        String subscriptionId = (String) INFRA.salesforce().record("Opportunity", opportunity).get("Stripe_Subscription_Id__c");

        // expansion to 5 seats, then 6 seats: two amendments in a row
        long first = amend(opportunity, platformLine, 5);
        awaitVersion(opportunity, 2);
        long second = amend(opportunity, platformLine, 6);
        awaitVersion(opportunity, 3);
        // delivered again, the older one last
        INFRA.salesforce().redeliver(second);
        INFRA.salesforce().redeliver(first);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);

        List<Map<String, Object>> subscriptions = INFRA.stripe().objects("subscriptions").stream()
                .filter(s -> String.valueOf(s.get("metadata")).contains(opportunity)).toList();
        assertThat(subscriptions).singleElement().satisfies(s -> {
            assertThat(s.get("id")).isEqualTo(subscriptionId);
            Map<String, Object> item = ((List<Map<String, Object>>) ((Map<String, Object>) s.get("items")).get("data")).get(0);
            assertThat(((Number) item.get("quantity")).longValue()).isEqualTo(6);
            assertThat(((Number) ((Map<String, Object>) item.get("price")).get("unit_amount")).longValue()).isEqualTo(1_000_000L);
        });
        assertThat(INFRA.stripe().objects("customers").stream()
                .filter(c -> String.valueOf(c.get("metadata")).contains("001Dn0000AmendAAAA"))).hasSize(1);
        // through the subscription's schedule: the phase billed until the last amendment, then 6 seats until the end of
        // term, then cancel; each amendment applied once although its event came twice
        List<Map<String, Object>> schedules = INFRA.stripe().objects("subscription_schedules").stream()
                .filter(sc -> subscriptionId.equals(sc.get("subscription"))).toList();
        assertThat(schedules).singleElement().satisfies(sc -> {
            assertThat(sc.get("end_behavior")).isEqualTo("cancel");
            assertThat(((Map<String, Object>) sc.get("metadata"))).containsEntry("contract_version", "3");
            List<Map<String, Object>> phases = (List<Map<String, Object>>) sc.get("phases");
            assertThat(phases).hasSize(2);
            Map<String, Object> last = phases.get(1);
            assertThat(((Number) last.get("end_date")).longValue())
                    .isEqualTo(java.time.LocalDate.of(2026, 11, 1).atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond());
            assertThat(last.get("collection_method")).isEqualTo("send_invoice");
            assertThat((List<Map<String, Object>>) last.get("items")).singleElement()
                    .satisfies(i -> assertThat(((Number) i.get("quantity")).longValue()).isEqualTo(6));
            assertThat(((Number) phases.get(0).get("end_date")).longValue())
                    .isEqualTo(((Number) last.get("start_date")).longValue());
        });
        assertThat(INFRA.stripe().requests().stream().filter(r -> r.method().equals("POST")
                && r.path().startsWith("/v1/subscription_schedules/") && r.status() == 200
                && String.valueOf(r.params()).contains(opportunity)))
                .as("two amendments, two schedule updates").hasSize(2);
        Map<String, Object> order = INFRA.erp().byExternalId("salesOrder", opportunity).orElseThrow();
        List<Map<String, Object>> lines = (List<Map<String, Object>>) ((Map<String, Object>) order.get("item")).get("items");
        assertThat(lines).hasSize(2).anySatisfy(l ->
                assertThat(new BigDecimal(String.valueOf(l.get("amount")))).isEqualByComparingTo("600000.00"));
        assertThat(INFRA.erp().records("salesOrder").stream().filter(o -> opportunity.equals(o.get("externalId")))).hasSize(1);
        assertThat(jdbc.queryForObject("SELECT max(version) FROM contract_version WHERE opportunity_id = ?",
                Integer.class, opportunity)).isEqualTo(3);
        List<Map<String, Object>> schedule = (List<Map<String, Object>>) trace(opportunity).get("revenueSchedule");
        assertThat(schedule.stream().map(l -> new BigDecimal(String.valueOf(l.get("amount"))))
                .reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("620000.00");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRenewalStartsANewTermForTheSameCustomer() {
        INFRA.salesforce().loadDeal(seedDeal("006Dn0000RenewOAAA", "001Dn0000RenewAAAA"), true);
        awaitSyncStatus("006Dn0000RenewOAAA", "Synced");

        Map<String, Object> renewal = seedDeal("006Dn0000RenewRAAA", "001Dn0000RenewAAAA");
        opportunity(renewal).putAll(Map.of("Type", "Renewal", "Amount", 120000.00,
                "Contract_Start_Date__c", "2026-11-01", "Contract_End_Date__c", "2027-10-31"));
        lineItems(renewal).remove(0);
        lineItems(renewal).get(0).putAll(Map.of("Subscription_Term__c", 12, "TotalPrice", 120000.00, "ServiceDate", "2026-11-01"));
        INFRA.salesforce().loadDeal(renewal, true);
        awaitSyncStatus("006Dn0000RenewRAAA", "Synced");

        Map<String, Object> original = INFRA.salesforce().record("Opportunity", "006Dn0000RenewOAAA");
        Map<String, Object> renewed = INFRA.salesforce().record("Opportunity", "006Dn0000RenewRAAA");
        assertThat(renewed.get("Stripe_Customer_Id__c")).isEqualTo(original.get("Stripe_Customer_Id__c"));
        // the renewal term starts 2026-11-01, later than the next natural billing date: a schedule starts it then
        String scheduleId = (String) renewed.get("Stripe_Subscription_Id__c");
        assertThat(scheduleId).startsWith("sub_sched_");
        Map<String, Object> schedule = INFRA.stripe().object("subscription_schedules", scheduleId).orElseThrow();
        assertThat(schedule.get("customer")).isEqualTo(original.get("Stripe_Customer_Id__c"));
        Map<String, Object> phase = ((List<Map<String, Object>>) schedule.get("phases")).get(0);
        assertThat(((Number) phase.get("start_date")).longValue())
                .isEqualTo(java.time.LocalDate.of(2026, 11, 1).atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond());
        assertThat(((Number) phase.get("end_date")).longValue())
                .isEqualTo(java.time.LocalDate.of(2027, 11, 1).atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond());
        assertThat(INFRA.stripe().objects("customers").stream()
                .filter(c -> String.valueOf(c.get("metadata")).contains("001Dn0000RenewAAAA"))).hasSize(1);
    }

    /** A sales rep changes the platform seats; the Opportunity's Amount follows, as its roll-up does in Salesforce. */
    private long amend(String opportunity, String platformLine, int seats) {
        INFRA.salesforce().editAsSalesRep("OpportunityLineItem", platformLine,
                Map.of("Quantity", seats, "TotalPrice", seats * 100000.00));
        return INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, Map.of("Amount", 20000.00 + seats * 100000.00));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMidTermAmendmentIsTreatedProspectively() {
        // a 12-month subscription that began 2025-09-01 (the bridge's clock is at 2025-12-19): Sep-Nov are recognized
        String opportunity = "006Dn0000MidTrmAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn0000MidTrmAAA");
        lineItems(deal).remove(0);
        String platformLine = (String) lineItems(deal).get(0).get("Id");
        lineItems(deal).get(0).putAll(Map.of("Quantity", 4, "Subscription_Term__c", 12, "TotalPrice", 480000.00,
                "ServiceDate", "2025-09-01"));
        opportunity(deal).putAll(Map.of("Amount", 480000.00, "Contract_Start_Date__c", "2025-09-01",
                "Contract_End_Date__c", "2026-08-31"));
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");

        // a fifth seat from December: 3 months x 40,000 + 9 months x 50,000 = 570,000
        INFRA.salesforce().editAsSalesRep("OpportunityLineItem", platformLine, Map.of("Quantity", 5, "TotalPrice", 570000.00));
        INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, Map.of("Amount", 570000.00));
        awaitVersion(opportunity, 2);

        Map<String, BigDecimal> byMonth = new java.util.TreeMap<>();
        for (Map<String, Object> line : (List<Map<String, Object>>) trace(opportunity).get("revenueSchedule")) {
            byMonth.merge((String) line.get("month"), new BigDecimal(String.valueOf(line.get("amount"))), BigDecimal::add);
        }
        // recognized months stay as posted; the remaining 450,000 goes to the 9 months still to serve
        assertThat(byMonth.get("2025-09")).isEqualByComparingTo("40000.00");
        assertThat(byMonth.get("2025-11")).isEqualByComparingTo("40000.00");
        assertThat(byMonth.get("2025-12")).isEqualByComparingTo("50000.00");
        assertThat(byMonth.get("2026-08")).isEqualByComparingTo("50000.00");
        assertThat(byMonth.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("570000.00");
        assertThat(INFRA.stripe().objects("subscriptions").stream()
                .filter(s -> String.valueOf(s.get("metadata")).contains(opportunity))).hasSize(1);
    }

    @Test
    void anAmendmentChangingAnInvoicedOneTimeLineIsHeldForReview() {
        String opportunity = "006Dn0000AmImplAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn0000AmImplAAA");
        String implementationLine = (String) lineItems(deal).get(0).get("Id");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");

        INFRA.salesforce().editAsSalesRep("OpportunityLineItem", implementationLine, Map.of("UnitPrice", 25000.00, "TotalPrice", 25000.00));
        INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, Map.of("Amount", 125000.00));
        awaitSyncStatus(opportunity, "Requires Review");
        assertThat((String) INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Error__c"))
                .contains("was invoiced already").contains("credit note");
        assertThat(INFRA.stripe().objects("invoices").stream()
                .filter(i -> String.valueOf(i.get("metadata")).contains(opportunity))).hasSize(1);
    }

    @Test
    void anAmendmentThatChangesTheValueByMoreThanAQuarterWaitsForApproval() {
        String opportunity = "006Dn0000AmBigAAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn0000AmBigAAAA");
        String platformLine = (String) lineItems(deal).get(1).get("Id");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");
        amend(opportunity, platformLine, 2);   // 120,000 -> 220,000
        awaitSyncStatus(opportunity, "Pending Approval");
        assertThat((String) INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Error__c"))
                .isEqualTo("The amendment changes the contract value from 120000.00 to 220000.00 (83.33%), "
                        + "more than the 25% that needs no approval");
    }

    private void awaitVersion(String opportunity, int version) {
        await().atMost(Duration.ofSeconds(30)).until(() -> version == jdbc.queryForObject(
                "SELECT coalesce(max(version), 0) FROM contract_version WHERE opportunity_id = ?", Integer.class, opportunity));
    }
}
