package dev.revenuebridge.sandbox.erp;

import static dev.revenuebridge.sandbox.erp.NetSuiteErrors.invalidField;
import static dev.revenuebridge.sandbox.erp.NetSuiteErrors.invalidReference;
import static dev.revenuebridge.sandbox.erp.NetSuiteErrors.invalidValue;
import static dev.revenuebridge.sandbox.erp.NetSuiteErrors.missingValue;
import static dev.revenuebridge.sandbox.erp.NetSuiteErrors.wrongType;

import dev.revenuebridge.sandbox.erp.ErpRecord.Choice;
import dev.revenuebridge.sandbox.erp.ErpRecord.Ref;
import dev.revenuebridge.sandbox.erp.ErpSchema.Field;
import dev.revenuebridge.sandbox.erp.ErpSchema.Kind;
import dev.revenuebridge.sandbox.erp.ErpSchema.Mode;
import dev.revenuebridge.sandbox.erp.ErpSchema.RecordSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a request body into the normalised fields of a record and checks them the way NetSuite does: unknown fields,
 * JSON types, references that must resolve, required fields, and the business rules of customers and sales orders
 * (subsidiary and currency consistency, line amounts of quantity x rate to the cent, dates). Callers hold the store's
 * lock so that what is checked is what gets written.
 */
final class ErpValidator {

    /** The validated outcome: the record's external id (null for none) and its other fields. */
    record Validated(String externalId, Map<String, Object> fields) {
    }

    private static final String EXTERNAL_ID = "externalId";
    private static final DateTimeFormatter ISO_DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Set<String> REF_KEYS = Set.of("id", EXTERNAL_ID, "refName", "links");

    private final ErpRecordStore store;

    ErpValidator(ErpRecordStore store) {
        this.store = store;
    }

    /** The fields of a new record with internal id {@code id}. */
    Validated create(RecordSpec spec, String id, Map<String, Object> body) {
        Map<String, Object> fields = new LinkedHashMap<>();
        normalize(spec, body).forEach((name, value) -> {
            if (value instanceof List<?> lines && isSublist(spec, name)) {
                fields.put(name, mergeLines(List.of(), lines(lines), true, name));
            } else if (value != null) {
                fields.put(name, value);
            }
        });
        return complete(spec, id, fields);
    }

    /**
     * The fields of {@code existing} after applying {@code body}: fields sent replace those stored, null unsets a
     * field; sublist lines are merged by their {@code line} key (new lines appended) unless the sublist is named in
     * {@code replace}, as with NetSuite's {@code ?replace=item}.
     */
    Validated update(RecordSpec spec, ErpRecord existing, Map<String, Object> body, Set<String> replace) {
        Map<String, Object> fields = new LinkedHashMap<>(existing.fields());
        if (existing.externalId() != null) {
            fields.put(EXTERNAL_ID, existing.externalId());
        }
        normalize(spec, body).forEach((name, value) -> {
            if (value instanceof List<?> lines && isSublist(spec, name)) {
                fields.put(name, mergeLines(existing.lines(name), lines(lines), replace.contains(name), name));
            } else if (value == null) {
                fields.remove(name);
            } else {
                fields.put(name, value);
            }
        });
        return complete(spec, existing.id(), fields);
    }

    // ---- normalisation: field names, JSON types, references ----

    private Map<String, Object> normalize(RecordSpec spec, Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>();
        body.forEach((name, value) -> {
            if (EXTERNAL_ID.equals(name)) {
                out.put(name, value == null ? null : externalIdOf(value, name));
                return;
            }
            Field field = spec.fields().get(name);
            if (COMPUTED_TOTAL.containsKey(spec.name()) && "total".equals(name)) {
                // NetSuite computes a transaction's total from its lines; the field cannot be set
                throw invalidValue(name, "Invalid value for field total: the field is read-only, NetSuite computes it "
                        + "from the " + COMPUTED_TOTAL.get(spec.name()) + " lines.");
            }
            if (field == null) {
                if (spec.mode() != Mode.LIGHT) {
                    throw invalidField(name);
                }
                out.put(name, raw(value));
            } else {
                out.put(name, value == null ? null : value(field, value, name));
            }
        });
        return out;
    }

    private Object value(Field field, Object value, String path) {
        return switch (field.kind()) {
            case STRING -> {
                if (!(value instanceof String s)) throw wrongType(path, "a string");
                yield s;
            }
            case BOOLEAN -> {
                if (!(value instanceof Boolean b)) throw wrongType(path, "true or false");
                yield b;
            }
            case DATE -> date(value, path);
            case MONEY, QUANTITY -> decimal(value, path);
            case INTEGER -> {
                try {
                    yield decimal(value, path).intValueExact();
                } catch (ArithmeticException e) {
                    throw wrongType(path, "a whole number");
                }
            }
            case REF -> reference(field, value, path);
            case SELECT -> choice(field, value, path);
            case OBJECT -> {
                if (!(value instanceof Map<?, ?>)) throw wrongType(path, "an object");
                yield raw(value);
            }
            case SUBLIST -> sublist(field, value, path);
        };
    }

    private static String date(Object value, String path) {
        if (!(value instanceof String s)) throw wrongType(path, "a date string YYYY-MM-DD");
        try {
            return LocalDate.parse(s, ISO_DATE).toString();
        } catch (DateTimeParseException e) {
            throw invalidValue(path, "Invalid value for field " + path + ": '" + s + "' is not a valid date (YYYY-MM-DD).");
        }
    }

    private static BigDecimal decimal(Object value, String path) {
        if (value instanceof BigDecimal d) return d;
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return new BigDecimal(value.toString());
        }
        throw wrongType(path, "a JSON number");
    }

    private static String externalIdOf(Object value, String path) {
        if (!(value instanceof String s) || s.isBlank()) throw wrongType(path, "a non-empty string");
        return s;
    }

    private Ref reference(Field field, Object value, String path) {
        if (!(value instanceof Map<?, ?> map)) {
            throw wrongType(path, "a reference object such as {\"id\": \"1\"} or {\"externalId\": \"X\"}");
        }
        for (Object key : map.keySet()) {
            if (!REF_KEYS.contains(key)) throw invalidField(path + "." + key);
        }
        Object id = map.get("id");
        Object externalId = map.get(EXTERNAL_ID);
        if (id != null) {
            String key = id instanceof String s ? s : id instanceof Number ? decimal(id, path + ".id").toPlainString() : null;
            if (key == null) throw wrongType(path + ".id", "a string or number");
            return store.find(field.target(), key).map(r -> new Ref(r.type(), r.id()))
                    .orElseThrow(() -> invalidReference(path, key, field.name()));
        }
        if (externalId != null) {
            String key = externalIdOf(externalId, path + "." + EXTERNAL_ID);
            return store.findByExternalId(field.target(), key).map(r -> new Ref(r.type(), r.id()))
                    .orElseThrow(() -> invalidReference(path, key, field.name()));
        }
        throw wrongType(path, "a reference with an id or an externalId");
    }

    private static Choice choice(Field field, Object value, String path) {
        Object id = value instanceof Map<?, ?> map ? map.get("id") : value;
        String name = id instanceof String s ? field.options().get(s) : null;
        if (name == null) {
            throw invalidValue(path, "Invalid value for field " + path + ": " + id + ". Valid values are "
                    + field.options().keySet().stream().sorted().toList() + ".");
        }
        return new Choice((String) id, name);
    }

    private List<Map<String, Object>> sublist(Field field, Object value, String path) {
        if (!(value instanceof Map<?, ?> map)) throw wrongType(path, "an object {\"items\": [...]}");
        for (Object key : map.keySet()) {
            if (!"items".equals(key)) throw invalidField(path + "." + key);
        }
        if (!(map.get("items") instanceof List<?> items)) throw wrongType(path + ".items", "an array of lines");
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String linePath = path + ".items[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?> line)) throw wrongType(linePath, "an object");
            Map<String, Object> normalized = new LinkedHashMap<>();
            line.forEach((k, v) -> {
                Field lineField = field.lines().get(String.valueOf(k));
                if (lineField == null) throw invalidField(linePath + "." + k);
                normalized.put(lineField.name(), v == null ? null : value(lineField, v, linePath + "." + k));
            });
            lines.add(normalized);
        }
        return lines;
    }

    /** A JSON value stored as sent, except that every number becomes a BigDecimal. */
    private static Object raw(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), raw(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ErpValidator::raw).toList();
        }
        return value instanceof Number ? decimal(value, "") : value;
    }

    // ---- sublist merging ----

    private static boolean isSublist(RecordSpec spec, String name) {
        return spec.field(name).map(f -> f.kind() == Kind.SUBLIST).orElse(false);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lines(List<?> lines) {
        return (List<Map<String, Object>>) lines;
    }

    private static List<Map<String, Object>> mergeLines(List<Map<String, Object>> existing,
                                                        List<Map<String, Object>> incoming, boolean replace,
                                                        String sublist) {
        List<Map<String, Object>> result = new ArrayList<>();
        if (!replace) {
            existing.forEach(line -> result.add(new LinkedHashMap<>(line)));
        }
        int next = result.stream().mapToInt(l -> (Integer) l.get("line")).max().orElse(0) + 1;
        for (int i = 0; i < incoming.size(); i++) {
            Map<String, Object> line = incoming.get(i);
            Object key = line.get("line");
            String keyPath = sublist + ".items[" + i + "].line";
            if (replace || key == null) {
                Map<String, Object> added = new LinkedHashMap<>();
                added.put("line", next++);
                line.forEach((k, v) -> {
                    if (v != null && !"line".equals(k)) added.put(k, v);
                });
                result.add(added);
                continue;
            }
            Map<String, Object> target = result.stream().filter(l -> key.equals(l.get("line"))).findFirst()
                    .orElseThrow(() -> invalidValue(keyPath,
                            "Invalid value for field line: the " + sublist + " sublist has no line " + key + "."));
            if ((line.containsKey("quantity") || line.containsKey("rate")) && !line.containsKey("amount")) {
                target.remove("amount"); // NetSuite recalculates the amount when quantity or rate change
            } else if (line.containsKey("amount") && !line.containsKey("rate")) {
                target.remove("rate");   // and the rate when only the amount changes
            }
            line.forEach((k, v) -> {
                if (v == null) target.remove(k);
                else target.put(k, v);
            });
        }
        return result;
    }

    // ---- completion: defaults, required fields, business rules ----

    private Validated complete(RecordSpec spec, String id, Map<String, Object> fields) {
        String externalId = (String) fields.remove(EXTERNAL_ID);
        for (Field field : spec.fields().values()) {
            if (field.required() && !fields.containsKey(field.name())) {
                throw missingValue(field.name(), field.label());
            }
        }
        switch (spec.name()) {
            case ErpSchema.CUSTOMER -> completeCustomer(fields);
            case ErpSchema.SALES_ORDER -> completeSalesOrder(spec, fields);
            case "journalEntry" -> {
                completeLight(fields);
                checkBalanced(fields);
            }
            case "customerPayment" -> {
                completeLight(fields);
                checkApplied(fields);
            }
            default -> completeLight(fields);
        }
        if (COMPUTED_TOTAL.containsKey(spec.name())) {
            BigDecimal total = BigDecimal.ZERO;
            for (Map<?, ?> line : sublistLines(fields.get(COMPUTED_TOTAL.get(spec.name())))) {
                if (line.get("amount") != null) total = total.add(new BigDecimal(String.valueOf(line.get("amount"))));
            }
            fields.put("total", total);
        }
        if (spec.isTransaction()) {
            fields.putIfAbsent("tranId", spec.tranIdPrefix() + id);
        }
        return new Validated(externalId, fields);
    }

    private void completeCustomer(Map<String, Object> fields) {
        String companyName = (String) fields.get("companyName");
        if (companyName.isBlank()) throw missingValue("companyName", "Company Name");
        fields.putIfAbsent("entityId", companyName);
        fields.putIfAbsent("isPerson", false);
        if (fields.get("email") instanceof String email && !EMAIL.matcher(email).matches()) {
            throw invalidValue("email", "Invalid value for field email: '" + email + "' is not a valid email address.");
        }
        ErpRecord subsidiary = store.resolve((Ref) fields.get("subsidiary")).orElseThrow();
        fields.putIfAbsent("currency", subsidiary.ref("currency"));
    }

    private void completeSalesOrder(RecordSpec spec, Map<String, Object> fields) {
        Ref subsidiaryRef = (Ref) fields.get("subsidiary");
        ErpRecord subsidiary = store.resolve(subsidiaryRef).orElseThrow();
        ErpRecord customer = store.resolve((Ref) fields.get("entity")).orElseThrow();
        checkCustomerSubsidiary(customer, subsidiary, "entity");

        Ref bookCurrency = subsidiary.ref("currency");
        Ref currency = (Ref) fields.computeIfAbsent("currency", k -> bookCurrency);
        if (!currency.equals(bookCurrency)) {
            throw invalidValue("currency", "Invalid currency reference key " + currency.id() + " for subsidiary "
                    + subsidiary.id() + ". Subsidiary " + subsidiary.id() + " (" + subsidiary.text("name")
                    + ") books in " + symbol(bookCurrency) + "; a sales order of it cannot be in " + symbol(currency) + ".");
        }
        if (customer.ref("terms") != null) {
            fields.putIfAbsent("terms", customer.ref("terms"));
        }
        fields.putIfAbsent("tranDate", LocalDate.now(ZoneOffset.UTC).toString());
        fields.putIfAbsent("orderStatus", new Choice("B", "Pending Fulfillment"));
        checkPeriod(fields, "startDate", "endDate", "");

        List<Map<String, Object>> lines = new ArrayList<>();
        lines((List<?>) fields.get(ErpSchema.ITEM_SUBLIST)).forEach(l -> lines.add(new LinkedHashMap<>(l)));
        fields.put(ErpSchema.ITEM_SUBLIST, lines);
        if (lines.isEmpty()) {
            throw missingValue(ErpSchema.ITEM_SUBLIST, spec.field(ErpSchema.ITEM_SUBLIST).orElseThrow().label());
        }
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        for (int i = 0; i < lines.size(); i++) {
            total = total.add(completeLine(lines.get(i), ErpSchema.ITEM_SUBLIST + ".items[" + i + "]."));
        }
        fields.put("subtotal", total);
        fields.put("total", total);
    }

    /** Completes one item line in place and returns its amount. */
    private BigDecimal completeLine(Map<String, Object> line, String path) {
        if (!(line.get("item") instanceof Ref itemRef)) throw missingValue(path + "item", "Item");
        if (!(line.get("quantity") instanceof BigDecimal quantity)) throw missingValue(path + "quantity", "Quantity");
        if (quantity.signum() <= 0) {
            throw invalidValue(path + "quantity", "Invalid value for field quantity: " + quantity.toPlainString()
                    + ". The quantity must be greater than 0.");
        }
        BigDecimal rate = (BigDecimal) line.get("rate");
        BigDecimal amount = (BigDecimal) line.get("amount");
        if (rate == null && amount == null) throw missingValue(path + "rate", "Rate");
        if (rate == null) {
            rate = amount.divide(quantity, Math.max(2, amount.scale()) + 4, RoundingMode.HALF_UP).stripTrailingZeros();
            line.put("rate", rate.scale() < 2 ? rate.setScale(2) : rate);
        }
        BigDecimal expected = quantity.multiply(rate).setScale(2, RoundingMode.HALF_UP);
        if (amount == null) {
            line.put("amount", expected);
        } else if (amount.setScale(2, RoundingMode.HALF_UP).compareTo(expected) != 0) {
            throw invalidValue(path + "amount", "Invalid value for field amount: " + amount.toPlainString()
                    + " does not equal quantity " + quantity.toPlainString() + " x rate " + rate.toPlainString()
                    + " = " + expected.toPlainString() + ".");
        }
        if (!line.containsKey("description")) {
            store.resolve(itemRef).map(i -> i.text("salesDescription")).ifPresent(d -> line.put("description", d));
        }
        checkPeriod(line, "revRecStartDate", "revRecEndDate", path);
        return (BigDecimal) line.get("amount");
    }

    private void completeLight(Map<String, Object> fields) {
        Ref customerRef = fields.get("entity") instanceof Ref e ? e : (Ref) fields.get("customer");
        if (customerRef == null) return;
        ErpRecord customer = store.resolve(customerRef).orElseThrow();
        Ref subsidiaryRef = (Ref) fields.computeIfAbsent("subsidiary", k -> customer.ref("subsidiary"));
        checkCustomerSubsidiary(customer, store.resolve(subsidiaryRef).orElseThrow(),
                fields.containsKey("entity") ? "entity" : "customer");
    }

    /** Transactions whose total NetSuite computes, and the sublist it sums. */
    private static final Map<String, String> COMPUTED_TOTAL = Map.of("invoice", "item", "creditMemo", "item",
            "deposit", "other", "customerRefund", "apply");

    /** NetSuite refuses a journal entry whose debits and credits differ. */
    private static void checkBalanced(Map<String, Object> fields) {
        BigDecimal debits = BigDecimal.ZERO;
        BigDecimal credits = BigDecimal.ZERO;
        for (Map<?, ?> line : sublistLines(fields.get("line"))) {
            if (line.get("debit") != null) debits = debits.add(new BigDecimal(String.valueOf(line.get("debit"))));
            if (line.get("credit") != null) credits = credits.add(new BigDecimal(String.valueOf(line.get("credit"))));
        }
        if (debits.compareTo(credits) != 0 || debits.signum() == 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                    + "transaction is out of balance: debits " + debits.toPlainString() + ", credits "
                    + credits.toPlainString() + ".", "line");
        }
    }

    /** NetSuite refuses a payment that applies more than it pays. */
    private static void checkApplied(Map<String, Object> fields) {
        if (fields.get("payment") == null) return;
        BigDecimal payment = new BigDecimal(String.valueOf(fields.get("payment")));
        BigDecimal applied = BigDecimal.ZERO;
        for (Map<?, ?> line : sublistLines(fields.get("apply"))) {
            if (line.get("amount") != null) applied = applied.add(new BigDecimal(String.valueOf(line.get("amount"))));
        }
        if (applied.compareTo(payment) > 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The total "
                    + "amount applied (" + applied.toPlainString() + ") is more than the payment ("
                    + payment.toPlainString() + ").", "apply");
        }
    }

    private static List<Map<?, ?>> sublistLines(Object sublist) {
        List<Map<?, ?>> out = new java.util.ArrayList<>();
        if (sublist instanceof Map<?, ?> m && m.get("items") instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> line) out.add(line);
            }
        }
        return out;
    }

    private void checkCustomerSubsidiary(ErpRecord customer, ErpRecord subsidiary, String path) {
        Ref own = customer.ref("subsidiary");
        if (own != null && !own.id().equals(subsidiary.id())) {
            String ownName = store.resolve(own).map(s -> s.text("name")).orElse("?");
            throw invalidValue(path, "Invalid " + path + " reference key " + customer.id() + " for subsidiary "
                    + subsidiary.id() + ". Customer " + customer.id() + " (" + customer.text("companyName")
                    + ") belongs to subsidiary " + own.id() + " (" + ownName + ").");
        }
    }

    private static void checkPeriod(Map<String, Object> fields, String start, String end, String path) {
        if (fields.get(start) instanceof String s && fields.get(end) instanceof String e
                && LocalDate.parse(e).isBefore(LocalDate.parse(s))) {
            throw invalidValue(path + end, "Invalid value for field " + end + ": " + e + " is before " + start + " " + s + ".");
        }
    }

    private String symbol(Ref currency) {
        return store.resolve(currency).map(c -> c.text("symbol")).orElse(currency.id());
    }
}
