package dev.revenuebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.support.BridgeTestSupport;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Change Data Capture says nothing of line items and Accounts: a held deal fixed by an edit of its line or of its
 * Account alone is seen by the sweep, evaluated again and synced, once, however often the change is swept.
 */
class SalesforceSweepTest extends BridgeTestSupport {

    @Autowired
    ProducerTemplate producer;
    @Autowired
    JdbcTemplate jdbc;

    /** Sweeps start from here on: what the test loaded before is not swept, only what it edits next. */
    void sweepFromNow() {
        // the shared sandbox holds other tests' deals: this test's sweeps read only what changes from here on, by the
        // org's clock (other tests move it)
        // (a millisecond back: Salesforce stamps SystemModstamp to the millisecond, so an edit in the same millisecond
        // as this instant is stamped before it, and the sweep, which reads what is newer than its mark, would miss it)
        Instant orgNow = INFRA.salesforce().clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusMillis(1);
        for (String object : List.of("Opportunity", "OpportunityLineItem", "Account")) {
            jdbc.update("""
                    INSERT INTO salesforce_sweep_position (object_name, high_water_mark) VALUES (?, ?)
                    ON CONFLICT (object_name) DO UPDATE SET high_water_mark = EXCLUDED.high_water_mark
                    """, object, Timestamp.from(orgNow));
        }
    }

    @Test
    void aLineItemOnlyEditIsSweptAndTheHeldDealSyncs() throws Exception {
        String opportunity = "006Dn000SweepLnAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn000SweepLnAAA");
        Map<String, Object> subscriptionLine = lineItems(deal).get(1);
        subscriptionLine.put("ServiceDate", "2026-02-01");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Requires Review");
        assertThat((String) INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Error__c"))
                .contains("the subscription starts 2026-02-01 but the contract on 2026-01-01");

        sweepFromNow();
        int events = INFRA.salesforce().eventCount();
        INFRA.salesforce().editAsSalesRep("OpportunityLineItem", (String) subscriptionLine.get("Id"),
                Map.of("ServiceDate", "2026-01-01"));
        assertThat(INFRA.salesforce().eventCount()).as("no change event for a line item").isEqualTo(events);
        Thread.sleep(1000);
        assertThat(INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Status__c")).isEqualTo("Requires Review");

        sweep();
        awaitSyncStatus(opportunity, "Synced");
        sweep();   // the same change swept again is applied once
        awaitQuiet();
        assertThat(stripeSubscriptionsOf(opportunity)).isEqualTo(1);
        assertThat(INFRA.erp().records("salesOrder")).filteredOn(o -> opportunity.equals(o.get("externalId"))).hasSize(1);
    }

    @Test
    void anAccountOnlyEditIsSweptAndTheHeldDealSyncs() throws Exception {
        String opportunity = "006Dn000SweepAcAAA";
        String account = "001Dn000SweepAcAAA";
        Map<String, Object> deal = seedDeal(opportunity, account);
        account(deal).put("BillingCountry", "DE");
        opportunity(deal).put("CurrencyIsoCode", "EUR");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Requires Review");

        sweepFromNow();
        int events = INFRA.salesforce().eventCount();
        INFRA.salesforce().editAsSalesRep("Account", account, Map.of("Tax_Id__c", "DE123456789"));
        assertThat(INFRA.salesforce().eventCount()).as("no change event for an Account").isEqualTo(events);

        sweep();
        awaitSyncStatus(opportunity, "Synced");
        assertThat(INFRA.erp().byExternalId("customer", account)).hasValueSatisfying(customer ->
                assertThat(customer.get("vatRegNumber")).isEqualTo("DE123456789"));
        assertThat(trace(opportunity).get("status")).isEqualTo("Synced");
    }

    private void sweep() {
        producer.sendBody("direct:salesforce-sweep", null);
    }

    private void awaitQuiet() throws InterruptedException {
        Thread.sleep(2000);
    }

    @SuppressWarnings("unchecked")
    private static long stripeSubscriptionsOf(String opportunityId) {
        return INFRA.stripe().objects("subscriptions").stream()
                .filter(o -> opportunityId.equals(((Map<String, Object>) o.getOrDefault("metadata", Map.of()))
                        .get("sf_opportunity_id")))
                .count();
    }
}
