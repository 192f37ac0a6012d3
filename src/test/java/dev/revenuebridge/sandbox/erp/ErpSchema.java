package dev.revenuebridge.sandbox.erp;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The record types the sandbox knows and the fields each accepts.
 * <ul>
 *   <li>{@link Mode#STRICT} types ({@code customer}, {@code salesOrder}) accept only their listed fields and are fully
 *       validated by {@link ErpValidator};</li>
 *   <li>{@link Mode#LIGHT} types (invoice, payments, credit memos, refunds, deposits, journal entries, revenue
 *       recognition schedules) are validated lightly for now: their listed fields are typed and references must
 *       resolve, required fields are enforced, any other field is stored as sent;</li>
 *   <li>{@link Mode#READ_ONLY} types are the pre-seeded reference data.</li>
 * </ul>
 */
final class ErpSchema {

    enum Mode { STRICT, LIGHT, READ_ONLY }

    enum Kind { STRING, BOOLEAN, DATE, MONEY, QUANTITY, INTEGER, REF, SELECT, OBJECT, SUBLIST }

    /**
     * One field. {@code target} is the record type a REF points to; {@code options} the values of a SELECT
     * (id to name); {@code lines} the fields of a SUBLIST's lines.
     */
    record Field(String name, String label, Kind kind, boolean required, String target,
                 Map<String, String> options, Map<String, Field> lines) {

        Field require() { return new Field(name, label, kind, true, target, options, lines); }
    }

    record RecordSpec(String name, String label, Mode mode, String tranIdPrefix, Map<String, Field> fields) {

        Optional<Field> field(String fieldName) { return Optional.ofNullable(fields.get(fieldName)); }

        boolean isTransaction() { return tranIdPrefix != null; }
    }

    static final String CUSTOMER = "customer";
    static final String SALES_ORDER = "salesOrder";
    static final String SUBSIDIARY = "subsidiary";
    static final String CURRENCY = "currency";
    static final String TERM = "term";
    static final String ITEM = "serviceSaleItem";
    static final String ITEM_SUBLIST = "item";

    private static final Map<String, RecordSpec> TYPES = Arrays.stream(new RecordSpec[] {
            spec(CUSTOMER, "Customer", Mode.STRICT, null,
                    text("companyName", "Company Name").require(),
                    ref("subsidiary", "Primary Subsidiary", SUBSIDIARY).require(),
                    text("entityId", "Customer ID"),
                    text("email", "Email"),
                    text("phone", "Phone"),
                    text("firstName", "First Name"),
                    text("lastName", "Last Name"),
                    text("comments", "Comments"),
                    flag("isPerson", "Type"),
                    flag("isInactive", "Inactive"),
                    ref("currency", "Primary Currency", CURRENCY),
                    ref("terms", "Terms", TERM),
                    text("defaultAddress", "Default Address"),
                    object("addressBook", "Address"),
                    text("vatRegNumber", "Tax Number"),
                    text("custentity_sf_account_id", "Salesforce Account ID"),
                    text("custentity_stripe_customer_id", "Stripe Customer ID")),
            spec(SALES_ORDER, "Sales Order", Mode.STRICT, "SO",
                    ref("entity", "Customer", CUSTOMER).require(),
                    ref("subsidiary", "Subsidiary", SUBSIDIARY).require(),
                    sublist(ITEM_SUBLIST, "Items",
                            ref("item", "Item", ITEM).require(),
                            field("quantity", "Quantity", Kind.QUANTITY),
                            field("rate", "Rate", Kind.MONEY),
                            field("amount", "Amount", Kind.MONEY),
                            text("description", "Description"),
                            field("line", "Line", Kind.INTEGER),
                            date("revRecStartDate", "Rev. Rec. Start Date"),
                            date("revRecEndDate", "Rev. Rec. End Date")).require(),
                    date("tranDate", "Date"),
                    date("startDate", "Start Date"),
                    date("endDate", "End Date"),
                    ref("currency", "Currency", CURRENCY),
                    ref("terms", "Terms", TERM),
                    text("memo", "Memo"),
                    text("otherRefNum", "PO #"),
                    text("tranId", "Order #"),
                    select("orderStatus", "Status", Map.of("A", "Pending Approval", "B", "Pending Fulfillment")),
                    text("custbody_sf_opportunity_id", "Salesforce Opportunity ID"),
                    text("custbody_stripe_subscription_id", "Stripe Subscription ID"),
                    text("custbody_stripe_customer_id", "Stripe Customer ID")),
            light("invoice", "Invoice", "INV", ref("entity", "Customer", CUSTOMER).require()),
            light("creditMemo", "Credit Memo", "CM", ref("entity", "Customer", CUSTOMER).require()),
            light("customerPayment", "Payment", "PYMT", ref("customer", "Customer", CUSTOMER).require()),
            light("customerRefund", "Customer Refund", "RFND", ref("customer", "Customer", CUSTOMER).require()),
            light("deposit", "Deposit", "DEP", ref("subsidiary", "Subsidiary", SUBSIDIARY).require()),
            light("journalEntry", "Journal Entry", "JE", ref("subsidiary", "Subsidiary", SUBSIDIARY).require()),
            spec("revRecSchedule", "Revenue Recognition Schedule", Mode.LIGHT, null,
                    text("name", "Name"), date("startDate", "Start Date"), date("endDate", "End Date")),
            spec(SUBSIDIARY, "Subsidiary", Mode.READ_ONLY, null),
            spec(CURRENCY, "Currency", Mode.READ_ONLY, null),
            spec(TERM, "Term", Mode.READ_ONLY, null),
            spec(ITEM, "Service Item", Mode.READ_ONLY, null),
    }).collect(Collectors.toMap(s -> s.name().toLowerCase(Locale.ROOT), Function.identity(),
            (a, b) -> a, LinkedHashMap::new));

    private ErpSchema() {
    }

    /** The record type named in a URL; NetSuite matches record type names case-insensitively. */
    static Optional<RecordSpec> find(String name) {
        return Optional.ofNullable(TYPES.get(name.toLowerCase(Locale.ROOT)));
    }

    static RecordSpec get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown record type " + name));
    }

    static List<RecordSpec> all() { return List.copyOf(TYPES.values()); }

    /** A lightly validated transaction: typed customer/subsidiary/currency/terms/dates, anything else as sent. */
    private static RecordSpec light(String name, String label, String prefix, Field required) {
        Map<String, Field> fields = fieldMap(
                ref("entity", "Customer", CUSTOMER),
                ref("customer", "Customer", CUSTOMER),
                ref("subsidiary", "Subsidiary", SUBSIDIARY),
                ref("currency", "Currency", CURRENCY),
                ref("terms", "Terms", TERM),
                date("tranDate", "Date"),
                text("tranId", "Number"));
        fields.put(required.name(), required);
        return new RecordSpec(name, label, Mode.LIGHT, prefix, Map.copyOf(fields));
    }

    private static RecordSpec spec(String name, String label, Mode mode, String prefix, Field... fields) {
        return new RecordSpec(name, label, mode, prefix, Map.copyOf(fieldMap(fields)));
    }

    private static Map<String, Field> fieldMap(Field... fields) {
        Map<String, Field> map = new LinkedHashMap<>();
        for (Field f : fields) {
            map.put(f.name(), f);
        }
        return map;
    }

    private static Field field(String name, String label, Kind kind) {
        return new Field(name, label, kind, false, null, Map.of(), Map.of());
    }

    private static Field text(String name, String label) { return field(name, label, Kind.STRING); }

    private static Field flag(String name, String label) { return field(name, label, Kind.BOOLEAN); }

    private static Field date(String name, String label) { return field(name, label, Kind.DATE); }

    private static Field object(String name, String label) { return field(name, label, Kind.OBJECT); }

    private static Field ref(String name, String label, String target) {
        return new Field(name, label, Kind.REF, false, target, Map.of(), Map.of());
    }

    private static Field select(String name, String label, Map<String, String> options) {
        return new Field(name, label, Kind.SELECT, false, null, options, Map.of());
    }

    private static Field sublist(String name, String label, Field... lineFields) {
        return new Field(name, label, Kind.SUBLIST, false, null, Map.of(), Map.copyOf(fieldMap(lineFields)));
    }
}
