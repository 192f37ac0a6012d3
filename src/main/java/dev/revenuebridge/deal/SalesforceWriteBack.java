package dev.revenuebridge.deal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * The fields the bridge writes on the Opportunity. Only integration-owned fields (ids, status, sync time, error):
 * deal terms belong to Salesforce and are never written.
 */
@Component("salesforceWriteBack")
public class SalesforceWriteBack {

    public static final int SYNC_ERROR_MAX = 255;

    private final Clock clock;

    public SalesforceWriteBack(Clock clock) {
        this.clock = clock;
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
        return fields;
    }

    public Map<String, Object> failed(@Header("syncError") String reason) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Sync_Status__c", "Failed");
        String text = reason == null ? "unknown error" : reason;
        fields.put("Sync_Error__c", text.length() > SYNC_ERROR_MAX ? text.substring(0, SYNC_ERROR_MAX - 1) + "…" : text);
        fields.put("Last_Sync__c", now());
        return fields;
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
