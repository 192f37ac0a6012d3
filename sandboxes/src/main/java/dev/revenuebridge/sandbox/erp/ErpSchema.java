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
 *   <li>{@link Mode#STRICT} types (every record the bridge writes: customer, salesOrder, invoice, creditMemo,
 *       customerPayment, customerRefund, journalEntry, deposit) accept only their listed fields: an unknown field is
 *       400 INVALID_CONTENT "invalid field", a value of the wrong JSON type is 400 INVALID_CONTENT, a reference must
 *       resolve, a required field missing is 400 USER_ERROR "Please enter value(s) for: &lt;label&gt;", and a
 *       {@link Field#readOnly() read-only} (computed) field sent is 400 INVALID_VALUE. The business rules of each
 *       type are in {@link ErpValidator}.</li>
 *   <li>{@link Mode#READ_ONLY} types are the pre-seeded reference data (subsidiaries, currencies, terms, service
 *       items, accounts); a write is 403 INSUFFICIENT_PERMISSION.</li>
 *   <li>{@link Mode#UNAVAILABLE}: {@code revRecSchedule}. A revenue recognition schedule is system-generated (NetSuite
 *       Help "Revenue Recognition Schedule", section_N3752734: "Revenue recognition schedules are system-generated
 *       ... To make other changes, you need to modify the associated revenue recognition template") and belongs to
 *       classic revenue recognition, which an account on Advanced Revenue Management does not have; the revenue plans
 *       of ARM ("Revenue Recognition Plan", section_4544304176: "It cannot be created, copied, deleted, or
 *       transformed") are derived from revenue recognition rules. So any request for the type is answered 404
 *       INVALID_RCRD_TYPE, as NetSuite answers a record type the account does not expose to REST web services.</li>
 * </ul>
 */
final class ErpSchema {

    enum Mode { STRICT, READ_ONLY, UNAVAILABLE }

    enum Kind { STRING, BOOLEAN, DATE, MONEY, QUANTITY, INTEGER, REF, SELECT, SUBRECORD, COUNTRY, SUBLIST }

    /**
     * One field. {@code target} is the record type a REF points to; {@code options} the values of a SELECT
     * (id to name); {@code lines} the fields of a SUBLIST's lines or of a SUBRECORD. A {@code readOnly} field is
     * computed by the sandbox (as NetSuite computes it) and refused when sent.
     */
    record Field(String name, String label, Kind kind, boolean required, String target,
                 Map<String, String> options, Map<String, Field> lines, boolean readOnly) {

        Field require() { return new Field(name, label, kind, true, target, options, lines, readOnly); }

        Field computed() { return new Field(name, label, kind, required, target, options, lines, true); }
    }

    record RecordSpec(String name, String label, Mode mode, String tranIdPrefix, Map<String, Field> fields) {

        Optional<Field> field(String fieldName) { return Optional.ofNullable(fields.get(fieldName)); }

        boolean isTransaction() { return tranIdPrefix != null; }
    }

    static final String CUSTOMER = "customer";
    static final String SALES_ORDER = "salesOrder";
    static final String INVOICE = "invoice";
    static final String CREDIT_MEMO = "creditMemo";
    static final String PAYMENT = "customerPayment";
    static final String REFUND = "customerRefund";
    static final String DEPOSIT = "deposit";
    static final String JOURNAL = "journalEntry";
    static final String REV_REC_SCHEDULE = "revRecSchedule";
    static final String SUBSIDIARY = "subsidiary";
    static final String CURRENCY = "currency";
    static final String TERM = "term";
    static final String ITEM = "serviceSaleItem";
    static final String ACCOUNT = "account";
    static final String ITEM_SUBLIST = "item";

    /** Account types (acctType select values) the sandbox seeds. */
    static final Map<String, String> ACCOUNT_TYPES = Map.of("Bank", "Bank", "OthCurrAsset", "Other Current Asset",
            "DeferRevenue", "Deferred Revenue", "Income", "Income", "Expense", "Expense", "AcctRec", "Accounts Receivable");

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
                    text("defaultAddress", "Default Address").computed(),
                    sublist("addressBook", "Address",
                            field("id", "ID", Kind.INTEGER).computed(),
                            flag("defaultBilling", "Default Billing"),
                            flag("defaultShipping", "Default Shipping"),
                            flag("isResidential", "Residential Address"),
                            text("label", "Label"),
                            subrecord("addressBookAddress", "Address",
                                    text("addressee", "Addressee"),
                                    text("attention", "Attention"),
                                    text("addr1", "Address 1"),
                                    text("addr2", "Address 2"),
                                    text("addr3", "Address 3"),
                                    text("city", "City"),
                                    text("state", "State"),
                                    text("zip", "Zip"),
                                    field("country", "Country", Kind.COUNTRY),
                                    text("addrText", "Address").computed())),
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
                            text("custcol_sf_line_item_id", "Salesforce Line Item ID"),
                            date("revRecStartDate", "Rev. Rec. Start Date").require(),
                            date("revRecEndDate", "Rev. Rec. End Date").require(),
                            field("quantityBilled", "Quantity Billed", Kind.QUANTITY).computed(),
                            field("amountBilled", "Amount Billed", Kind.MONEY).computed()).require(),
                    date("tranDate", "Date"),
                    date("startDate", "Start Date"),
                    date("endDate", "End Date"),
                    ref("currency", "Currency", CURRENCY),
                    ref("terms", "Terms", TERM),
                    text("memo", "Memo"),
                    text("otherRefNum", "PO #"),
                    text("tranId", "Order #"),
                    select("orderStatus", "Status", Map.of("A", "Pending Approval", "B", "Pending Fulfillment",
                            "F", "Pending Billing", "G", "Billed")),
                    field("subtotal", "Subtotal", Kind.MONEY).computed(),
                    field("total", "Total", Kind.MONEY).computed(),
                    text("custbody_sf_opportunity_id", "Salesforce Opportunity ID"),
                    text("custbody_stripe_subscription_id", "Stripe Subscription ID"),
                    text("custbody_stripe_customer_id", "Stripe Customer ID")),
            billing(INVOICE, "Invoice", "INV",
                    select("status", "Status", Map.of("Open", "Open", "Paid In Full", "Paid In Full")).computed()),
            billing(CREDIT_MEMO, "Credit Memo", "CM",
                    sublist("apply", "Apply",
                            ref("doc", "Transaction", INVOICE),
                            field("amount", "Payment", Kind.MONEY)).computed()),
            spec(PAYMENT, "Payment", Mode.STRICT, "PYMT",
                    ref("customer", "Customer", CUSTOMER).require(),
                    field("payment", "Payment Amount", Kind.MONEY).require(),
                    ref("subsidiary", "Subsidiary", SUBSIDIARY),
                    ref("currency", "Currency", CURRENCY),
                    date("tranDate", "Date"),
                    text("memo", "Memo"),
                    text("tranId", "Number"),
                    flag("undepFunds", "Undeposited Funds"),
                    ref("account", "Account", ACCOUNT),
                    sublist("apply", "Apply",
                            ref("doc", "Transaction", INVOICE).require(),
                            flag("apply", "Apply"),
                            field("amount", "Payment", Kind.MONEY)),
                    field("applied", "Applied", Kind.MONEY).computed(),
                    field("unapplied", "Unapplied", Kind.MONEY).computed(),
                    select("status", "Status", Map.of("Undeposited", "Undeposited", "Deposited", "Deposited")).computed(),
                    ref("deposit", "Deposit", DEPOSIT).computed()),
            spec(REFUND, "Customer Refund", Mode.STRICT, "RFND",
                    ref("customer", "Customer", CUSTOMER).require(),
                    ref("account", "Account", ACCOUNT).require(),
                    ref("subsidiary", "Subsidiary", SUBSIDIARY),
                    ref("currency", "Currency", CURRENCY),
                    date("tranDate", "Date"),
                    text("memo", "Memo"),
                    text("tranId", "Number"),
                    sublist("apply", "Apply",
                            ref("doc", "Transaction", CREDIT_MEMO).require(),
                            flag("apply", "Apply"),
                            field("amount", "Payment", Kind.MONEY)),
                    field("total", "Total", Kind.MONEY).computed()),
            spec(JOURNAL, "Journal Entry", Mode.STRICT, "JE",
                    ref("subsidiary", "Subsidiary", SUBSIDIARY).require(),
                    ref("currency", "Currency", CURRENCY),
                    date("tranDate", "Date"),
                    text("memo", "Memo"),
                    text("tranId", "Entry No."),
                    sublist("line", "Lines",
                            ref("account", "Account", ACCOUNT).require(),
                            field("debit", "Debit", Kind.MONEY),
                            field("credit", "Credit", Kind.MONEY),
                            text("memo", "Memo"),
                            ref("entity", "Name", CUSTOMER),
                            field("line", "Line", Kind.INTEGER)).require()),
            spec(DEPOSIT, "Deposit", Mode.STRICT, "DEP",
                    ref("account", "Account", ACCOUNT).require(),
                    ref("subsidiary", "Subsidiary", SUBSIDIARY).require(),
                    ref("currency", "Currency", CURRENCY),
                    date("tranDate", "Date"),
                    text("memo", "Memo"),
                    text("tranId", "Number"),
                    sublist("payment", "Payments",
                            ref("doc", "Payment", PAYMENT).require(),
                            flag("deposit", "Deposit"),
                            field("paymentAmount", "Amount", Kind.MONEY).computed(),
                            field("line", "Line", Kind.INTEGER)),
                    sublist("other", "Other Deposits",
                            ref("account", "Account", ACCOUNT).require(),
                            field("amount", "Amount", Kind.MONEY).require(),
                            text("memo", "Memo"),
                            ref("entity", "Name", CUSTOMER),
                            field("line", "Line", Kind.INTEGER)),
                    sublist("cashBack", "Cash Back",
                            ref("account", "Account", ACCOUNT).require(),
                            field("amount", "Amount", Kind.MONEY).require(),
                            text("memo", "Memo"),
                            field("line", "Line", Kind.INTEGER)),
                    field("total", "Total", Kind.MONEY).computed()),
            spec(REV_REC_SCHEDULE, "Revenue Recognition Schedule", Mode.UNAVAILABLE, null),
            spec(SUBSIDIARY, "Subsidiary", Mode.READ_ONLY, null),
            spec(CURRENCY, "Currency", Mode.READ_ONLY, null),
            spec(TERM, "Term", Mode.READ_ONLY, null),
            spec(ITEM, "Service Item", Mode.READ_ONLY, null),
            spec(ACCOUNT, "Account", Mode.READ_ONLY, null),
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

    /** An invoice or a credit memo: item lines, body fields, computed createdFrom/total/amountRemaining. */
    private static RecordSpec billing(String name, String label, String prefix, Field extra) {
        return spec(name, label, Mode.STRICT, prefix,
                ref("entity", "Customer", CUSTOMER).require(),
                ref("subsidiary", "Subsidiary", SUBSIDIARY),
                ref("currency", "Currency", CURRENCY),
                ref("terms", "Terms", TERM),
                date("tranDate", "Date"),
                date("dueDate", "Due Date"),
                text("memo", "Memo"),
                text("tranId", "Number"),
                text("otherRefNum", "PO #"),
                sublist(ITEM_SUBLIST, "Items",
                        ref("item", "Item", ITEM).require(),
                        field("quantity", "Quantity", Kind.QUANTITY),
                        field("rate", "Rate", Kind.MONEY),
                        field("amount", "Amount", Kind.MONEY),
                        text("description", "Description"),
                        field("line", "Line", Kind.INTEGER),
                        field("orderLine", "Order Line", Kind.INTEGER).computed(),
                        text("custcol_sf_line_item_id", "Salesforce Line Item ID")).require(),
                new Field("createdFrom", "Created From", Kind.REF, false, null, Map.of(), Map.of(), true),
                field("total", "Total", Kind.MONEY).computed(),
                field("amountRemaining", "Amount Remaining", Kind.MONEY).computed(),
                extra);
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
        return new Field(name, label, kind, false, null, Map.of(), Map.of(), false);
    }

    private static Field text(String name, String label) { return field(name, label, Kind.STRING); }

    private static Field flag(String name, String label) { return field(name, label, Kind.BOOLEAN); }

    private static Field date(String name, String label) { return field(name, label, Kind.DATE); }

    private static Field subrecord(String name, String label, Field... fields) {
        return new Field(name, label, Kind.SUBRECORD, false, null, Map.of(), Map.copyOf(fieldMap(fields)), false);
    }

    private static Field ref(String name, String label, String target) {
        return new Field(name, label, Kind.REF, false, target, Map.of(), Map.of(), false);
    }

    private static Field select(String name, String label, Map<String, String> options) {
        return new Field(name, label, Kind.SELECT, false, null, options, Map.of(), false);
    }

    private static Field sublist(String name, String label, Field... lineFields) {
        return new Field(name, label, Kind.SUBLIST, false, null, Map.of(), Map.copyOf(fieldMap(lineFields)), false);
    }
}
