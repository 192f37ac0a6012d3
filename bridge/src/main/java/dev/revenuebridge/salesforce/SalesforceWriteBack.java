package dev.revenuebridge.salesforce;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import dev.revenuebridge.mapping.MappingCatalog;
import org.springframework.stereotype.Component;

/**
 * The fields the bridge writes on the Opportunity. Only the fields mappings/field-ownership.yaml gives the bridge
 * (ids, status, sync time, error): deal terms belong to Salesforce and are never written; a write-back naming any other
 * field is refused here, before it reaches Salesforce.
 */
@Component("salesforceWriteBack")
public class SalesforceWriteBack {

    /** Sync_Error__c is a long text area; the reasons are cut, with an ellipsis, beyond this. */
    public static final int SYNC_ERROR_MAX = 4000;

    private final Clock clock;
    private final MappingCatalog mappings;

    public SalesforceWriteBack(Clock clock, MappingCatalog mappings) {
        this.clock = clock;
        this.mappings = mappings;
    }

    public Map<String, Object> synced(@ExchangeProperty("stripeCustomerId") String stripeCustomerId,
                                      @ExchangeProperty("stripeSubscriptionId") String stripeSubscriptionId,
                                      @ExchangeProperty("stripeInvoiceId") String stripeInvoiceId,
                                      @ExchangeProperty("erpCustomerId") String erpCustomerId,
                                      @ExchangeProperty("erpSalesOrderId") String erpSalesOrderId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Stripe_Customer_Id__c", stripeCustomerId);
        fields.put("Stripe_Subscription_Id__c", stripeSubscriptionId);
        fields.put("Stripe_Invoice_Id__c", stripeInvoiceId);
        fields.put("ERP_Customer_Id__c", erpCustomerId);
        fields.put("ERP_Sales_Order_Id__c", erpSalesOrderId);
        fields.put("Sync_Status__c", "Synced");
        fields.put("Sync_Error__c", null);
        fields.put("Last_Sync__c", now());
        return owned(fields);
    }

    public Map<String, Object> failed(@Header("syncError") String reason) {
        return status("Failed", reason == null ? "unknown error" : reason);
    }

    /** A held deal whose terms are back to the synced ones: Synced again, the error cleared. */
    public Map<String, Object> restored() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Sync_Status__c", "Synced");
        fields.put("Sync_Error__c", null);
        fields.put("Last_Sync__c", now());
        return owned(fields);
    }

    /** A deal the validation gate refused: every reason, one per line, for the sales rep. */
    public Map<String, Object> requiresReview(@ExchangeProperty("plan") dev.revenuebridge.plan.DealPlan plan) {
        return status(plan.syncStatus(), String.join("\n", plan.reasons()));
    }

    /** A valid deal held for billing approval, with what needs approving. */
    public Map<String, Object> pendingApproval(@ExchangeProperty("plan") dev.revenuebridge.plan.DealPlan plan) {
        return status(plan.syncStatus(), String.join("\n", plan.approvalReasons()));
    }

    private Map<String, Object> status(String status, String text) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Sync_Status__c", status);
        fields.put("Sync_Error__c", text.length() > SYNC_ERROR_MAX ? text.substring(0, SYNC_ERROR_MAX - 1) + "…" : text);
        fields.put("Last_Sync__c", now());
        return owned(fields);
    }

    /** Refuses to write a field the bridge does not own (the deal's and the cash side's write-backs alike). */
    public Map<String, Object> owned(@org.apache.camel.Body Map<String, Object> fields) {
        for (String field : fields.keySet()) {
            if (!mappings.bridgeOwnedFields().contains(field)) {
                throw new IllegalStateException("the bridge does not own Opportunity." + field
                        + " (mappings/field-ownership.yaml) and never writes it");
            }
        }
        return fields;
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
