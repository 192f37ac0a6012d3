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
import dev.revenuebridge.sandbox.erp.ErpSchema.RecordSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns a request body into the normalised fields of a record and checks them the way NetSuite does: unknown fields,
 * JSON types, references that must resolve, required fields (also of sublist lines), computed fields refused, and the
 * business rules of each type the bridge writes (customers, sales orders, invoices, credit memos, customer payments,
 * customer refunds, journal entries, deposits); the rules are listed in {@link ErpSandbox}'s class Javadoc and cited
 * at each method. Values derived from other records (billed, applied, deposited) come from {@link ErpLedger}.
 * Callers hold the store's lock so that what is checked is what gets written.
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

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private final ErpRecordStore store;
    private final ErpLedger ledger;
    private final Supplier<Clock> clock;

    ErpValidator(ErpRecordStore store, ErpLedger ledger, Supplier<Clock> clock) {
        this.store = store;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * The fields of a record made by a transform ({@code POST .../!transform/...}): built by the sandbox from the
     * source record and the request body, then held to the same rules as any other save.
     */
    Validated transformed(RecordSpec spec, String id, Map<String, Object> fields) {
        return complete(spec, id, new LinkedHashMap<>(fields));
    }

    /** The fields of a new record with internal id {@code id}. */
    Validated create(RecordSpec spec, String id, Map<String, Object> body) {
        Map<String, Object> fields = new LinkedHashMap<>();
        normalize(spec, body).forEach((name, value) -> {
            if (value instanceof List<?> lines && isSublist(spec, name)) {
                fields.put(name, mergeLines(List.of(), lines(lines), true, name, false, lineKey(spec, name)));
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
                fields.put(name, mergeLines(existing.lines(name), lines(lines), replace.contains(name), name, true,
                        lineKey(spec, name)));
            } else if (value == null) {
                fields.remove(name);
            } else {
                fields.put(name, value);
            }
        });
        return complete(spec, existing.id(), fields);
    }

    /** A transform request's body: its external id, the body fields sent, and the item lines sent (null: none). */
    record TransformBody(String externalId, Map<String, Object> fields, List<Map<String, Object>> lines) {
    }

    /**
     * Reads the body of a transform into {@code target}: only {@code bodyFields} and {@code item.items} lines of
     * {@code orderLine} (required), {@code quantity}, {@code amount} and {@code description} are accepted.
     */
    TransformBody transformBody(RecordSpec target, Map<String, Object> body, Set<String> bodyFields) {
        Map<String, Object> fields = new LinkedHashMap<>();
        String externalId = null;
        List<Map<String, Object>> lines = null;
        for (Map.Entry<String, Object> e : body.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (value == null) continue;
            if (EXTERNAL_ID.equals(name)) {
                externalId = externalIdOf(value, name);
            } else if (ErpSchema.ITEM_SUBLIST.equals(name)) {
                if (!(value instanceof Map<?, ?> map)) throw wrongType(name, "an object {\"items\": [...]}");
                for (Object key : map.keySet()) {
                    if (!"items".equals(key)) throw invalidField(name + "." + key);
                }
                if (!(map.get("items") instanceof List<?> items)) throw wrongType(name + ".items", "an array of lines");
                Map<String, Field> lineFields = target.field(ErpSchema.ITEM_SUBLIST).orElseThrow().lines();
                lines = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    String linePath = name + ".items[" + i + "]";
                    if (!(items.get(i) instanceof Map<?, ?> line)) throw wrongType(linePath, "an object");
                    Map<String, Object> normalized = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> le : line.entrySet()) {
                        String k = String.valueOf(le.getKey());
                        if (!Set.of("orderLine", "quantity", "amount", "description").contains(k)) {
                            throw invalidField(linePath + "." + k);
                        }
                        if (le.getValue() != null) {
                            normalized.put(k, value(lineFields.get(k), le.getValue(), linePath + "." + k));
                        }
                    }
                    if (normalized.get("orderLine") == null) throw missingValue(linePath + ".orderLine", "Order Line");
                    lines.add(normalized);
                }
            } else if (bodyFields.contains(name)) {
                fields.put(name, value(target.field(name).orElseThrow(), value, name));
            } else {
                throw invalidField(name);
            }
        }
        return new TransformBody(externalId, fields, lines);
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
            if (field == null) {
                throw invalidField(name);
            }
            checkWritable(spec, field, name);
            out.put(name, value == null ? null : value(field, value, name));
        });
        return out;
    }

    /** A computed field sent in a body is refused: NetSuite sets it, the request cannot. */
    private static void checkWritable(RecordSpec spec, Field field, String path) {
        if (!field.readOnly()) return;
        if ("createdFrom".equals(field.name())) {
            // NetSuite Help "Transforming Records" (section_157901123882): "you can create an invoice record from an
            // existing sales order record" by POST .../salesOrder/{id}/!transform/invoice; createdFrom is the link
            // that the transform sets, so it is not a field a create or an update may set.
            throw invalidValue(path, "Invalid value for field createdFrom: the field is read-only. A " + spec.label()
                    .toLowerCase(Locale.ROOT) + " is linked to its source transaction only by transforming that "
                    + "transaction (POST /services/rest/record/v1/{type}/{id}/!transform/" + spec.name() + ").");
        }
        throw invalidValue(path, "Invalid value for field " + path + ": the field is read-only, NetSuite computes it.");
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
            case SUBRECORD -> subrecord(field, value, path);
            case COUNTRY -> {
                Object code = value instanceof Map<?, ?> map ? map.get("id") : null;
                if (value instanceof Map<?, ?> map) {
                    for (Object key : map.keySet()) {
                        if (!"id".equals(key) && !"refName".equals(key)) throw invalidField(path + "." + key);
                    }
                }
                if (!(code instanceof String c)) throw wrongType(path, "an object {\"id\": \"<ISO 3166-1 alpha-2 code>\"}");
                if (!COUNTRIES.contains(c)) {
                    throw invalidValue(path, "Invalid value for field country: " + c
                            + ". Provide an ISO 3166-1 alpha-2 country code such as US.");
                }
                yield new ErpRecord.Choice(c, new Locale("", c).getDisplayCountry(Locale.US));
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

    private Map<String, Object> subrecord(Field field, Object value, String path) {
        if (!(value instanceof Map<?, ?> map)) throw wrongType(path, "an object");
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Field sub = field.lines().get(String.valueOf(k));
            String subPath = path + "." + k;
            if (sub == null) throw invalidField(subPath);
            if (sub.readOnly()) {
                throw invalidValue(subPath, "Invalid value for field " + subPath + ": the field is read-only, NetSuite computes it.");
            }
            if (v != null) out.put(sub.name(), value(sub, v, subPath));
        });
        return out;
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
                if (lineField.readOnly()) {
                    throw invalidValue(linePath + "." + k, "Invalid value for field " + k
                            + ": the field is read-only, NetSuite computes it.");
                }
                normalized.put(lineField.name(), v == null ? null : value(lineField, v, linePath + "." + k));
            });
            lines.add(normalized);
        }
        return lines;
    }

    // ---- sublist merging ----

    private static boolean isSublist(RecordSpec spec, String name) {
        return spec.field(name).map(f -> f.kind() == Kind.SUBLIST).orElse(false);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lines(List<?> lines) {
        return (List<Map<String, Object>>) lines;
    }

    /**
     * Merges the lines sent into the stored ones. Without replace, a line with a {@code line} key updates that line
     * and a line without one is appended. With replace ({@code ?replace=item}), the sublist becomes exactly the lines
     * sent: a line with a {@code line} key keeps that line (updated with the fields sent), a line without one is new
     * and gets a new line number (NetSuite never reuses a line number of the same transaction), and the stored lines
     * not sent are removed.
     */
    /**
     * The key that identifies a line of a sublist on update: {@code doc} for the lists of other transactions
     * (payment and refund apply lines, deposit payment lines), {@code line} otherwise. NetSuite Help "Deposit
     * Application" (article_0830101547): "Lines on the apply sublist are not identified by line numbers, but by the
     * doc field as a key".
     */
    private static String lineKey(RecordSpec spec, String sublist) {
        return spec.field(sublist).map(f -> f.lines().containsKey("doc")).orElse(false) ? "doc" : "line";
    }

    private static List<Map<String, Object>> mergeLines(List<Map<String, Object>> existing,
                                                        List<Map<String, Object>> incoming, boolean replace,
                                                        String sublist, boolean update, String keyField) {
        List<Map<String, Object>> stored = new ArrayList<>();
        existing.forEach(line -> stored.add(new LinkedHashMap<>(line)));
        List<Map<String, Object>> result = replace ? new ArrayList<>() : stored;
        int next = stored.stream().mapToInt(l -> l.get("line") instanceof Integer n ? n : 0).max().orElse(0) + 1;
        Set<Object> seen = new java.util.HashSet<>();
        for (int i = 0; i < incoming.size(); i++) {
            Map<String, Object> line = incoming.get(i);
            Object sent = line.get(keyField);
            String keyPath = sublist + ".items[" + i + "]." + keyField;
            boolean byDoc = "doc".equals(keyField);
            // a document not yet on the list makes a new line
            boolean newDoc = byDoc && sent != null && update
                    && stored.stream().noneMatch(l -> sent.equals(l.get(keyField))) && seen.add(sent);
            Object key = newDoc ? null : sent;
            if (key == null || !update) {
                Map<String, Object> added = new LinkedHashMap<>();
                added.put("line", next++);
                line.forEach((k, v) -> {
                    if (v != null && !"line".equals(k)) added.put(k, v);
                });
                result.add(added);
                continue;
            }
            if (!seen.add(key)) {
                throw invalidValue(keyPath, "Invalid value for field " + keyField + ": " + (byDoc ? "document "
                        + ((Ref) key).id() : "line " + key) + " of the " + sublist + " sublist is sent twice.");
            }
            Object match = key;
            Map<String, Object> target = stored.stream().filter(l -> match.equals(l.get(keyField))).findFirst()
                    .orElseThrow(() -> invalidValue(keyPath,
                            "Invalid value for field line: the " + sublist + " sublist has no line " + match + "."));
            if ((line.containsKey("quantity") || line.containsKey("rate")) && !line.containsKey("amount")) {
                target.remove("amount"); // NetSuite recalculates the amount when quantity or rate change
            } else if (line.containsKey("amount") && !line.containsKey("rate")) {
                target.remove("rate");   // and the rate when only the amount changes
            }
            line.forEach((k, v) -> {
                if (v == null) target.remove(k);
                else target.put(k, v);
            });
            if (replace) result.add(target);
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
            if (field.kind() == Kind.SUBLIST) {
                List<Map<String, Object>> lines = new ArrayList<>();
                lines(fields.get(field.name()) instanceof List<?> l ? l : List.of())
                        .forEach(line -> lines.add(new LinkedHashMap<>(line)));
                if (fields.containsKey(field.name())) fields.put(field.name(), lines);
                for (int i = 0; i < lines.size(); i++) {
                    for (Field lineField : field.lines().values()) {
                        if (lineField.required() && lines.get(i).get(lineField.name()) == null) {
                            throw missingValue(field.name() + ".items[" + i + "]." + lineField.name(), lineField.label());
                        }
                    }
                }
            }
        }
        Optional<ErpRecord> previous = store.find(spec.name(), id);
        switch (spec.name()) {
            case ErpSchema.CUSTOMER -> completeCustomer(fields);
            case ErpSchema.SALES_ORDER -> completeSalesOrder(spec, fields, previous);
            case ErpSchema.INVOICE, ErpSchema.CREDIT_MEMO -> completeBilling(spec, id, fields, previous);
            case ErpSchema.PAYMENT -> completePayment(id, fields, previous);
            case ErpSchema.REFUND -> completeRefund(id, fields);
            case ErpSchema.JOURNAL -> completeJournal(fields);
            case ErpSchema.DEPOSIT -> completeDeposit(id, fields);
            default -> {
            }
        }
        if (spec.isTransaction()) {
            fields.putIfAbsent("tranId", spec.tranIdPrefix() + id);
        }
        return new Validated(externalId, fields);
    }

    private LocalDate today() {
        return LocalDate.now(clock.get());
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
        // The address is the addressBook sublist of addressBookAddress subrecords (NetSuite Help "Customer",
        // article_161581923822: the customer record has the addressbook subrecord); defaultAddress is the read-only
        // text NetSuite renders from the default billing address.
        List<Map<String, Object>> book = lineList(fields, "addressBook");
        fields.remove("defaultAddress");
        int billing = -1;
        for (int i = 0; i < book.size(); i++) {
            Map<String, Object> entry = book.get(i);
            if (entry.get("addressBookAddress") instanceof Map<?, ?> address) {
                Map<String, Object> a = new LinkedHashMap<>();
                address.forEach((k, v) -> a.put(String.valueOf(k), v));
                a.put("addrText", addressText(a));
                entry.put("addressBookAddress", a);
            }
            if (Boolean.TRUE.equals(entry.get("defaultBilling"))) {
                if (billing >= 0) {
                    throw invalidValue("addressBook.items[" + i + "].defaultBilling", "Invalid value for field "
                            + "defaultBilling: only one address can be the default billing address (line " + billing
                            + " already is).");
                }
                billing = i;
                if (entry.get("addressBookAddress") instanceof Map<?, ?> a && a.get("addrText") instanceof String t) {
                    fields.put("defaultAddress", t);
                }
            }
        }
    }

    private static String addressText(Map<String, Object> a) {
        List<String> parts = new ArrayList<>();
        for (String key : List.of("addressee", "attention", "addr1", "addr2", "addr3")) {
            if (a.get(key) instanceof String v && !v.isBlank()) parts.add(v);
        }
        String cityLine = String.join(" ", java.util.stream.Stream.of("city", "state", "zip")
                .map(a::get).filter(v -> v instanceof String t && !t.isBlank()).map(String::valueOf).toList());
        if (!cityLine.isBlank()) parts.add(cityLine);
        if (a.get("country") instanceof Choice c) parts.add(c.name());
        return String.join("\n", parts);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lineList(Map<String, Object> fields, String sublist) {
        List<Map<String, Object>> lines = new ArrayList<>();
        if (fields.get(sublist) instanceof List<?> l) {
            for (Object line : l) lines.add(new LinkedHashMap<>((Map<String, Object>) line));
            fields.put(sublist, lines);
        }
        return lines;
    }

    /** Subsidiary from the customer, currency from the subsidiary (refused if another), terms from the customer. */
    private ErpRecord completeHeader(Map<String, Object> fields, String customerField) {
        ErpRecord customer = store.resolve((Ref) fields.get(customerField)).orElseThrow();
        Ref subsidiaryRef = (Ref) fields.computeIfAbsent("subsidiary", k -> customer.ref("subsidiary"));
        ErpRecord subsidiary = store.resolve(subsidiaryRef).orElseThrow();
        checkCustomerSubsidiary(customer, subsidiary, customerField);
        Ref bookCurrency = subsidiary.ref("currency");
        Ref currency = (Ref) fields.computeIfAbsent("currency", k -> bookCurrency);
        if (!currency.equals(bookCurrency)) {
            throw invalidValue("currency", "Invalid currency reference key " + currency.id() + " for subsidiary "
                    + subsidiary.id() + ". Subsidiary " + subsidiary.id() + " (" + subsidiary.text("name")
                    + ") books in " + symbol(bookCurrency) + "; a transaction of it cannot be in " + symbol(currency) + ".");
        }
        fields.putIfAbsent("tranDate", today().toString());
        return customer;
    }

    private void completeSalesOrder(RecordSpec spec, Map<String, Object> fields, Optional<ErpRecord> previous) {
        ErpRecord customer = completeHeader(fields, "entity");
        if (customer.ref("terms") != null) {
            fields.putIfAbsent("terms", customer.ref("terms"));
        }
        // Service items need no fulfillment, so an approved order of them is Pending Billing ("F") at once, as in an
        // account whose orders hold only service items (the UI shows no Fulfill button for them). "G" (Billed) is
        // computed from the invoices made from the order.
        Choice status = (Choice) fields.get("orderStatus");
        if (status == null || "B".equals(status.id())) {
            fields.put("orderStatus", new Choice("F", "Pending Billing"));
        } else if ("G".equals(status.id())) {
            throw invalidValue("orderStatus", "Invalid value for field orderStatus: G (Billed) is set by billing the "
                    + "order, not by a request.");
        }
        checkPeriod(fields, "startDate", "endDate", "");

        List<Map<String, Object>> lines = lineList(fields, ErpSchema.ITEM_SUBLIST);
        if (lines.isEmpty()) {
            throw missingValue(ErpSchema.ITEM_SUBLIST, spec.field(ErpSchema.ITEM_SUBLIST).orElseThrow().label());
        }
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        for (int i = 0; i < lines.size(); i++) {
            total = total.add(completeLine(lines.get(i), ErpSchema.ITEM_SUBLIST + ".items[" + i + "]."));
        }
        previous.ifPresent(old -> checkBilledLinesKept(old, lines));
        fields.put("subtotal", total);
        fields.put("total", total);
    }

    /** A billed order line cannot be removed, have its item changed, or have its amount lowered below the billed. */
    private void checkBilledLinesKept(ErpRecord old, List<Map<String, Object>> lines) {
        for (Map<String, Object> oldLine : old.lines(ErpSchema.ITEM_SUBLIST)) {
            Object number = oldLine.get("line");
            ErpLedger.Billed billed = ledger.billed(old.id(), number, null);
            if (billed.amount().signum() == 0 && billed.quantity().signum() == 0) continue;
            int index = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (Objects.equals(lines.get(i).get("line"), number)) index = i;
            }
            if (index < 0) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. You "
                        + "cannot remove line " + number + " of sales order " + old.id() + ": it has been billed ("
                        + billed.amount().toPlainString() + ").", ErpSchema.ITEM_SUBLIST);
            }
            Map<String, Object> line = lines.get(index);
            String path = ErpSchema.ITEM_SUBLIST + ".items[" + index + "].";
            if (!Objects.equals(line.get("item"), oldLine.get("item"))) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. You "
                        + "cannot change the item of line " + number + ": the line has been billed.", path + "item");
            }
            BigDecimal amount = ErpLedger.money(line.get("amount"));
            boolean below = billed.amount().signum() >= 0 ? amount.compareTo(billed.amount()) < 0
                    : amount.compareTo(billed.amount()) > 0;
            if (below) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                        + "amount of line " + number + " (" + amount.toPlainString() + ") cannot be less than the "
                        + "amount already billed (" + billed.amount().toPlainString() + ").", path + "amount");
            }
            if (amount.signum() > 0 && ((BigDecimal) line.get("quantity")).compareTo(billed.quantity()) < 0) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                        + "quantity of line " + number + " cannot be less than the quantity already billed ("
                        + billed.quantity().toPlainString() + ").", path + "quantity");
            }
        }
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

    /**
     * Invoices and credit memos (NetSuite Help "Credit Memo Use Cases", section_0404040255: "A credit memo is a
     * transaction that decreases the amount a customer owes you"; "Transforming Records", section_157901123882, for
     * those made from a source transaction). One of a sales order (an invoice) or of an invoice (a credit memo) is made by
     * transform and carries {@code createdFrom}; its lines carry {@code orderLine}, the source's line number, and
     * cumulatively never bill (credit) more than the source line's amount. A standalone one needs item lines.
     */
    private void completeBilling(RecordSpec spec, String id, Map<String, Object> fields, Optional<ErpRecord> previous) {
        ErpRecord customer = completeHeader(fields, "entity");
        if (customer.ref("terms") != null && ErpSchema.INVOICE.equals(spec.name())) {
            fields.putIfAbsent("terms", customer.ref("terms"));
        }
        List<Map<String, Object>> lines = lineList(fields, ErpSchema.ITEM_SUBLIST);
        if (lines.isEmpty()) {
            throw missingValue(ErpSchema.ITEM_SUBLIST, "Items");
        }
        BigDecimal total = ErpLedger.ZERO;
        for (int i = 0; i < lines.size(); i++) {
            total = total.add(completeLine(lines.get(i), ErpSchema.ITEM_SUBLIST + ".items[" + i + "]."));
        }
        fields.put("total", total);
        if (ErpSchema.INVOICE.equals(spec.name())
                && fields.get("terms") instanceof Ref terms && !fields.containsKey("dueDate")) {
            store.resolve(terms).map(t -> (BigDecimal) t.get("daysUntilNetDue")).ifPresent(days -> fields.put(
                    "dueDate", LocalDate.parse((String) fields.get("tranDate")).plusDays(days.longValue()).toString()));
        }
        Ref source = fields.get("createdFrom") instanceof Ref r ? r : null;
        if (source == null) {
            for (int i = 0; i < lines.size(); i++) {
                lines.get(i).remove("orderLine");
            }
            checkBillingTotal(spec, total);
            return;
        }
        ErpRecord from = store.resolve(source).orElseThrow(NetSuiteErrors::notFound);
        if (!Objects.equals(from.ref("entity"),
                fields.get("entity"))) {
            throw invalidValue("entity", "Invalid value for field entity: the customer must be that of "
                    + from.type() + " " + from.id() + ".");
        }
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> line = lines.get(i);
            String path = ErpSchema.ITEM_SUBLIST + ".items[" + i + "].";
            Object number = line.get("orderLine");
            Map<String, Object> sourceLine = from.lines(ErpSchema.ITEM_SUBLIST).stream()
                    .filter(l -> Objects.equals(l.get("line"), number)).findFirst()
                    .orElseThrow(() -> invalidValue(path + "orderLine", "Invalid value for field orderLine: "
                            + from.type() + " " + from.id() + " has no line " + number + "."));
            BigDecimal lineAmount = ErpLedger.money(sourceLine.get("amount"));
            BigDecimal amount = ErpLedger.money(line.get("amount"));
            if (ErpSchema.SALES_ORDER.equals(from.type())) {
                ErpLedger.Billed before = ledger.billed(from.id(), number, id);
                BigDecimal sameLine = ErpLedger.ZERO;
                BigDecimal sameQty = BigDecimal.ZERO;
                for (int j = 0; j < i; j++) {
                    if (Objects.equals(lines.get(j).get("orderLine"), number)) {
                        sameLine = sameLine.add(ErpLedger.money(lines.get(j).get("amount")));
                        sameQty = sameQty.add((BigDecimal) lines.get(j).get("quantity"));
                    }
                }
                BigDecimal billed = before.amount().add(sameLine).add(amount);
                BigDecimal billedQty = before.quantity().add(sameQty).add((BigDecimal) line.get("quantity"));
                boolean over = lineAmount.signum() >= 0
                        ? billed.compareTo(lineAmount) > 0 || billed.signum() < 0
                        || billedQty.compareTo((BigDecimal) sourceLine.get("quantity")) > 0
                        : billed.compareTo(lineAmount) < 0 || billed.signum() > 0;
                if (over) {
                    throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. "
                            + "You cannot bill more than ordered on line " + number + " of sales order " + from.id()
                            + ": ordered " + sourceLine.get("quantity") + " for " + lineAmount.toPlainString()
                            + ", billed before " + before.quantity().toPlainString() + " for "
                            + before.amount().toPlainString() + ", this invoice " + line.get("quantity") + " for "
                            + amount.toPlainString() + ".", path + "amount");
                }
            } else {
                BigDecimal credited = ErpLedger.ZERO;
                for (ErpRecord memo : store.all(ErpSchema.CREDIT_MEMO)) {
                    if (memo.id().equals(id) || !source.equals(memo.ref("createdFrom"))) continue;
                    for (Map<String, Object> l : memo.lines(ErpSchema.ITEM_SUBLIST)) {
                        if (Objects.equals(l.get("orderLine"), number)) credited = credited.add(ErpLedger.money(l.get("amount")));
                    }
                }
                for (int j = 0; j < i; j++) {
                    if (Objects.equals(lines.get(j).get("orderLine"), number)) {
                        credited = credited.add(ErpLedger.money(lines.get(j).get("amount")));
                    }
                }
                if (amount.signum() <= 0 || credited.add(amount).compareTo(lineAmount) > 0) {
                    throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. "
                            + "You cannot credit more than was invoiced on line " + number + " of invoice " + from.id()
                            + ": invoiced " + lineAmount.toPlainString() + ", credited before "
                            + credited.toPlainString() + ", this credit memo " + amount.toPlainString() + ".",
                            path + "amount");
                }
            }
        }
        if (ErpSchema.CREDIT_MEMO.equals(spec.name()) && ErpSchema.INVOICE.equals(from.type())) {
            // The credit memo is applied to what is still open on its invoice; the rest stays unapplied.
            BigDecimal ownBefore = ErpLedger.ZERO;
            for (Map<String, Object> l : previous.map(p -> p.lines("apply")).orElse(List.of())) {
                ownBefore = ownBefore.add(ErpLedger.money(l.get("amount")));
            }
            BigDecimal open = ledger.invoiceRemaining(from, null).add(ownBefore);
            BigDecimal applied = total.min(open.max(ErpLedger.ZERO));
            List<Map<String, Object>> apply = new ArrayList<>();
            if (applied.signum() > 0) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("doc", source);
                a.put("amount", applied);
                a.put("line", 1);
                apply.add(a);
            }
            fields.put("apply", apply);
        }
        checkBillingTotal(spec, total);
    }

    private static void checkBillingTotal(RecordSpec spec, BigDecimal total) {
        if (ErpSchema.INVOICE.equals(spec.name()) && total.signum() < 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                    + "total of an invoice cannot be negative (" + total.toPlainString() + "); credit the "
                    + "customer with a credit memo instead.", ErpSchema.ITEM_SUBLIST);
        }
        if (ErpSchema.CREDIT_MEMO.equals(spec.name()) && total.signum() <= 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The total "
                    + "of a credit memo must be greater than 0.", ErpSchema.ITEM_SUBLIST);
        }
    }

    /**
     * A customer payment (NetSuite Help "Customer Payment", section_N3667711: it "records a customer payment and
     * applies it to the appropriate invoice or cash sale, decreasing the amount due") goes to Undeposited Funds ({@code undepFunds: true}) or to a bank account of its currency
     * ({@code account}), exactly one of them, as the UI's "Undep. Funds" / "Account" radio choice. Its apply lines pay
     * open invoices of its customer in its currency.
     */
    private void completePayment(String id, Map<String, Object> fields, Optional<ErpRecord> previous) {
        ErpRecord customer = completeHeader(fields, "customer");
        BigDecimal payment = (BigDecimal) fields.get("payment");
        if (payment.signum() <= 0) {
            throw invalidValue("payment", "Invalid value for field payment: " + payment.toPlainString()
                    + ". The payment amount must be greater than 0.");
        }
        boolean undeposited = Boolean.TRUE.equals(fields.get("undepFunds"));
        Ref currency = (Ref) fields.get("currency");
        if (undeposited && fields.get("account") != null) {
            throw invalidValue("account", "Invalid value for field account: a payment goes either to Undeposited "
                    + "Funds (undepFunds true) or to an account, not both.");
        }
        if (!undeposited) {
            if (!(fields.get("account") instanceof Ref account)) throw missingValue("account", "Account");
            checkBankAccount(account, currency, null, "account");
        }
        fields.putIfAbsent("undepFunds", undeposited);
        BigDecimal applied = ErpLedger.ZERO;
        List<Map<String, Object>> lines = applyLines(fields);
        Set<Ref> docs = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> line = lines.get(i);
            String path = "apply.items[" + i + "].";
            ErpRecord invoice = appliedDoc(line, path, docs, customer, currency, "invoice", "payment");
            BigDecimal amount = applyAmount(line, path);
            BigDecimal open = ledger.invoiceRemaining(invoice, id);
            if (amount.compareTo(open) > 0) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                        + "amount applied to invoice " + invoice.id() + " (" + amount.toPlainString() + ") is more than "
                        + "its amount remaining (" + open.toPlainString() + ").", path + "amount");
            }
            applied = applied.add(amount);
        }
        if (applied.compareTo(payment) > 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The total "
                    + "amount applied (" + applied.toPlainString() + ") is more than the payment ("
                    + payment.toPlainString() + ").", "apply");
        }
        Optional<ErpRecord> deposit = previous.flatMap(p -> ledger.depositOf(p.id(), null));
        if (deposit.isPresent()) {
            ErpRecord old = previous.orElseThrow();
            if (ErpLedger.money(old.get("payment")).compareTo(ErpLedger.money(payment)) != 0
                    || !Objects.equals(old.get("currency"), currency)
                    || !Objects.equals(old.get("undepFunds"), fields.get("undepFunds"))) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. "
                        + "Payment " + old.id() + " has been deposited (deposit " + deposit.get().id() + "); its "
                        + "amount, currency and undeposited funds setting cannot be changed.", "payment");
            }
        }
    }

    /** The apply lines with apply not false (a line with apply false applies nothing and is not kept). */
    private static List<Map<String, Object>> applyLines(Map<String, Object> fields) {
        List<Map<String, Object>> lines = lineList(fields, "apply");
        lines.removeIf(l -> Boolean.FALSE.equals(l.get("apply")));
        lines.forEach(l -> l.put("apply", true));
        return lines;
    }

    private static BigDecimal applyAmount(Map<String, Object> line, String path) {
        if (!(line.get("amount") instanceof BigDecimal amount)) throw missingValue(path + "amount", "Payment");
        if (amount.signum() <= 0) {
            throw invalidValue(path + "amount", "Invalid value for field amount: " + amount.toPlainString()
                    + ". The amount must be greater than 0.");
        }
        return amount;
    }

    /** An account that must be a Bank account (of {@code currency} and {@code subsidiary} where given). */
    private ErpRecord checkBankAccount(Ref ref, Ref currency, Ref subsidiary, String path) {
        ErpRecord account = store.resolve(ref).orElseThrow();
        Choice type = (Choice) account.get("acctType");
        if (!"Bank".equals(type.id())) {
            throw invalidValue(path, "Invalid value for field account: account " + account.id() + " ("
                    + account.text("acctName") + ") is of type " + type.name() + "; a Bank account is required.");
        }
        if (currency != null && !currency.equals(account.ref("currency"))) {
            throw invalidValue(path, "Invalid value for field account: bank account " + account.id() + " is in "
                    + symbol(account.ref("currency")) + ", the transaction in " + symbol(currency) + ".");
        }
        if (subsidiary != null && !subsidiary.equals(account.ref("subsidiary"))) {
            throw invalidValue(path, "Invalid value for field account: bank account " + account.id()
                    + " belongs to subsidiary " + account.ref("subsidiary").id() + ", not " + subsidiary.id() + ".");
        }
        return account;
    }

    /**
     * The document an apply line applies to: named once in the sublist, of the transaction's customer and in its
     * currency ({@code docLabel}: invoice or credit memo; {@code transaction}: payment or refund, for the messages).
     */
    private ErpRecord appliedDoc(Map<String, Object> line, String path, Set<Ref> docs, ErpRecord customer, Ref currency,
                                 String docLabel, String transaction) {
        Ref doc = (Ref) line.get("doc");
        if (!docs.add(doc)) {
            throw invalidValue(path + "doc", "Invalid value for field doc: " + docLabel + " " + doc.id() + " is applied twice.");
        }
        ErpRecord record = store.resolve(doc).orElseThrow();
        if (!customer.id().equals(record.ref("entity").id())) {
            throw invalidValue(path + "doc", "Invalid value for field doc: " + docLabel + " " + record.id()
                    + " is not of customer " + customer.id() + ".");
        }
        if (!Objects.equals(record.ref("currency"), currency)) {
            throw invalidValue(path + "doc", "Invalid value for field doc: " + docLabel + " " + record.id() + " is in "
                    + symbol(record.ref("currency")) + ", the " + transaction + " in " + symbol(currency) + ".");
        }
        return record;
    }

    /**
     * A customer refund (NetSuite Help "Customer Refund", article_0830082954: "records the return of funds to a
     * customer"; its apply sublist names the credits it pays out) pays out credit of its customer: its apply lines name credit memos with enough unapplied
     * amount; it is paid from {@code account}, a Bank account of its currency or another current asset (a clearing
     * account, as when the card processor returns the money).
     */
    private void completeRefund(String id, Map<String, Object> fields) {
        ErpRecord customer = completeHeader(fields, "customer");
        Ref currency = (Ref) fields.get("currency");
        ErpRecord account = store.resolve((Ref) fields.get("account")).orElseThrow();
        String type = ((Choice) account.get("acctType")).id();
        if ("Bank".equals(type)) {
            checkBankAccount((Ref) fields.get("account"), currency, null, "account");
        } else if (!"OthCurrAsset".equals(type)) {
            throw invalidValue("account", "Invalid value for field account: a refund is paid from a Bank or Other "
                    + "Current Asset account, not from account " + account.id() + " (" + account.text("acctName") + ").");
        }
        BigDecimal total = ErpLedger.ZERO;
        List<Map<String, Object>> lines = applyLines(fields);
        Set<Ref> docs = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> line = lines.get(i);
            String path = "apply.items[" + i + "].";
            ErpRecord memo = appliedDoc(line, path, docs, customer, currency, "credit memo", "refund");
            BigDecimal amount = applyAmount(line, path);
            BigDecimal open = ledger.creditMemoRemaining(memo, id);
            if (amount.compareTo(open) > 0) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                        + "amount refunded from credit memo " + memo.id() + " (" + amount.toPlainString() + ") is more "
                        + "than its unapplied amount (" + open.toPlainString() + ").", path + "amount");
            }
            total = total.add(amount);
        }
        if (total.signum() <= 0) {
            throw missingValue("apply", "Apply");
        }
        fields.put("total", total);
    }

    /**
     * Journal lines: the docs are silent on the REST specifics; as NetSuite does in the UI and SOAP, each line names an
     * existing account and one side (exactly one of debit or credit, &gt; 0), the entry must balance, and a bank
     * account must belong to the journal's subsidiary (mature NetSuite practice in OneWorld accounts).
     */
    private void completeJournal(Map<String, Object> fields) {
        Ref subsidiary = (Ref) fields.get("subsidiary");
        fields.computeIfAbsent("currency", k -> store.resolve(subsidiary).orElseThrow().ref("currency"));
        fields.putIfAbsent("tranDate", today().toString());
        List<Map<String, Object>> lines = lineList(fields, "line");
        BigDecimal debits = ErpLedger.ZERO;
        BigDecimal credits = ErpLedger.ZERO;
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> line = lines.get(i);
            String path = "line.items[" + i + "].";
            BigDecimal debit = (BigDecimal) line.get("debit");
            BigDecimal credit = (BigDecimal) line.get("credit");
            if ((debit == null) == (credit == null)) {
                throw invalidValue(path + "debit", "Invalid value for line " + (i + 1) + ": enter either a debit or "
                        + "a credit amount, not " + (debit == null ? "neither" : "both") + ".");
            }
            BigDecimal amount = debit != null ? debit : credit;
            if (amount.signum() <= 0) {
                throw invalidValue(path + (debit != null ? "debit" : "credit"), "Invalid value for line " + (i + 1)
                        + ": the amount must be greater than 0.");
            }
            ErpRecord account = store.resolve((Ref) line.get("account")).orElseThrow();
            if (account.ref("subsidiary") != null && !account.ref("subsidiary").equals(subsidiary)) {
                throw invalidValue(path + "account", "Invalid value for field account: account " + account.id()
                        + " belongs to subsidiary " + account.ref("subsidiary").id() + ", the journal to "
                        + subsidiary.id() + ".");
            }
            if (debit != null) debits = debits.add(debit);
            else credits = credits.add(credit);
        }
        if (debits.compareTo(credits) != 0 || debits.signum() == 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The "
                    + "transaction is out of balance: debits " + debits.toPlainString() + ", credits "
                    + credits.toPlainString() + ".", "line");
        }
    }

    /**
     * A deposit into a Bank account of its subsidiary and currency. NetSuite Help "Adding a Record With Payment Lines"
     * (section_3941950392): "Each line in the Payments sublist must reference an existing transaction that was posted
     * to the Undeposited Funds account. The status of the transaction must either be Undeposited ... The status
     * cannot be Deposited." "Adding a Record With Other Deposit, Cash Back Lines" (section_3947199795): Other Deposits
     * lines debit, Cash Back lines credit, "The recipient of the funds is identified by the account body field."
     */
    private void completeDeposit(String id, Map<String, Object> fields) {
        Ref subsidiary = (Ref) fields.get("subsidiary");
        Ref accountRef = (Ref) fields.get("account");
        ErpRecord account = checkBankAccount(accountRef, null, null, "account");
        if (!subsidiary.equals(account.ref("subsidiary"))) {
            throw invalidValue("account", "Invalid value for field account: bank account " + account.id()
                    + " belongs to subsidiary " + account.ref("subsidiary").id() + ", the deposit to " + subsidiary.id() + ".");
        }
        Ref currency = (Ref) fields.computeIfAbsent("currency", k -> account.ref("currency"));
        if (!currency.equals(account.ref("currency"))) {
            throw invalidValue("currency", "Invalid value for field currency: bank account " + account.id() + " is in "
                    + symbol(account.ref("currency")) + ", the deposit in " + symbol(currency) + ".");
        }
        fields.putIfAbsent("tranDate", today().toString());
        BigDecimal total = ErpLedger.ZERO;
        List<Map<String, Object>> payments = lineList(fields, "payment");
        payments.removeIf(l -> Boolean.FALSE.equals(l.get("deposit")));
        Set<Ref> docs = new java.util.HashSet<>();
        for (int i = 0; i < payments.size(); i++) {
            Map<String, Object> line = payments.get(i);
            line.put("deposit", true);
            String path = "payment.items[" + i + "].doc";
            Ref doc = (Ref) line.get("doc");
            ErpRecord payment = store.resolve(doc).orElseThrow();
            if (!docs.add(doc)) throw invalidValue(path, "Invalid value for field doc: payment " + doc.id() + " is deposited twice.");
            if (!Boolean.TRUE.equals(payment.get("undepFunds"))) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. Payment "
                        + payment.id() + " was not posted to Undeposited Funds; only undeposited payments can be "
                        + "deposited.", path);
            }
            if (!currency.equals(payment.ref("currency"))) {
                throw invalidValue(path, "Invalid value for field doc: payment " + payment.id() + " is in "
                        + symbol(payment.ref("currency")) + ", the deposit in " + symbol(currency) + ".");
            }
            Optional<ErpRecord> other = ledger.depositOf(payment.id(), id);
            if (other.isPresent()) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. Payment "
                        + payment.id() + " has already been deposited (deposit " + other.get().id() + ").", path);
            }
            total = total.add(ErpLedger.money(payment.get("payment")));
        }
        List<Map<String, Object>> others = lineList(fields, "other");
        for (int i = 0; i < others.size(); i++) {
            total = total.add(positive(others.get(i), "other.items[" + i + "].amount"));
        }
        List<Map<String, Object>> cashBack = lineList(fields, "cashBack");
        for (int i = 0; i < cashBack.size(); i++) {
            total = total.subtract(positive(cashBack.get(i), "cashBack.items[" + i + "].amount"));
        }
        if (payments.isEmpty() && others.isEmpty()) {
            throw missingValue("payment", "Payments");
        }
        if (total.signum() < 0) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. The deposit "
                    + "total cannot be negative (" + total.toPlainString() + ").", "cashBack");
        }
        fields.put("total", total);
    }

    private static BigDecimal positive(Map<String, Object> line, String path) {
        BigDecimal amount = ErpLedger.money(line.get("amount"));
        if (amount.signum() <= 0) {
            throw invalidValue(path, "Invalid value for field amount: " + amount.toPlainString()
                    + ". The amount must be greater than 0.");
        }
        return amount;
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
