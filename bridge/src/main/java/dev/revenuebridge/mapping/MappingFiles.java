package dev.revenuebridge.mapping;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The shape of each file in {@code mappings/}, as typed records: every key a file may hold. A file is bound to its
 * shape before it is read, so a key the bridge does not know (a typo such as {@code standrd:} for {@code standard:},
 * which would otherwise silently leave a cadence non-standard) is an error naming the file, the key's path and the
 * keys allowed there. Keys under which users name their own entries (product codes, term names, countries,
 * currencies) are maps; everything else is a record component.
 */
final class MappingFiles {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private MappingFiles() {
    }

    record ProductsFile(Map<String, ProductEntry> products) {
    }

    record ProductEntry(String name, String billing, String interval, String recognition, StripeProduct stripe,
                        ErpItem erp, Map<String, String> standaloneSellingPrice) {
    }

    record StripeProduct(String product) {
    }

    record ErpItem(String item, String revenueAccount, String deferredRevenueAccount) {
    }

    record PaymentTermsFile(Map<String, PaymentTermEntry> paymentTerms) {
    }

    record PaymentTermEntry(Integer days, String erpTerm) {
    }

    record SubsidiariesFile(Map<String, SubsidiaryEntry> subsidiaries, Map<String, String> billingCountries) {
    }

    record SubsidiaryEntry(String erpSubsidiary, String name, String currency, String erpCurrency,
                           String erpBankAccount) {
    }

    record PaymentMethodsFile(Map<String, PaymentMethodEntry> paymentMethods) {
    }

    record PaymentMethodEntry(String stripe) {
    }

    /** The canonical fields of each section, each mapped to a Salesforce field (or relationship path, or nothing). */
    record SalesforceFieldsFile(OpportunityFields opportunity, LineItemFields lineItem, AccountFields account) {
    }

    record OpportunityFields(String id, String name, String stage, String type, String won, String billingApproved,
                             String accountId, String closeDate, String amount, String currency, String contractStart,
                             String contractEnd, String billingCadence, String paymentTerms, String paymentMethod,
                             String version) {
    }

    record LineItemFields(String id, String productCode, String productName, String quantity, String unitPrice,
                          String discount, String totalPrice, String termMonths, String serviceDate,
                          String description) {
    }

    record AccountFields(String id, String name, String street, String city, String postalCode, String state,
                         String country, String taxId, String billingEmail) {
    }

    record BillingCadencesFile(Map<String, CadenceEntry> billingCadences) {
    }

    record CadenceEntry(Integer months, Boolean standard) {
    }

    record ValidationRulesFile(Map<String, List<String>> requiredFields, List<String> taxIdRequiredCountries,
                               Approval approval) {
    }

    record Approval(BigDecimal discountThresholdPercent, List<String> standardPaymentTerms,
                    BigDecimal amendmentValueChangeShare) {
    }

    record FieldOwnershipFile(OpportunityOwnership opportunity) {
    }

    record OpportunityOwnership(List<String> bridgeOwned, List<String> system) {
    }

    private static final Map<String, Class<?>> SHAPES = Map.of(
            MappingCatalog.PRODUCTS, ProductsFile.class,
            MappingCatalog.TERMS, PaymentTermsFile.class,
            MappingCatalog.SUBSIDIARIES, SubsidiariesFile.class,
            MappingCatalog.PAYMENT_METHODS, PaymentMethodsFile.class,
            MappingCatalog.FIELDS, SalesforceFieldsFile.class,
            MappingCatalog.CADENCES, BillingCadencesFile.class,
            MappingCatalog.RULES, ValidationRulesFile.class,
            MappingCatalog.OWNERSHIP, FieldOwnershipFile.class);

    /** Binds a file's content to its shape: an unknown key, or a value of the wrong kind, names the file and the path. */
    static void check(String file, JsonNode content) {
        Class<?> shape = SHAPES.get(file);
        if (shape == null || content == null || content.isMissingNode()) {
            return;
        }
        try {
            STRICT.treeToValue(content, shape);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().collect(Collectors.joining(", "));
            throw new MappingException(file, path(e), "is not a key this file knows (allowed here: " + known + ")");
        } catch (JsonMappingException e) {
            throw new MappingException(file, path(e), "has a value of the wrong kind: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MappingException(file, "(file)", "cannot be read: " + e.getOriginalMessage());
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
