package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A contract that starts more than one billing period after it closes: Stripe refuses a billing_cycle_anchor beyond
 * the next natural billing date, so the bridge schedules the subscription (a subscription schedule starting on the
 * contract start, one phase to the end of the term, then cancel). On the start date Stripe creates the subscription and
 * its first invoice, which the cash side books against the deal's sales order.
 */
class FutureStartDealTest extends BridgeTestSupport {

    @LocalServerPort
    int port;

    @Test
    @SuppressWarnings("unchecked")
    void aContractStartingInFourMonthsIsScheduledAndBilledFromItsStartDate() {
        String opportunity = "006Dn0FutureStAAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn0FutureStAAAA");
        // closes 2025-12-19, starts 2026-04-01 (monthly billing: the next natural billing date is 2026-01-19)
        opportunity(deal).put("Contract_Start_Date__c", "2026-04-01");
        opportunity(deal).put("Contract_End_Date__c", "2027-01-31");
        lineItems(deal).get(0).put("ServiceDate", "2026-04-15");
        lineItems(deal).get(1).put("ServiceDate", "2026-04-01");
        StripeCalls.deliverWebhooksTo(port, false, false);
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");

        assertThat(INFRA.stripe().objects("subscriptions")).as("no subscription until the contract starts")
                .noneMatch(s -> opportunity.equals(metadata(s).get("sf_opportunity_id")));
        Map<String, Object> schedule = INFRA.stripe().objects("subscription_schedules").stream()
                .filter(s -> opportunity.equals(metadata(s).get("sf_opportunity_id"))).findFirst().orElseThrow();
        assertThat(schedule.get("status")).isEqualTo("not_started");
        assertThat(schedule.get("end_behavior")).isEqualTo("cancel");
        List<Map<String, Object>> phases = (List<Map<String, Object>>) schedule.get("phases");
        assertThat(phases).singleElement().satisfies(phase -> {
            assertThat(((Number) phase.get("start_date")).longValue()).isEqualTo(epoch("2026-04-01"));
            assertThat(((Number) phase.get("end_date")).longValue()).as("10 months").isEqualTo(epoch("2027-02-01"));
            assertThat(metadata(phase)).containsEntry("sf_opportunity_id", opportunity);
            List<Map<String, Object>> items = (List<Map<String, Object>>) phase.get("items");
            assertThat(items).singleElement().satisfies(item -> {
                Map<String, Object> price = INFRA.stripe().object("prices", (String) item.get("price")).orElseThrow();
                assertThat(((Number) price.get("unit_amount")).longValue()).isEqualTo(1_000_000L);
                assertThat(((Map<String, Object>) price.get("recurring")).get("interval")).isEqualTo("month");
            });
        });
        Map<String, Object> opp = INFRA.salesforce().record("Opportunity", opportunity);
        assertThat(opp.get("Stripe_Subscription_Id__c")).as("the schedule, until Stripe starts the subscription")
                .isEqualTo(schedule.get("id"));
        assertThat(INFRA.erp().byExternalId("salesOrder", opportunity)).isPresent();
        assertThat(INFRA.stripe().requests()).as("the bridge never asked for a subscription with a later anchor")
                .noneMatch(r -> r.method().equals("POST") && r.path().equals("/v1/subscriptions")
                        && String.valueOf(r.params()).contains(opportunity));

        // 2026-04-01 comes (a test clock on the customer): Stripe creates the subscription and its first invoice
        String subscriptionId = INFRA.stripe().startScheduleAsOf((String) schedule.get("id"));
        Map<String, Object> subscription = INFRA.stripe().object("subscriptions", subscriptionId).orElseThrow();
        assertThat(metadata(subscription)).containsEntry("sf_opportunity_id", opportunity);
        assertThat(subscription.get("schedule")).isEqualTo(schedule.get("id"));
        assertThat(((Number) subscription.get("cancel_at")).longValue()).isEqualTo(epoch("2027-02-01"));
        await().atMost(Duration.ofSeconds(30)).until(() -> subscriptionId.equals(
                INFRA.salesforce().record("Opportunity", opportunity).get("Stripe_Subscription_Id__c")));
        String firstInvoice = (String) subscription.get("latest_invoice");
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", firstInvoice).isPresent());
        Map<String, Object> erpInvoice = INFRA.erp().byExternalId("invoice", firstInvoice).orElseThrow();
        assertThat(erpInvoice.get("tranDate")).isEqualTo("2026-04-01");
        assertThat(new BigDecimal(String.valueOf(erpInvoice.get("total")))).isEqualByComparingTo("10000.00");
    }

    private static long epoch(String date) {
        return LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> object) {
        return object.get("metadata") == null ? Map.of() : (Map<String, Object>) object.get("metadata");
    }
}
