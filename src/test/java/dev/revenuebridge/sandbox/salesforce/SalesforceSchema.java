package dev.revenuebridge.sandbox.salesforce;

import java.util.Map;
import java.util.Set;

/**
 * The sandbox org's describe: which fields each sObject has, which the API may write, and the key prefixes of ids.
 * A write or a query naming a field outside this list fails as in a real org (INVALID_FIELD).
 */
final class SalesforceSchema {

    private SalesforceSchema() {
    }

    /** Fields the bridge writes back (integration-owned) plus the ones sales reps edit. */
    static final Map<String, Set<String>> FIELDS = Map.of(
            "Account", Set.of("Id", "Name", "BillingStreet", "BillingCity", "BillingPostalCode", "BillingState",
                    "BillingCountry", "Tax_Id__c", "Billing_Email__c", "CurrencyIsoCode", "SystemModstamp",
                    "LastModifiedDate", "CreatedDate"),
            "Opportunity", Set.of("Id", "Name", "StageName", "IsWon", "IsClosed", "Type", "CloseDate", "Amount",
                    "CurrencyIsoCode", "AccountId", "Contract_Start_Date__c", "Contract_End_Date__c",
                    "Billing_Cadence__c", "Payment_Terms__c", "Payment_Method__c", "Product_Line__c",
                    "SystemModstamp", "LastModifiedDate", "CreatedDate", "Billing_Approved__c",
                    "Stripe_Customer_Id__c", "Stripe_Subscription_Id__c", "Stripe_Invoice_Id__c",
                    "ERP_Customer_Id__c", "ERP_Sales_Order_Id__c", "Sync_Status__c", "Sync_Error__c", "Last_Sync__c",
                    "Invoice_Number__c", "Invoice_Status__c", "Payment_Date__c", "Outstanding_Balance__c"),
            "OpportunityLineItem", Set.of("Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "Discount",
                    "TotalPrice", "ServiceDate", "Description", "Subscription_Term__c", "SystemModstamp"),
            "Product2", Set.of("Id", "ProductCode", "Name", "IsActive", "SystemModstamp"));

    /** Fields no API call may write: system and formula fields. */
    static final Set<String> READ_ONLY = Set.of("Id", "IsWon", "IsClosed", "SystemModstamp", "LastModifiedDate",
            "CreatedDate", "TotalPrice");

    /** Relationship name -> (lookup field, target object), per object. */
    static final Map<String, Map<String, String[]>> RELATIONSHIPS = Map.of(
            "OpportunityLineItem", Map.of("Product2", new String[] {"Product2Id", "Product2"},
                    "Opportunity", new String[] {"OpportunityId", "Opportunity"}),
            "Opportunity", Map.of("Account", new String[] {"AccountId", "Account"}));

    static final Map<String, String> KEY_PREFIX = Map.of(
            "Account", "001", "Opportunity", "006", "OpportunityLineItem", "00k", "Product2", "01t");

    static boolean knownObject(String type) {
        return FIELDS.containsKey(type);
    }

    static boolean hasField(String type, String field) {
        Set<String> fields = FIELDS.get(type);
        return fields != null && fields.stream().anyMatch(f -> f.equalsIgnoreCase(field));
    }

    /** The field's canonical spelling (SOQL and the REST API are case-insensitive on names). */
    static String canonical(String type, String field) {
        return FIELDS.get(type).stream().filter(f -> f.equalsIgnoreCase(field)).findFirst().orElse(field);
    }
}
