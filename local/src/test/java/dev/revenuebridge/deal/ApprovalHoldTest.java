package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.sandbox.salesforce.SalesforceSandbox;
import dev.revenuebridge.support.BridgeTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Non-standard billing is held as Pending Approval until finance approves it, through the ops API or in Salesforce;
 * the audit log says who approved what, when, and which downstream records followed. Four eyes: whoever closed the deal
 * in Salesforce does not approve its billing, in the ops API or in Salesforce.
 */
class ApprovalHoldTest extends BridgeTestSupport {

    /** A finance user of the org who is not the sales rep. */
    static final String FINANCE_USER = "005Dn00000FinanceAAA";

    /** A finance user of the bridge who is also the sales rep that closes the sandbox's deals. */
    @DynamicPropertySource
    static void aFinanceUserWhoSells(DynamicPropertyRegistry registry) {
        registry.add("revenue.security.users.rep.password", () -> "{bcrypt}" + new BCryptPasswordEncoder(4).encode("rep"));
        registry.add("revenue.security.users.rep.roles", () -> "finance");
        registry.add("revenue.security.users.rep.salesforce-user-id", () -> SalesforceSandbox.SALES_REP_ID);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLargeDiscountWaitsForApprovalThroughTheApi() {
        String opportunity = "006Dn0000ApprovAAA";
        INFRA.salesforce().loadDeal(discounted(opportunity, "001Dn0000ApprovAAA"), true);
        awaitSyncStatus(opportunity, "Pending Approval");
        assertThat((String) INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Error__c"))
                .contains("20% discount, above the 15%");
        assertThat(INFRA.stripe().objects("subscriptions")).noneMatch(s -> String.valueOf(s.get("metadata")).contains(opportunity));

        // only finance approves, and not the person who closed the deal; the approver is who signed in, whatever the
        // body claims
        ResponseEntity<Map> byTheCloser = as("rep").postForEntity("/api/approvals/" + opportunity, Map.of("comment", "mine"), Map.class);
        assertThat(byTheCloser.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat((String) byTheCloser.getBody().get("error")).contains("you closed this deal in Salesforce");
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

        // the rep who closed it approves it: four eyes, refused (the deal stays held)
        INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, Map.of("Billing_Approved__c", true));
        await().atMost(Duration.ofSeconds(20)).until(() -> ((List<Map<String, Object>>) trace(opportunity).get("auditLog"))
                .stream().anyMatch(e -> "approval-refused".equals(e.get("action"))));
        assertThat(INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Status__c")).isEqualTo("Pending Approval");

        // finance approves in Salesforce
        INFRA.salesforce().editAs(FINANCE_USER, "Opportunity", opportunity, Map.of("Billing_Approved__c", false));
        INFRA.salesforce().editAs(FINANCE_USER, "Opportunity", opportunity, Map.of("Billing_Approved__c", true));
        awaitSyncStatus(opportunity, "Synced");
        List<Map<String, Object>> audit = (List<Map<String, Object>>) trace(opportunity).get("auditLog");
        assertThat(audit).filteredOn(e -> "billing-approval".equals(e.get("action"))).singleElement().satisfies(entry -> {
            assertThat((String) entry.get("actor")).contains(FINANCE_USER);
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
