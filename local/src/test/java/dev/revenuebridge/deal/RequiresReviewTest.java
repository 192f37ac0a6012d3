package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.support.BridgeTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A deal the validation gate refuses: no Stripe or ERP call, an open exception, Requires Review with every reason on
 * the Opportunity and in the trace; fixed by the sales rep in Salesforce, it is evaluated again and syncs.
 */
class RequiresReviewTest extends BridgeTestSupport {

    static final String OPPORTUNITY = "006Dn0000ReviewAAA";

    @Test
    @SuppressWarnings("unchecked")
    void anInvalidDealShowsEveryReasonAndSyncsOnceFixed() {
        Map<String, Object> deal = seedDeal(OPPORTUNITY, "001Dn0000ReviewAAA");
        opportunity(deal).put("Payment_Terms__c", "Net 97");
        opportunity(deal).put("Amount", 125000.00);
        account(deal).put("BillingCountry", "DE");
        opportunity(deal).put("CurrencyIsoCode", "EUR");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(OPPORTUNITY, "Requires Review");

        String syncError = (String) INFRA.salesforce().record("Opportunity", OPPORTUNITY).get("Sync_Error__c");
        assertThat(syncError.split("\n")).containsExactly(
                "Line totals add up to 120000.00 but Amount is 125000.00",
                "Payment terms 'Net 97' are unknown (known: see mappings/payment-terms.yaml)",
                "Billing country DE requires a VAT ID (Account.Tax_Id__c is empty)");
        Map<String, Object> trace = trace(OPPORTUNITY);
        assertThat(trace.get("status")).isEqualTo("Requires Review");
        assertThat((String) trace.get("lastError")).contains("Net 97").contains("VAT ID");
        List<Map<String, Object>> exceptions = (List<Map<String, Object>>) trace.get("exceptions");
        assertThat(exceptions).singleElement().satisfies(e -> {
            assertThat(e.get("kind")).isEqualTo("validation");
            assertThat(e.get("status")).isEqualTo("open");
            assertThat((List<String>) e.get("reasons")).hasSize(3);
        });
        assertThat(INFRA.stripe().objects("customers")).noneMatch(c -> String.valueOf(c.get("metadata")).contains(OPPORTUNITY));
        assertThat(INFRA.erp().byExternalId("salesOrder", OPPORTUNITY)).isEmpty();

        // the rep fixes the deal in Salesforce: the customer is billed from its US entity, in USD, Net 30 (the Account
        // edit emits no Opportunity event of its own; the Opportunity edit does)
        INFRA.salesforce().editAsSalesRep("Account", "001Dn0000ReviewAAA", Map.of("BillingCountry", "US"));
        INFRA.salesforce().editAsSalesRep("Opportunity", OPPORTUNITY,
                Map.of("Payment_Terms__c", "Net 30", "Amount", 120000.00, "CurrencyIsoCode", "USD"));
        awaitSyncStatus(OPPORTUNITY, "Synced");

        Map<String, Object> synced = trace(OPPORTUNITY);
        assertThat(synced.get("status")).isEqualTo("Synced");
        assertThat((List<Map<String, Object>>) synced.get("exceptions"))
                .singleElement().satisfies(e -> assertThat(e.get("status")).isEqualTo("resolved"));
        assertThat(INFRA.erp().byExternalId("salesOrder", OPPORTUNITY)).hasValueSatisfying(order ->
                assertThat(((Map<String, Object>) order.get("currency")).get("id")).isEqualTo("1"));
        assertThat(INFRA.salesforce().record("Opportunity", OPPORTUNITY).get("Sync_Error__c")).isNull();
    }

    @Test
    void aTermClearedInSalesforceIsAChangeAndHoldsTheSyncedDealForReview() {
        String opportunity = "006Dn0ReviewClrAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0ReviewClrAAA"), true);
        awaitSyncStatus(opportunity, "Synced");

        // the rep empties the billing cadence: the change event carries null for it, as for every unchanged field;
        // only the header's changedFields / nulledFields bitmaps say that it was cleared
        java.util.Map<String, Object> cleared = new java.util.HashMap<>();
        cleared.put("Billing_Cadence__c", null);
        INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, cleared);
        awaitSyncStatus(opportunity, "Requires Review");
        assertThat((String) INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Error__c"))
                .containsIgnoringCase("billing cadence");
    }
}
