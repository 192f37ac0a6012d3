package dev.revenuebridge.deal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.mapping.MappingCatalog;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Reads the Opportunity, its line items and its Account, as Salesforce REST returned them, into a {@link ClosedWonDeal},
 * field by field through mappings/salesforce-fields.yaml. Also writes the SOQL the fetch route runs, from the same map.
 */
@Component("dealAssembler")
public class DealAssembler {

    private final MappingCatalog mappings;
    private final ObjectMapper json;

    public DealAssembler(MappingCatalog mappings, ObjectMapper json) {
        this.mappings = mappings;
        // amounts are read as BigDecimal straight from the JSON text, never through a double
        this.json = json.copy().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /** The Opportunity fields to fetch, comma separated, for the sObject GET's {@code fields} parameter. */
    public String opportunityFields() {
        return String.join(",", new LinkedHashSet<>(mappings.salesforceFields("opportunity")));
    }

    /** The Account fields to fetch. */
    public String accountFields() {
        return String.join(",", new LinkedHashSet<>(mappings.salesforceFields("account")));
    }

    /** SOQL for the Opportunity's line items, selecting exactly the mapped fields. */
    public String lineItemQuery(@Header("opportunityId") String opportunityId) {
        if (opportunityId == null || !opportunityId.matches("[A-Za-z0-9]{15,18}")) {
            throw new IllegalArgumentException("not a Salesforce Opportunity id: " + opportunityId);
        }
        Set<String> fields = new LinkedHashSet<>(mappings.salesforceFields("lineItem"));
        return "SELECT " + String.join(", ", fields) + " FROM OpportunityLineItem WHERE OpportunityId = '"
                + opportunityId + "' ORDER BY Id";
    }

    /**
     * A deal in the shape of shared/examples/seed-120k-deal.json ({@code opportunity}, {@code lineItems} with
     * {@code Product2}, {@code account}): what the deal-desk preview takes. The records have the shapes Salesforce REST
     * returns, so they are read exactly as a fetched deal is.
     */
    public ClosedWonDeal fromSeed(JsonNode seed) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode lineItems = json.createObjectNode();
        lineItems.set("records", seed.path("lineItems"));
        return assemble(json.writeValueAsString(seed.path("opportunity")), json.writeValueAsString(lineItems),
                json.writeValueAsString(seed.path("account")));
    }

    /** Parses a seed-shaped deal from its JSON text, amounts as decimals. */
    public JsonNode readSeed(String text) throws IOException {
        return json.readTree(text);
    }

    /** Whether the Opportunity, as fetched now, is won (it may have been reopened since its change event). */
    public boolean isWon(@ExchangeProperty("opportunityJson") String opportunityJson) throws IOException {
        return "true".equalsIgnoreCase(text(json.readTree(opportunityJson), "opportunity", "won"));
    }

    /** The Opportunity's type (New Business, Renewal, ...), as the router reads it. */
    public String opportunityType(@ExchangeProperty("opportunityJson") String opportunityJson) throws IOException {
        String type = text(json.readTree(opportunityJson), "opportunity", "type");
        return type == null ? "New Business" : type;
    }

    /** Whether finance approved the deal's billing in Salesforce (Billing_Approved__c). */
    public boolean isBillingApproved(@ExchangeProperty("opportunityJson") String opportunityJson) throws IOException {
        return "true".equalsIgnoreCase(text(json.readTree(opportunityJson), "opportunity", "billingApproved"));
    }

    /** The Opportunity's Account id, to fetch the Account next. */
    public String accountIdOf(@ExchangeProperty("opportunityJson") String opportunityJson) throws IOException {
        JsonNode opp = json.readTree(opportunityJson);
        String accountId = text(opp, "opportunity", "accountId");
        if (accountId == null) {
            throw new DealRejectedException(text(opp, "opportunity", "id"), List.of("The Opportunity has no Account"));
        }
        return accountId;
    }

    public ClosedWonDeal assemble(@ExchangeProperty("opportunityJson") String opportunityJson,
                                  @ExchangeProperty("lineItemsJson") String lineItemsJson,
                                  @ExchangeProperty("accountJson") String accountJson) throws IOException {
        JsonNode opp = json.readTree(opportunityJson);
        JsonNode account = json.readTree(accountJson);
        List<ClosedWonDeal.DealLine> lines = new ArrayList<>();
        for (JsonNode line : json.readTree(lineItemsJson).path("records")) {
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
        }
        return new ClosedWonDeal(
                text(opp, "opportunity", "id"),
                text(opp, "opportunity", "name"),
                text(opp, "opportunity", "accountId"),
                text(opp, "opportunity", "version"),
                date(opp, "opportunity", "closeDate"),
                date(opp, "opportunity", "contractStart"),
                date(opp, "opportunity", "contractEnd"),
                text(opp, "opportunity", "billingCadence"),
                text(opp, "opportunity", "paymentTerms"),
                text(opp, "opportunity", "paymentMethod"),
                text(opp, "opportunity", "currency"),
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
