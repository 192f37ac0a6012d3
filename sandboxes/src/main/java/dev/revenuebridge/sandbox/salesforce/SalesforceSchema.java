package dev.revenuebridge.sandbox.salesforce;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The sandbox org's describe: which fields each sObject has, which the API may write, the fields' SOQL types, the
 * relationships (child-to-parent lookups and parent-to-child relationships) and the key prefixes of ids. A write or a
 * query naming a field outside this list fails as in a real org (INVALID_FIELD).
 *
 * <p>The field list depends on the org's shape, so a schema is per sandbox instance:
 * <ul>
 *   <li>{@code CurrencyIsoCode} exists only in a multicurrency org (shared/notes/real-systems.md; the Object
 *       Reference for the Salesforce Platform, "CurrencyType": "not available in single-currency organizations");</li>
 *   <li>with state and country/territory picklists, Account carries {@code BillingCountryCode} and
 *       {@code BillingStateCode} (ISO codes) besides the {@code BillingCountry} and {@code BillingState} names
 *       (Salesforce Help, "Standard Countries and Territories for Address Picklists",
 *       help.salesforce.com xcloud.admin_state_country_picklists_standard_countries.htm: ISO code and name).</li>
 * </ul>
 */
final class SalesforceSchema {

    /** Fields every org has: what the bridge writes back (integration-owned) plus what sales reps edit. */
    private static final Map<String, Set<String>> BASE_FIELDS = Map.of(
            "Account", Set.of("Id", "Name", "BillingStreet", "BillingCity", "BillingPostalCode", "BillingState",
                    "BillingCountry", "Tax_Id__c", "Billing_Email__c", "SystemModstamp", "LastModifiedDate",
                    "LastModifiedById", "CreatedDate"),
            "Opportunity", Set.of("Id", "Name", "StageName", "IsWon", "IsClosed", "Type", "CloseDate", "Amount",
                    "AccountId", "Contract_Start_Date__c", "Contract_End_Date__c",
                    "Billing_Cadence__c", "Payment_Terms__c", "Payment_Method__c", "Product_Line__c",
                    "SystemModstamp", "LastModifiedDate", "LastModifiedById", "CreatedDate", "Billing_Approved__c",
                    "Stripe_Customer_Id__c", "Stripe_Subscription_Id__c", "Stripe_Invoice_Id__c",
                    "ERP_Customer_Id__c", "ERP_Sales_Order_Id__c", "Sync_Status__c", "Sync_Error__c", "Last_Sync__c",
                    "Invoice_Number__c", "Invoice_Status__c", "Payment_Date__c", "Outstanding_Balance__c"),
            "OpportunityLineItem", Set.of("Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "Discount",
                    "TotalPrice", "ServiceDate", "Description", "Subscription_Term__c", "SystemModstamp",
                    "LastModifiedDate", "LastModifiedById", "CreatedDate"),
            "Product2", Set.of("Id", "ProductCode", "Name", "IsActive", "SystemModstamp", "LastModifiedDate"));

    /** Objects that get CurrencyIsoCode in a multicurrency org (those of the sandbox with currency fields). */
    private static final Set<String> CURRENCY_OBJECTS = Set.of("Account", "Opportunity");

    /** Fields no API call may write: system, audit and formula fields. */
    static final Set<String> READ_ONLY = Set.of("Id", "IsWon", "IsClosed", "SystemModstamp", "LastModifiedDate",
            "LastModifiedById", "CreatedDate", "TotalPrice");

    /** Fields whose SOQL type is not text (the rest are strings, ids and picklists). */
    private static final Map<String, Soql.FieldType> TYPES = Map.ofEntries(
            Map.entry("SystemModstamp", Soql.FieldType.DATETIME),
            Map.entry("LastModifiedDate", Soql.FieldType.DATETIME),
            Map.entry("CreatedDate", Soql.FieldType.DATETIME),
            Map.entry("Last_Sync__c", Soql.FieldType.DATETIME),
            Map.entry("CloseDate", Soql.FieldType.DATE),
            Map.entry("ServiceDate", Soql.FieldType.DATE),
            Map.entry("Contract_Start_Date__c", Soql.FieldType.DATE),
            Map.entry("Contract_End_Date__c", Soql.FieldType.DATE),
            Map.entry("Payment_Date__c", Soql.FieldType.DATE),
            Map.entry("Amount", Soql.FieldType.NUMBER),
            Map.entry("Quantity", Soql.FieldType.NUMBER),
            Map.entry("UnitPrice", Soql.FieldType.NUMBER),
            Map.entry("Discount", Soql.FieldType.NUMBER),
            Map.entry("TotalPrice", Soql.FieldType.NUMBER),
            Map.entry("Subscription_Term__c", Soql.FieldType.NUMBER),
            Map.entry("Outstanding_Balance__c", Soql.FieldType.NUMBER),
            Map.entry("IsWon", Soql.FieldType.BOOLEAN),
            Map.entry("IsClosed", Soql.FieldType.BOOLEAN),
            Map.entry("IsActive", Soql.FieldType.BOOLEAN),
            Map.entry("Billing_Approved__c", Soql.FieldType.BOOLEAN));

    /** A lookup from a child to its parent: the lookup field and the parent object. */
    record Lookup(String field, String target) {
    }

    /** A parent-to-child relationship: the child object and its lookup field to the parent. */
    record ChildRelationship(String childObject, String field) {
    }

    /** Relationship name -> lookup, per object ({@code OpportunityLineItem.Product2} -> Product2Id, Product2). */
    static final Map<String, Map<String, Lookup>> RELATIONSHIPS = Map.of(
            "OpportunityLineItem", Map.of("Product2", new Lookup("Product2Id", "Product2"),
                    "Opportunity", new Lookup("OpportunityId", "Opportunity")),
            "Opportunity", Map.of("Account", new Lookup("AccountId", "Account")));

    /**
     * Child relationship name -> child, per parent object: {@code Opportunity.OpportunityLineItems} is the line items
     * whose OpportunityId is the Opportunity ("SOQL and SOSL Reference: Using Relationship Queries": for standard
     * objects the relationship name is the plural of the child object; Object Reference: OpportunityLineItem).
     */
    static final Map<String, Map<String, ChildRelationship>> CHILD_RELATIONSHIPS = Map.of(
            "Opportunity", Map.of("OpportunityLineItems", new ChildRelationship("OpportunityLineItem", "OpportunityId")));

    static final Map<String, String> KEY_PREFIX = Map.of(
            "Account", "001", "Opportunity", "006", "OpportunityLineItem", "00k", "Product2", "01t");

    private final boolean multiCurrency;
    private final boolean stateAndCountryPicklists;
    private final Map<String, Set<String>> fields;

    /** The describe of an org of the given shape. */
    SalesforceSchema(boolean multiCurrency, boolean stateAndCountryPicklists) {
        this.multiCurrency = multiCurrency;
        this.stateAndCountryPicklists = stateAndCountryPicklists;
        Map<String, Set<String>> all = new LinkedHashMap<>();
        BASE_FIELDS.forEach((type, base) -> {
            Set<String> set = new LinkedHashSet<>(base);
            if (multiCurrency && CURRENCY_OBJECTS.contains(type)) {
                set.add("CurrencyIsoCode");
            }
            if (stateAndCountryPicklists && type.equals("Account")) {
                set.add("BillingCountryCode");
                set.add("BillingStateCode");
            }
            all.put(type, Set.copyOf(set));
        });
        this.fields = Map.copyOf(all);
    }

    boolean multiCurrency() {
        return multiCurrency;
    }

    boolean stateAndCountryPicklists() {
        return stateAndCountryPicklists;
    }

    boolean knownObject(String type) {
        return fields.containsKey(type);
    }

    /** The object's fields (an unmodifiable set). */
    Set<String> fields(String type) {
        return fields.getOrDefault(type, Set.of());
    }

    boolean hasField(String type, String field) {
        return fields(type).stream().anyMatch(f -> f.equalsIgnoreCase(field));
    }

    /** The field's canonical spelling (SOQL and the REST API are case-insensitive on names). */
    String canonical(String type, String field) {
        return fields(type).stream().filter(f -> f.equalsIgnoreCase(field)).findFirst().orElse(field);
    }

    static boolean readOnly(String canonicalField) {
        return READ_ONLY.contains(canonicalField);
    }

    static Soql.FieldType type(String canonicalField) {
        return TYPES.getOrDefault(canonicalField, Soql.FieldType.STRING);
    }

    /** The lookup named {@code relationship} (any case) on {@code type}, with its canonical name; null if none. */
    static Map.Entry<String, Lookup> lookup(String type, String relationship) {
        return RELATIONSHIPS.getOrDefault(type, Map.of()).entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(relationship)).findFirst().orElse(null);
    }

    /** The child relationship named {@code name} (any case) of {@code type}, with its canonical name; null if none. */
    static Map.Entry<String, ChildRelationship> childRelationship(String type, String name) {
        return CHILD_RELATIONSHIPS.getOrDefault(type, Map.of()).entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst().orElse(null);
    }

    /**
     * The sandbox's slice of the standard country/territory and state picklists (Salesforce Help, "Standard Countries
     * and Territories for Address Picklists": ISO code and name), enough for the seeds in src/test/resources/deals/.
     * With the picklists on, an address has both the ISO code ({@code BillingCountryCode}, {@code BillingStateCode})
     * and the name ({@code BillingCountry}, {@code BillingState}).
     */
    static final class AddressPicklists {

        /** ISO 3166-1 alpha-2 code -> country name, as the standard picklist spells it. */
        static final Map<String, String> COUNTRIES = Map.of(
                "US", "United States", "CA", "Canada", "GB", "United Kingdom", "DE", "Germany", "FR", "France",
                "NL", "Netherlands", "IE", "Ireland", "AU", "Australia");

        /** Country code -> (state code -> state name), for the countries whose states the picklist has. */
        static final Map<String, Map<String, String>> STATES = Map.of(
                "US", Map.of("IL", "Illinois", "CA", "California", "NY", "New York", "TX", "Texas",
                        "WA", "Washington", "MA", "Massachusetts", "CO", "Colorado", "GA", "Georgia"),
                "CA", Map.of("ON", "Ontario", "QC", "Quebec", "BC", "British Columbia"),
                "AU", Map.of("NSW", "New South Wales", "VIC", "Victoria"));

        private AddressPicklists() {
        }

        /**
         * Fills the code from the name or the name from the code, for the country and the state of an Account's
         * billing address. A seed may give a code where the name belongs ({@code "BillingCountry": "US"}); the name
         * field then gets the picklist's name, as an org converts text values. Nothing happens when the picklists
         * are off.
         * @throws IllegalArgumentException for a country or state outside the table (extend it for a new seed)
         */
        static void apply(Map<String, Object> account, boolean picklists) {
            if (!picklists) {
                return;
            }
            String country = code(COUNTRIES, (String) account.get("BillingCountryCode"), (String) account.get("BillingCountry"),
                    "country");
            if (country != null) {
                account.put("BillingCountryCode", country);
                account.put("BillingCountry", COUNTRIES.get(country));
            }
            Map<String, String> states = country == null ? Map.of() : STATES.getOrDefault(country, Map.of());
            String state = code(states, (String) account.get("BillingStateCode"), (String) account.get("BillingState"),
                    "state of " + country);
            if (state != null) {
                account.put("BillingStateCode", state);
                account.put("BillingState", states.get(state));
            }
        }

        /** The ISO code for a code or a name (either given), or null when neither is. */
        private static String code(Map<String, String> table, String code, String name, String what) {
            String given = code != null ? code : name;
            if (given == null || given.isBlank()) {
                return null;
            }
            for (Map.Entry<String, String> e : table.entrySet()) {
                if (e.getKey().equalsIgnoreCase(given.trim()) || e.getValue().equalsIgnoreCase(given.trim())) {
                    return e.getKey();
                }
            }
            throw new IllegalArgumentException("'" + given + "' is not a " + what + " of the sandbox's address"
                    + " picklists (SalesforceSchema.AddressPicklists)");
        }
    }
}
