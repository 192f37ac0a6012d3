package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.support.BridgeTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Non-standard billing is held as Pending Approval until finance approves it, through the ops API or in Salesforce;
 * the audit log says who approved what, when, and which downstream records followed.
 */
class ApprovalHoldTest extends BridgeTestSupport {

    @Test
    @SuppressWarnings("unchecked")
    void aLargeDiscountWaitsForApprovalThroughTheApi() {
        String opportunity = "006Dn0000ApprovAAA";
        INFRA.salesforce().loadDeal(discounted(opportunity, "001Dn0000ApprovAAA"), true);
        awaitSyncStatus(opportunity, "Pending Approval");
        assertThat((String) INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Error__c"))
                .contains("20% discount, above the 15%");
        assertThat(INFRA.stripe().objects("subscriptions")).noneMatch(s -> String.valueOf(s.get("metadata")).contains(opportunity));

        // only finance approves; the approver is who signed in, whatever the body claims
        assertThat(as(null).postForEntity("/api/approvals/" + opportunity, Map.of("comment", "ok"), Map.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(as("operator").postForEntity("/api/approvals/" + opportunity, Map.of("comment", "ok"), Map.class)
                .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<Map> approved = as("finance").postForEntity("/api/approvals/" + opportunity,
                Map.of("approver", "cfo@revenue-bridge.example", "comment", "strategic logo"), Map.class);
        assertThat(approved.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(approved.getBody()).containsEntry("approvedBy", "finance");
        awaitSyncStatus(opportunity, "Synced");

        // Stripe bills the discounted price: 80,000 over 10 months
        Map<String, Object> subscription = INFRA.stripe().objects("subscriptions").stream()
                .filter(s -> String.valueOf(s.get("metadata")).contains(opportunity)).findFirst().orElseThrow();
        Map<String, Object> item = ((List<Map<String, Object>>) ((Map<String, Object>) subscription.get("items")).get("data")).get(0);
        assertThat(((Number) ((Map<String, Object>) item.get("price")).get("unit_amount")).longValue()).isEqualTo(800_000L);

        Map<String, Object> trace = trace(opportunity);
        List<Map<String, Object>> audit = (List<Map<String, Object>>) trace.get("auditLog");
        assertThat(audit).singleElement().satisfies(entry -> {
            assertThat(entry.get("action")).isEqualTo("billing-approval");
            assertThat(entry.get("actor")).isEqualTo("finance");
            assertThat(entry.get("comment")).isEqualTo("strategic logo");
            assertThat((String) entry.get("approvedValues")).contains("20% discount");
            assertThat((String) entry.get("downstreamRecords")).contains((String) subscription.get("id"));
        });
        assertThat(as("finance").postForEntity("/api/approvals/" + opportunity, Map.of("comment", "again"), Map.class)
                .getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    }

    @Test
    @SuppressWarnings("unchecked")
    void approvalInSalesforceReleasesTheDeal() {
        String opportunity = "006Dn0000ApprSfAAA";
        INFRA.salesforce().loadDeal(discounted(opportunity, "001Dn0000ApprSfAAA"), true);
        awaitSyncStatus(opportunity, "Pending Approval");

        INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, Map.of("Billing_Approved__c", true));
        awaitSyncStatus(opportunity, "Synced");
        List<Map<String, Object>> audit = (List<Map<String, Object>>) trace(opportunity).get("auditLog");
        assertThat(audit).singleElement().satisfies(entry -> {
            assertThat((String) entry.get("actor")).contains("005Dn00000SalesRepAAA");
            assertThat((String) entry.get("originalValues")).contains("80000");
        });
    }

    static Map<String, Object> discounted(String opportunityId, String accountId) {
        Map<String, Object> deal = seedDeal(opportunityId, accountId);
        opportunity(deal).put("Amount", 100000.00);
        Map<String, Object> platform = lineItems(deal).get(1);
        platform.put("Discount", 20);
        platform.put("TotalPrice", 80000.00);
        return deal;
    }
}
