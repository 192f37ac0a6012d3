package dev.revenuebridge.salesforce;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.DealRejectedException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.plan.DealFacts;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Reads the Opportunity, its line items and its Account, as one SOQL query returned them, into a {@link ClosedWonDeal},
 * field by field through mappings/salesforce-fields.yaml. Also writes that query, from the same map.
 */
@Component("dealAssembler")
public class DealAssembler {

    /** The child relationship of an Opportunity's line items, as a subquery names it. */
    static final String LINE_ITEMS = "OpportunityLineItems";
    private static final String MODSTAMP = "SystemModstamp";

    private final MappingCatalog mappings;
    private final ObjectMapper json;
    private final String corporateCurrency;

    public DealAssembler(MappingCatalog mappings, ObjectMapper json,
                         @org.springframework.beans.factory.annotation.Value("${revenue.salesforce.corporate-currency:}")
                         String corporateCurrency) {
        this.mappings = mappings;
        this.corporateCurrency = corporateCurrency == null || corporateCurrency.isBlank() ? null
                : corporateCurrency.trim().toUpperCase(java.util.Locale.ROOT);
        // amounts are read as BigDecimal straight from the JSON text, never through a double
        this.json = json.copy().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /**
     * The one SOQL query that reads a deal: the Opportunity's mapped fields, its Account's through the {@code Account}
     * relationship and its line items as a parent-to-child subquery, so a deal costs one API call to read
     * (SOQL and SOSL Reference, "Relationship Queries").
     */
    public String dealQuery(@Header("opportunityId") String opportunityId) {
        if (opportunityId == null || !opportunityId.matches("[A-Za-z0-9]{15,18}")) {
            throw new IllegalArgumentException("not a Salesforce Opportunity id: " + opportunityId);
        }
        Set<String> fields = new LinkedHashSet<>(mappings.salesforceFields("opportunity"));
        fields.add("AccountId");
        for (String field : mappings.salesforceFields("account")) {
            fields.add("Account." + field);
        }
        fields.add("Account." + MODSTAMP);
        Set<String> lineFields = new LinkedHashSet<>(mappings.salesforceFields("lineItem"));
        lineFields.add(MODSTAMP);
        return "SELECT " + String.join(", ", fields) + ", (SELECT " + String.join(", ", lineFields)
                + " FROM OpportunityLineItems ORDER BY Id) FROM Opportunity WHERE Id = '" + opportunityId + "'";
    }

    /**
     * The Opportunity record of a {@link #dealQuery} answer, as JSON text (its Account and line items nested in it).
     * No record means the Opportunity is gone (deleted, or not visible to the integration user).
     */
    public String opportunityRecord(@Header("opportunityId") String opportunityId, @Body String queryResult)
            throws IOException {
        JsonNode records = json.readTree(queryResult).path("records");
        if (records.size() != 1) {
            throw new DealRejectedException(opportunityId, List.of("The Opportunity does not exist or the integration"
                    + " user cannot see it (the query for it returned " + records.size() + " records)"));
        }
        JsonNode lines = records.get(0).path(LINE_ITEMS);
        if (lines.isObject() && !lines.path("done").asBoolean(true)) {
            throw new DealRejectedException(opportunityId, List.of("The Opportunity has more line items than one query"
                    + " returns (" + lines.path("totalSize").asText() + "): split the deal"));
        }
        return json.writeValueAsString(records.get(0));
    }

    /**
     * A deal in the shape of shared/examples/seed-120k-deal.json ({@code opportunity}, {@code lineItems} with
     * {@code Product2}, {@code account}): what the deal-desk preview takes. The records have the shapes Salesforce REST
     * returns, so they are read exactly as a fetched deal is.
     */
    public ClosedWonDeal fromSeed(JsonNode seed) throws IOException {
        return fetchedFromSeed(seed).deal();
    }

    /** A seed-shaped deal ({@link #fromSeed}) with the Opportunity's state beside its terms. */
    public Fetched fetchedFromSeed(JsonNode seed) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode opportunity = seed.path("opportunity").isObject()
                ? ((com.fasterxml.jackson.databind.node.ObjectNode) seed.path("opportunity")).deepCopy()
                : json.createObjectNode();
        opportunity.set("Account", seed.path("account"));
        com.fasterxml.jackson.databind.node.ObjectNode lineItems = json.createObjectNode();
        lineItems.set("records", seed.path("lineItems"));
        opportunity.set(LINE_ITEMS, lineItems);
        return fetched(opportunity);
    }

    /** Parses a seed-shaped deal from its JSON text, amounts as decimals. */
    public JsonNode readSeed(String text) throws IOException {
        return json.readTree(text);
    }

    /** A deal as one query read it: its terms and the Opportunity's state beside them. */
    public record Fetched(ClosedWonDeal deal, DealFacts.Opportunity opportunity) {
    }

    /**
     * The deal of a {@link #dealQuery} answer, read once: its terms, whether the Opportunity is won now (it may have
     * been reopened since its change event), its type (New Business, Renewal, ...) and whether finance approved its
     * billing in Salesforce (Billing_Approved__c).
     */
    public Fetched read(@Header("opportunityId") String opportunityId, @Body String queryResult) throws IOException {
        return fetched(json.readTree(opportunityRecord(opportunityId, queryResult)));
    }

    private Fetched fetched(JsonNode opportunity) {
        return new Fetched(assemble(opportunity), new DealFacts.Opportunity(
                "true".equalsIgnoreCase(text(opportunity, "opportunity", "won")),
                text(opportunity, "opportunity", "type"),
                "true".equalsIgnoreCase(text(opportunity, "opportunity", "billingApproved"))));
    }

    /**
     * The deal from the Opportunity record of a {@link #dealQuery} answer. Its version is the newest SystemModstamp of
     * the Opportunity, its line items and its Account, so an edit of a line or of the Account alone is a newer version.
     */
    public ClosedWonDeal assemble(String opportunityJson) throws IOException {
        return assemble(json.readTree(opportunityJson));
    }

    private ClosedWonDeal assemble(JsonNode opp) {
        JsonNode account = opp.path("Account");
        if (!account.isObject()) {
            throw new DealRejectedException(text(opp, "opportunity", "id"), List.of("The Opportunity has no Account"));
        }
        List<ClosedWonDeal.DealLine> lines = new ArrayList<>();
        String version = optionalText(opp, "opportunity", "version");
        for (JsonNode line : opp.path(LINE_ITEMS).path("records")) {
            lines.add(new ClosedWonDeal.DealLine(
                    text(line, "lineItem", "id"),
                    text(line, "lineItem", "productCode"),
                    text(line, "lineItem", "productName"),
                    decimal(line, "lineItem", "quantity"),
                    decimal(line, "lineItem", "unitPrice"),
                    decimal(line, "lineItem", "discount"),
                    decimal(line, "lineItem", "totalPrice"),
                    integer(line, "lineItem", "termMonths"),
                    date(line, "lineItem", "serviceDate"),
                    text(line, "lineItem", "description")));
            version = newer(version, line.path(MODSTAMP));
        }
        version = newer(version, account.path(MODSTAMP));
        return new ClosedWonDeal(
                text(opp, "opportunity", "id"),
                text(opp, "opportunity", "name"),
                text(opp, "opportunity", "accountId"),
                version,
                date(opp, "opportunity", "closeDate"),
                date(opp, "opportunity", "contractStart"),
                date(opp, "opportunity", "contractEnd"),
                text(opp, "opportunity", "billingCadence"),
                text(opp, "opportunity", "paymentTerms"),
                text(opp, "opportunity", "paymentMethod"),
                currency(opp),
                decimal(opp, "opportunity", "amount"),
                new ClosedWonDeal.BillingAccount(
                        text(account, "account", "id"),
                        text(account, "account", "name"),
                        text(account, "account", "street"),
                        text(account, "account", "city"),
                        text(account, "account", "postalCode"),
                        text(account, "account", "state"),
                        text(account, "account", "country"),
                        text(account, "account", "taxId"),
                        text(account, "account", "billingEmail")),
                List.copyOf(lines));
    }

    /**
     * The deal's currency: the Opportunity's {@code CurrencyIsoCode} in an org with multiple currencies; in an org
     * without (no such field; {@code currency} not mapped) the org's corporate currency,
     * {@code revenue.salesforce.corporate-currency}.
     */
    private String currency(JsonNode opp) {
        if (mappings.salesforceFieldMapped("opportunity", "currency")) {
            String currency = text(opp, "opportunity", "currency");
            if (currency != null) {
                return currency;
            }
        }
        return corporateCurrency;
    }

    /** The later of two Salesforce datetimes (SystemModstamp), as the text Salesforce wrote. */
    private static String newer(String current, JsonNode candidate) {
        if (candidate == null || !candidate.isTextual()) {
            return current;
        }
        if (current == null) {
            return candidate.asText();
        }
        java.time.Instant a = dev.revenuebridge.plan.ContractTerms.modstamp(current);
        java.time.Instant b = dev.revenuebridge.plan.ContractTerms.modstamp(candidate.asText());
        return a == null || (b != null && b.isAfter(a)) ? candidate.asText() : current;
    }

    private String optionalText(JsonNode record, String section, String canonical) {
        return mappings.salesforceFieldMapped(section, canonical) ? text(record, section, canonical) : null;
    }

    private JsonNode node(JsonNode record, String section, String canonical) {
        JsonNode node = record;
        for (String part : mappings.salesforceField(section, canonical).split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null || node.isNull() ? null : node;
    }

    private String text(JsonNode record, String section, String canonical) {
        JsonNode node = node(record, section, canonical);
        return node == null || node.asText().isBlank() ? null : node.asText();
    }

    private BigDecimal decimal(JsonNode record, String section, String canonical) {
        JsonNode node = node(record, section, canonical);
        if (node == null) return null;
        if (node.isNumber()) {
            return node.decimalValue();
        }
        try {
            return new BigDecimal(node.asText());
        } catch (NumberFormatException e) {
            throw new DealRejectedException(record.path("Id").asText(), List.of(
                    mappings.salesforceField(section, canonical) + " is not a number: '" + node.asText() + "'"));
        }
    }

    private Integer integer(JsonNode record, String section, String canonical) {
        BigDecimal value = decimal(record, section, canonical);
        if (value == null) return null;
        try {
            return value.intValueExact();
        } catch (ArithmeticException e) {
            throw new DealRejectedException(record.path("Id").asText(), List.of(
                    mappings.salesforceField(section, canonical) + " must be a whole number, not " + value.toPlainString()));
        }
    }

    private LocalDate date(JsonNode record, String section, String canonical) {
        String value = text(record, section, canonical);
        if (value == null) return null;
        try {
            return LocalDate.parse(value.length() > 10 ? value.substring(0, 10) : value);
        } catch (DateTimeParseException e) {
            throw new DealRejectedException(record.path("Id").asText(), List.of(
                    mappings.salesforceField(section, canonical) + " is not a date: '" + value + "'"));
        }
    }
}
