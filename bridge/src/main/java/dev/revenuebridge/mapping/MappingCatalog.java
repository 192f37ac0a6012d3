package dev.revenuebridge.mapping;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The lookup tables in {@code mappings/}: product catalog, payment terms, subsidiaries, payment methods and the
 * Salesforce field map. Read from files, not code; with {@code revenue.mappings.reload=true} (local mode) an edited
 * file takes effect at the next deal without a restart. A broken file names itself, the entry and the field.
 */
@Component
public class MappingCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(MappingCatalog.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    public enum Billing { ONE_TIME, RECURRING }

    public enum Recognition { POINT_IN_TIME, RATABLE }

    /** A catalog entry. {@code standaloneSellingPrice} is per unit (per month for recurring products). */
    public record Product(String code, String name, Billing billing, String interval, Recognition recognition,
                          String stripeProduct, String erpItem, BigDecimal standaloneSellingPrice, String sspCurrency,
                          Map<String, BigDecimal> standaloneSellingPrices, ErpAccounts erpAccounts) {

        /** The standalone selling price per unit in a currency, when the catalog has one. */
        public Optional<BigDecimal> standaloneSellingPriceIn(String currency) {
            return currency == null ? Optional.empty()
                    : Optional.ofNullable(standaloneSellingPrices.get(currency.trim().toUpperCase(Locale.ROOT)));
        }
    }

    /**
     * The ERP accounts a product's revenue posts to when the bridge books revenue as journal entries (an account
     * without Advanced Revenue Management): {@code erp.revenueAccount} and {@code erp.deferredRevenueAccount}, internal
     * ids from the chart of accounts. Both null when the mapping names none.
     */
    public record ErpAccounts(String revenue, String deferredRevenue) {
        public static final ErpAccounts NONE = new ErpAccounts(null, null);
    }

    public record PaymentTerm(String name, int days, String erpTerm) {
    }

    /**
     * A legal entity: its ERP subsidiary, functional currency, and {@code erpBankAccount}, the bank account (internal
     * id) that Stripe pays out to in that currency, into which the bridge deposits each payout.
     */
    public record Subsidiary(String country, String erpSubsidiary, String name, String currency, String erpCurrency,
                             String erpBankAccount) {
    }

    /** A billing cadence: months per billing period; a non-standard one needs billing approval. */
    public record BillingCadence(String name, int months, boolean standard) {
    }

    /** The validation gate's data rules (validation-rules.yaml). */
    public record ValidationRules(Map<String, List<String>> requiredFields, List<String> taxIdRequiredCountries,
                                  BigDecimal discountThresholdPercent, List<String> standardPaymentTerms,
                                  BigDecimal amendmentValueChangeShare) {
    }

    /** Tables as read from one snapshot of the files. */
    private record Tables(Map<String, Product> products, Map<String, PaymentTerm> terms,
                          Map<String, Subsidiary> subsidiaries, Map<String, String> paymentMethods,
                          Map<String, Map<String, String>> fields, Map<String, BillingCadence> cadences,
                          ValidationRules rules, List<String> bridgeOwned, List<String> systemFields,
                          Map<Path, FileTime> stamps) {
    }

    static final String PRODUCTS = "products.yaml";
    static final String TERMS = "payment-terms.yaml";
    static final String SUBSIDIARIES = "subsidiaries.yaml";
    static final String PAYMENT_METHODS = "payment-methods.yaml";
    static final String FIELDS = "salesforce-fields.yaml";
    static final String CADENCES = "billing-cadences.yaml";
    static final String RULES = "validation-rules.yaml";
    static final String OWNERSHIP = "field-ownership.yaml";

    private final Path directory;
    private final boolean reload;
    private volatile Tables tables;

    public MappingCatalog(@Value("${revenue.mappings.dir:mappings}") String directory,
                          @Value("${revenue.mappings.reload:false}") boolean reload) {
        this.directory = Path.of(directory).toAbsolutePath().normalize();
        this.reload = reload;
        this.tables = load();
        LOG.info("Mappings loaded from {}: {} products, {} payment terms, {} subsidiaries", this.directory,
                tables.products().size(), tables.terms().size(), tables.subsidiaries().size());
    }

    public Optional<Product> product(String code) {
        return code == null ? Optional.empty() : Optional.ofNullable(current().products().get(code));
    }

    /** The catalog product whose Stripe Product is this one. */
    public Optional<Product> productForStripe(String stripeProductId) {
        return current().products().values().stream().filter(p -> p.stripeProduct().equals(stripeProductId)).findFirst();
    }

    public Optional<PaymentTerm> paymentTerm(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(current().terms().get(name));
    }

    public Optional<Subsidiary> subsidiary(String billingCountry) {
        return billingCountry == null ? Optional.empty()
                : Optional.ofNullable(current().subsidiaries().get(billingCountry.toUpperCase(Locale.ROOT)));
    }

    /** The subsidiary that banks in this currency (where a payout in it is deposited). */
    public Optional<Subsidiary> subsidiaryForCurrency(String isoCurrency) {
        return isoCurrency == null ? Optional.empty() : current().subsidiaries().values().stream()
                .filter(s -> s.currency().equalsIgnoreCase(isoCurrency)).findFirst();
    }

    /** The ERP currency reference of an ISO currency code, from the subsidiaries that trade in it. */
    public Optional<String> erpCurrency(String isoCurrency) {
        return isoCurrency == null ? Optional.empty() : current().subsidiaries().values().stream()
                .filter(s -> s.currency().equalsIgnoreCase(isoCurrency)).map(Subsidiary::erpCurrency).findFirst();
    }

    /** Stripe payment method type for a Salesforce payment method (e.g. ACH -> us_bank_account). */
    public Optional<String> stripePaymentMethod(String salesforceValue) {
        return salesforceValue == null ? Optional.empty()
                : Optional.ofNullable(current().paymentMethods().get(salesforceValue));
    }

    public Optional<BillingCadence> billingCadence(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(current().cadences().get(name));
    }

    public ValidationRules validationRules() {
        return current().rules();
    }

    /** Opportunity fields the bridge owns and writes (field-ownership.yaml); all others are Salesforce's. */
    public List<String> bridgeOwnedFields() {
        return current().bridgeOwned();
    }

    /** Opportunity system fields that change with every update. */
    public List<String> systemFields() {
        return current().systemFields();
    }

    /** Salesforce field (or relationship path) that holds a canonical field of a section (opportunity, lineItem, account). */
    public String salesforceField(String section, String canonicalField) {
        Map<String, String> map = current().fields().get(section);
        String field = map == null ? null : map.get(canonicalField);
        if (field == null) {
            throw new MappingException(FIELDS, section + "." + canonicalField, "no Salesforce field mapped");
        }
        return field;
    }

    /** Whether a field is mapped at all (an org without multiple currencies maps no {@code currency}, for one). */
    public boolean salesforceFieldMapped(String section, String canonicalField) {
        Map<String, String> map = current().fields().get(section);
        return map != null && map.get(canonicalField) != null && !map.get(canonicalField).isBlank();
    }

    /** All Salesforce fields mapped for a section, in file order. */
    public List<String> salesforceFields(String section) {
        Map<String, String> map = current().fields().get(section);
        return map == null ? List.of() : map.values().stream().filter(field -> !field.isBlank()).toList();
    }

    private Tables current() {
        Tables snapshot = tables;
        if (reload && changed(snapshot)) {
            synchronized (this) {
                if (changed(tables)) {
                    try {
                        tables = load();
                        LOG.info("Mappings reloaded from {}", directory);
                    } catch (MappingException e) {
                        LOG.error("Mappings not reloaded, keeping the previous ones: {}", e.getMessage());
                        tables = new Tables(tables.products(), tables.terms(), tables.subsidiaries(),
                                tables.paymentMethods(), tables.fields(), tables.cadences(), tables.rules(),
                                tables.bridgeOwned(), tables.systemFields(), stamps());
                    }
                }
                snapshot = tables;
            }
        }
        return snapshot;
    }

    private boolean changed(Tables snapshot) {
        return !snapshot.stamps().equals(stamps());
    }

    private Map<Path, FileTime> stamps() {
        Map<Path, FileTime> stamps = new LinkedHashMap<>();
        for (String file : List.of(PRODUCTS, TERMS, SUBSIDIARIES, PAYMENT_METHODS, FIELDS, CADENCES, RULES, OWNERSHIP)) {
            Path path = directory.resolve(file);
            try {
                stamps.put(path, Files.getLastModifiedTime(path));
            } catch (IOException e) {
                stamps.put(path, FileTime.fromMillis(0));
            }
        }
        return stamps;
    }

    private Tables load() {
        Map<Path, FileTime> stamps = stamps();
        Map<String, Product> products = new LinkedHashMap<>();
        each(read(PRODUCTS).path("products"), PRODUCTS, "products", (code, node) -> {
            Map<String, BigDecimal> prices = new LinkedHashMap<>();
            each(node.path("standaloneSellingPrice"), PRODUCTS, code + ".standaloneSellingPrice", (currency, price) ->
                    prices.put(currency.toUpperCase(Locale.ROOT),
                            decimal(node.path("standaloneSellingPrice"), PRODUCTS, code, "standaloneSellingPrice." + currency, currency)));
            if (prices.isEmpty()) {
                throw new MappingException(PRODUCTS, code + ".standaloneSellingPrice", "needs a price in at least one currency");
            }
            var reference = prices.entrySet().iterator().next();
            products.put(code, new Product(code,
                    text(node, PRODUCTS, code, "name"),
                    Billing.valueOf(enumName(node, PRODUCTS, code, "billing")),
                    node.path("interval").asText(null),
                    Recognition.valueOf(enumName(node, PRODUCTS, code, "recognition")),
                    text(node.path("stripe"), PRODUCTS, code, "stripe.product", "product"),
                    text(node.path("erp"), PRODUCTS, code, "erp.item", "item"),
                    reference.getValue(), reference.getKey(), Map.copyOf(prices),
                    new ErpAccounts(node.path("erp").path("revenueAccount").asText(null),
                            node.path("erp").path("deferredRevenueAccount").asText(null))));
        });
        products.values().stream().filter(p -> p.billing() == Billing.RECURRING && !"month".equals(p.interval()))
                .findFirst().ifPresent(p -> {
                    throw new MappingException(PRODUCTS, p.code() + ".interval", "recurring products need interval: month");
                });
        Map<String, PaymentTerm> terms = new LinkedHashMap<>();
        each(read(TERMS).path("paymentTerms"), TERMS, "paymentTerms", (name, node) -> terms.put(name,
                new PaymentTerm(name, integer(node, TERMS, name, "days"), text(node, TERMS, name, "erpTerm"))));
        Map<String, Subsidiary> subsidiaries = new LinkedHashMap<>();
        JsonNode subsidiaryFile = read(SUBSIDIARIES);
        Map<String, JsonNode> entities = new LinkedHashMap<>();
        each(subsidiaryFile.path("subsidiaries"), SUBSIDIARIES, "subsidiaries", entities::put);
        each(subsidiaryFile.path("billingCountries"), SUBSIDIARIES, "billingCountries", (country, node) -> {
            String key = node.asText();
            JsonNode entity = entities.get(key);
            if (entity == null) {
                throw new MappingException(SUBSIDIARIES, "billingCountries." + country,
                        "names subsidiary '" + key + "', which is not under subsidiaries");
            }
            subsidiaries.put(country.toUpperCase(Locale.ROOT), new Subsidiary(country,
                    text(entity, SUBSIDIARIES, key, "erpSubsidiary"), text(entity, SUBSIDIARIES, key, "name"),
                    text(entity, SUBSIDIARIES, key, "currency"), text(entity, SUBSIDIARIES, key, "erpCurrency"),
                    text(entity, SUBSIDIARIES, key, "erpBankAccount")));
        });
        Map<String, String> methods = new LinkedHashMap<>();
        each(read(PAYMENT_METHODS).path("paymentMethods"), PAYMENT_METHODS, "paymentMethods",
                (name, node) -> methods.put(name, text(node, PAYMENT_METHODS, name, "stripe")));
        Map<String, Map<String, String>> fields = new LinkedHashMap<>();
        JsonNode fieldFile = read(FIELDS);
        for (String section : List.of("opportunity", "lineItem", "account")) {
            Map<String, String> map = new LinkedHashMap<>();
            // a field set to ~ (null) is not read from Salesforce: e.g. currency in an org without multiple currencies
            each(fieldFile.path(section), FIELDS, section, (canonical, node) -> map.put(canonical,
                    node.isNull() ? "" : node.asText().trim()));
            fields.put(section, map);
        }
        Map<String, BillingCadence> cadences = new LinkedHashMap<>();
        each(read(CADENCES).path("billingCadences"), CADENCES, "billingCadences", (name, node) -> cadences.put(name,
                new BillingCadence(name, integer(node, CADENCES, name, "months"), node.path("standard").asBoolean(false))));
        JsonNode rulesFile = read(RULES);
        Map<String, List<String>> required = new LinkedHashMap<>();
        each(rulesFile.path("requiredFields"), RULES, "requiredFields", (section, node) -> {
            List<String> names = new ArrayList<>();
            node.forEach(n -> {
                if (!fields.getOrDefault(section, Map.of()).containsKey(n.asText())) {
                    throw new MappingException(RULES, "requiredFields." + section,
                            "names '" + n.asText() + "', which salesforce-fields.yaml does not map");
                }
                names.add(n.asText());
            });
            required.put(section, List.copyOf(names));
        });
        List<String> taxCountries = new ArrayList<>();
        rulesFile.path("taxIdRequiredCountries").forEach(n -> taxCountries.add(n.asText().toUpperCase(Locale.ROOT)));
        JsonNode approval = rulesFile.path("approval");
        List<String> standardTerms = new ArrayList<>();
        approval.path("standardPaymentTerms").forEach(n -> standardTerms.add(n.asText()));
        ValidationRules rules = new ValidationRules(Map.copyOf(required), List.copyOf(taxCountries),
                decimal(approval, RULES, "approval", "discountThresholdPercent", "discountThresholdPercent"),
                List.copyOf(standardTerms),
                decimal(approval, RULES, "approval", "amendmentValueChangeShare", "amendmentValueChangeShare"));
        return new Tables(Map.copyOf(products), Map.copyOf(terms), Map.copyOf(subsidiaries), Map.copyOf(methods),
                Map.copyOf(fields), Map.copyOf(cadences), rules,
                strings(read(OWNERSHIP).path("opportunity").path("bridgeOwned"), OWNERSHIP, "opportunity.bridgeOwned"),
                strings(read(OWNERSHIP).path("opportunity").path("system"), OWNERSHIP, "opportunity.system"), stamps);
    }

    private JsonNode read(String file) {
        Path path = directory.resolve(file);
        JsonNode content;
        try {
            content = YAML.readTree(path.toFile());
        } catch (IOException e) {
            throw new MappingException(file, "(file)", "cannot be read from " + path + ": " + e.getMessage());
        }
        MappingFiles.check(file, content);
        return content;
    }

    private interface Entry {
        void accept(String key, JsonNode node);
    }

    private static void each(JsonNode node, String file, String section, Entry entry) {
        if (!node.isObject()) {
            throw new MappingException(file, section, "missing or not a map");
        }
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        keys.forEach(key -> entry.accept(key, node.get(key)));
    }

    private static List<String> strings(JsonNode node, String file, String label) {
        if (!node.isArray()) {
            throw new MappingException(file, label, "must be a list");
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static String text(JsonNode node, String file, String key, String field) {
        return text(node, file, key, field, field);
    }

    private static String text(JsonNode node, String file, String key, String label, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.asText().isBlank()) {
            throw new MappingException(file, key + "." + label, "is required");
        }
        return value.asText();
    }

    private static String enumName(JsonNode node, String file, String key, String field) {
        String value = text(node, file, key, field).toUpperCase(Locale.ROOT).replace('-', '_');
        if (!List.of("ONE_TIME", "RECURRING", "POINT_IN_TIME", "RATABLE").contains(value)) {
            throw new MappingException(file, key + "." + field, "has an unknown value '" + node.get(field).asText() + "'");
        }
        return value;
    }

    private static int integer(JsonNode node, String file, String key, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new MappingException(file, key + "." + field, "must be a whole number");
        }
        return value.asInt();
    }

    private static BigDecimal decimal(JsonNode node, String file, String key, String label) {
        return decimal(node, file, key, label, "amount");
    }

    private static BigDecimal decimal(JsonNode node, String file, String key, String label, String field) {
        try {
            return new BigDecimal(text(node, file, key, label, field));
        } catch (NumberFormatException e) {
            throw new MappingException(file, key + "." + label, "is not a decimal amount");
        }
    }
}
