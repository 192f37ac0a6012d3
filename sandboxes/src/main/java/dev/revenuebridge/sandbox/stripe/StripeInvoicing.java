package dev.revenuebridge.sandbox.stripe;

import static dev.revenuebridge.sandbox.stripe.StripeStore.asMap;
import static dev.revenuebridge.sandbox.stripe.StripeStore.deletedStub;
import static dev.revenuebridge.sandbox.stripe.StripeStore.map;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.PAGINATION;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.of;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Invoice items and invoices: drafts whose lines and totals follow their items, finalization with per-customer
 * numbering and due dates, payment, voiding. Amounts are integer minor units throughout.
 */
final class StripeInvoicing {

    private static final Set<String> ZERO_DECIMAL = Set.of("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
            "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf");
    private static final Set<String> PRICING = Set.of("amount", "currency", "price", "price_data", "pricing",
            "quantity", "unit_amount", "unit_amount_decimal");
    private static final Set<String> EDITABLE_WHEN_FINALIZED = Set.of("metadata", "description", "footer",
            "auto_advance", "expand");

    private final StripeStore store;
    private final StripeCatalog catalog;

    private final StripePayments payments;

    StripeInvoicing(StripeStore store, StripeCatalog catalog, StripePayments payments) {
        this.payments = payments;
        this.store = store;
        this.catalog = catalog;
    }

    void register(Map<String, StripeEndpoint> endpoints) {
        endpoints.put("POST /v1/invoiceitems", of(this::createItem, PRICING, "customer", "description", "discountable",
                "invoice", "metadata", "period", "subscription"));
        endpoints.put("GET /v1/invoiceitems/{invoiceitem}", of(c -> item(c.pathParam("invoiceitem"))));
        endpoints.put("POST /v1/invoiceitems/{invoiceitem}", of(this::updateItem, PRICING, "description",
                "discountable", "metadata", "period"));
        endpoints.put("DELETE /v1/invoiceitems/{invoiceitem}", of(this::deleteItem));
        endpoints.put("GET /v1/invoiceitems", of(this::listItems, PAGINATION, "customer", "invoice", "pending"));

        endpoints.put("POST /v1/invoices", of(this::createInvoice, "auto_advance", "collection_method", "currency",
                "customer", "days_until_due", "default_payment_method", "description", "due_date", "footer",
                "metadata", "payment_settings", "pending_invoice_items_behavior", "statement_descriptor", "subscription"));
        endpoints.put("GET /v1/invoices/{invoice}", of(c -> invoice(c.pathParam("invoice"))));
        endpoints.put("POST /v1/invoices/{invoice}", of(this::updateInvoice, "auto_advance", "collection_method",
                "days_until_due", "default_payment_method", "description", "due_date", "footer", "metadata",
                "statement_descriptor"));
        endpoints.put("DELETE /v1/invoices/{invoice}", of(this::deleteInvoice));
        endpoints.put("GET /v1/invoices", of(this::listInvoices, PAGINATION, "collection_method", "customer", "status",
                "subscription"));
        endpoints.put("GET /v1/invoices/search",
                of(c -> store.search("invoices", c, "/v1/invoices/search"), "query", "limit", "page"));
        endpoints.put("GET /v1/invoices/{invoice}/lines", of(this::listLines, "limit", "starting_after", "ending_before"));
        endpoints.put("POST /v1/invoices/{invoice}/add_lines", of(this::addLines, "lines", "invoice_metadata"));
        endpoints.put("POST /v1/invoices/{invoice}/finalize", of(this::finalizeInvoice, "auto_advance"));
        endpoints.put("POST /v1/invoices/{invoice}/void", of(this::voidInvoice));
        endpoints.put("POST /v1/invoices/{invoice}/pay", of(this::payInvoice, "paid_out_of_band", "payment_method",
                "source"));
        endpoints.put("POST /v1/invoices/{invoice}/send", of(this::sendInvoice));
        endpoints.put("POST /v1/invoices/{invoice}/mark_uncollectible", of(this::markUncollectible));
    }

    // ---------------------------------------------------------------- invoice items

    private Map<String, Object> item(String id) { return store.require("invoiceitems", "invoice item", id); }

    private Map<String, Object> invoice(String id) { return store.require("invoices", "invoice", id); }

    private Object createItem(StripeCall c) {
        Map<String, Object> customer = catalog.customer(c.string("customer"), "customer");
        Map<String, Object> invoice = null;
        if (c.string("invoice") != null) {
            invoice = store.reference("invoices", "invoice", c.string("invoice"), "invoice");
            sameCustomer(invoice, customer, "invoice");
            if (!"draft".equals(invoice.get("status"))) {
                throw StripeError.state("invoice_not_editable", "invoice", "You can only add invoice items to draft "
                        + "invoices; invoice " + invoice.get("id") + " is " + invoice.get("status") + ".");
            }
        }
        String subscription = null;
        if (c.string("subscription") != null) {
            Map<String, Object> sub = store.reference("subscriptions", "subscription", c.string("subscription"), "subscription");
            sameCustomer(sub, customer, "subscription");
            subscription = (String) sub.get("id");
        }
        long now = store.now();
        Map<String, Object> item = store.create("invoiceitem", StripeIds.next("ii_"));
        item.remove("created");   // an invoice item has its date, not created
        item.put("customer", customer.get("id"));
        item.put("date", now);
        item.put("description", c.string("description"));
        item.put("discountable", !Boolean.FALSE.equals(c.bool("discountable")));
        item.put("discounts", new ArrayList<>());
        item.put("invoice", invoice == null ? null : invoice.get("id"));
        item.put("parent", subscription == null ? null : map("type", "subscription_details",
                "subscription_details", map("subscription", subscription, "subscription_item", null)));
        item.put("period", map("end", now, "start", now));
        item.put("proration", false);
        item.put("_subscription", subscription);
        item.put("_subscription_item", null);
        item.put("tax_rates", new ArrayList<>());
        item.put("test_clock", null);
        applyPricing(item, c, true);
        applyPeriod(item, c.map("period"));
        if (item.get("description") == null && item.get("_price") != null) {
            item.put("description", productName(asMap(item.get("_price"))));
        }
        StripeStore.applyMetadata(item, c.params().get("metadata"), "metadata");
        if (invoice != null && !invoice.get("currency").equals(item.get("currency"))) {
            throw StripeError.invalid("currency", "The currency of the invoice item (" + item.get("currency")
                    + ") must match the currency of invoice " + invoice.get("id") + " (" + invoice.get("currency") + ").");
        }
        store.add("invoiceitems", item);
        store.emit("invoiceitem.created", item, null);
        if (invoice != null) {
            Map<String, Object> before = StripeStore.copy(invoice);
            lines(invoice).add(lineFromItem(item));
            recompute(invoice);
            store.emit("invoice.updated", invoice, before);
        }
        return item;
    }

    private static void sameCustomer(Map<String, Object> object, Map<String, Object> customer, String param) {
        if (!customer.get("id").equals(object.get("customer"))) {
            throw StripeError.invalid(param, "The " + object.get("object") + " " + object.get("id")
                    + " belongs to customer " + object.get("customer") + ", not to " + customer.get("id") + ".");
        }
    }

    /**
     * Sets an item's amount from exactly one pricing source: a one-time price ({@code pricing[price]}, or the older
     * {@code price}), inline {@code price_data}, a total {@code amount}, or a {@code unit_amount(_decimal)}.
     */
    private void applyPricing(Map<String, Object> item, StripeCall c, boolean creating) {
        String priceParam = c.string("price") != null ? "price" : "pricing[price]";
        String priceId = c.string("price") != null ? c.string("price") : StripeCall.string(c.map("pricing"), "price");
        if (c.string("price") != null && StripeCall.string(c.map("pricing"), "price") != null) {
            throw StripeError.exclusive("pricing[price]", "price", "pricing[price]");
        }
        Map<String, Object> priceData = c.map("price_data");
        Long amount = c.integer("amount");
        String unit = c.integer("unit_amount") != null ? String.valueOf(c.integer("unit_amount")) : c.string("unit_amount_decimal");
        int sources = (priceId != null ? 1 : 0) + (priceData != null ? 1 : 0) + (amount != null ? 1 : 0) + (unit != null ? 1 : 0);
        if (sources > 1) {
            throw StripeError.exclusive("amount", "amount", "pricing[price]", "price_data", "unit_amount_decimal");
        }
        Long quantity = c.integer("quantity");
        if (quantity != null && quantity < 0) {
            throw StripeError.invalid("quantity", "This value must be greater than or equal to 0.");
        }
        long qty = quantity != null ? quantity : item.get("quantity") instanceof Long q ? q : 1L;
        String currency = c.string("currency") == null ? null : currency(c.string("currency"), "currency");
        if (sources == 0) {
            if (creating) {
                throw StripeError.missingParameter("pricing[price]");
            }
            item.put("quantity", qty);
            String decimal = (String) item.get("_unit_amount_decimal");
            if (decimal != null) item.put("amount", round(new BigDecimal(decimal).multiply(BigDecimal.valueOf(qty))));
            return;
        }
        Map<String, Object> price = null;
        if (priceId != null) {
            price = store.reference("prices", "price", priceId, priceParam);
            if ("recurring".equals(price.get("type"))) {
                throw StripeError.invalid(priceParam, "The price specified is set to `type=recurring` but this field "
                        + "only accepts prices with `type=one_time`.");
            }
        } else if (priceData != null) {
            String product = (String) store.reference("products", "product", StripeCall.string(priceData, "product"),
                    "price_data[product]").get("id");
            price = catalog.newPrice(currency(StripeCall.string(priceData, "currency"), "price_data[currency]"),
                    product, priceData, null, false, "price_data");
        }
        if (price != null) {
            if (currency != null && !currency.equals(price.get("currency"))) {
                throw StripeError.invalid("currency", "The currency (" + currency + ") does not match the currency of "
                        + "the price (" + price.get("currency") + ").");
            }
            currency = (String) price.get("currency");
            unit = (String) price.get("unit_amount_decimal");
        } else if (currency == null) {
            throw StripeError.missingParameter("currency");
        }
        BigDecimal unitAmount = amount != null
                ? new BigDecimal(amount).divide(BigDecimal.valueOf(Math.max(qty, 1)), 12, RoundingMode.HALF_UP).stripTrailingZeros()
                : new BigDecimal(unit);
        item.put("amount", amount != null ? amount : round(unitAmount.multiply(BigDecimal.valueOf(qty))));
        item.put("currency", currency);
        item.put("net_amount", item.get("amount"));
        item.put("_price", price == null ? null : StripeStore.copy(price));
        item.put("pricing", price == null ? null : map("price_details", map("price", price.get("id"),
                "product", price.get("product")), "type", "price_details", "unit_amount_decimal", price.get("unit_amount_decimal")));
        item.put("quantity", qty);
        item.put("_unit_amount_decimal", unitAmount.stripTrailingZeros().toPlainString());
    }

    private static void applyPeriod(Map<String, Object> item, Map<String, Object> period) {
        if (period == null) return;
        Long start = StripeCall.integer(period, "start");
        Long end = StripeCall.integer(period, "end");
        if (end < start) throw StripeError.invalid("period[end]", "The period end must be at or after the period start.");
        item.put("period", map("end", end, "start", start));
    }

    private Object updateItem(StripeCall c) {
        Map<String, Object> item = item(c.pathParam("invoiceitem"));
        Map<String, Object> invoice = editableInvoiceOf(item);
        Map<String, Object> before = StripeStore.copy(item);
        if (c.has("description")) item.put("description", c.string("description"));
        if (c.bool("discountable") != null) item.put("discountable", c.bool("discountable"));
        applyPricing(item, c, false);
        applyPeriod(item, c.map("period"));
        StripeStore.applyMetadata(item, c.params().get("metadata"), "metadata");
        if (invoice != null && !invoice.get("currency").equals(item.get("currency"))) {
            throw StripeError.invalid("currency", "The currency of the invoice item must match the invoice's currency.");
        }
        store.emit("invoiceitem.updated", item, before);
        if (invoice != null) {
            List<Map<String, Object>> lines = lines(invoice);
            lines.replaceAll(line -> item.get("id").equals(line.get("_invoice_item")) ? lineFromItem(item) : line);
            recompute(invoice);
        }
        return item;
    }

    /** The draft invoice an item sits on (null when pending); items on finalized invoices are frozen. */
    private Map<String, Object> editableInvoiceOf(Map<String, Object> item) {
        Map<String, Object> invoice = store.find("invoices", (String) item.get("invoice"));
        if (invoice != null && !"draft".equals(invoice.get("status"))) {
            throw StripeError.state("invoice_not_editable", null, "The invoice item " + item.get("id")
                    + " is on invoice " + invoice.get("id") + ", which is no longer a draft, so it cannot be changed.");
        }
        return invoice;
    }

    private Object deleteItem(StripeCall c) {
        Map<String, Object> item = item(c.pathParam("invoiceitem"));
        Map<String, Object> invoice = editableInvoiceOf(item);
        if (invoice != null) {
            lines(invoice).removeIf(line -> item.get("id").equals(line.get("_invoice_item")));
            recompute(invoice);
        }
        store.remove("invoiceitems", (String) item.get("id"));
        store.emit("invoiceitem.deleted", item, null);
        return deletedStub(item);
    }

    private Object listItems(StripeCall c) {
        String customer = c.string("customer");
        String invoice = c.string("invoice");
        Boolean pending = c.bool("pending");
        return store.list("invoiceitems", "invoice item", o -> (customer == null || customer.equals(o.get("customer")))
                        && (invoice == null || invoice.equals(o.get("invoice")))
                        && (pending == null || pending == (o.get("invoice") == null)),
                c, "/v1/invoiceitems");
    }

    /** A pending proration item of a subscription, for its next invoice. */
    void prorationItem(Map<String, Object> sub, Map<String, Object> subItem, Map<String, Object> price, long quantity,
                       long amount, String description, long start, long end) {
        Map<String, Object> item = store.create("invoiceitem", StripeIds.next("ii_"));
        item.remove("created");
        item.put("amount", amount);
        item.put("currency", price.get("currency"));
        item.put("customer", sub.get("customer"));
        item.put("date", store.now());
        item.put("description", description);
        item.put("discountable", false);
        item.put("discounts", new ArrayList<>());
        item.put("invoice", null);
        item.put("net_amount", amount);
        item.put("parent", map("type", "subscription_details", "subscription_details",
                map("subscription", sub.get("id"), "subscription_item", subItem.get("id"))));
        item.put("period", map("end", end, "start", start));
        item.put("_price", StripeStore.copy(price));
        item.put("pricing", map("price_details", map("price", price.get("id"), "product", price.get("product")),
                "type", "price_details", "unit_amount_decimal", price.get("unit_amount_decimal")));
        item.put("proration", true);
        item.put("quantity", quantity);
        item.put("_subscription", sub.get("id"));
        item.put("_subscription_item", subItem.get("id"));
        item.put("tax_rates", new ArrayList<>());
        item.put("test_clock", null);
        item.put("_unit_amount_decimal", price.get("unit_amount_decimal"));
        store.add("invoiceitems", item);
        store.emit("invoiceitem.created", item, null);
    }

    // ---------------------------------------------------------------- invoices

    private Object createInvoice(StripeCall c) {
        if (c.string("customer") == null) throw StripeError.missingParameter("customer");
        Map<String, Object> customer = catalog.customer(c.string("customer"), "customer");
        Map<String, Object> sub = null;
        if (c.string("subscription") != null) {
            sub = store.reference("subscriptions", "subscription", c.string("subscription"), "subscription");
            sameCustomer(sub, customer, "subscription");
        }
        String collection = c.string("collection_method", "charge_automatically");
        Long days = c.integer("days_until_due");
        Long dueDate = c.integer("due_date");
        checkCollection(collection, days, dueDate);
        String subscriptionId = sub == null ? null : (String) sub.get("id");
        List<Map<String, Object>> pending = new ArrayList<>();
        if ("include".equals(c.string("pending_invoice_items_behavior", "exclude"))) {
            pending = pendingItems((String) customer.get("id"), subscriptionId);
        }
        String currency = c.string("currency") != null ? currency(c.string("currency"), "currency")
                : !pending.isEmpty() ? (String) pending.get(0).get("currency")
                : customer.get("currency") != null ? (String) customer.get("currency") : "usd";
        Map<String, Object> invoice = newInvoice(customer, currency, collection, days, dueDate, subscriptionId, "manual");
        invoice.put("auto_advance", Boolean.TRUE.equals(c.bool("auto_advance")));
        invoice.put("default_payment_method", c.string("default_payment_method"));
        invoice.put("description", c.string("description"));
        invoice.put("footer", c.string("footer"));
        invoice.put("statement_descriptor", c.string("statement_descriptor"));
        StripeStore.mergeInto(StripeStore.asMap(invoice.get("payment_settings")), c.map("payment_settings"));
        StripeStore.applyMetadata(invoice, c.params().get("metadata"), "metadata");
        store.add("invoices", invoice);
        for (Map<String, Object> item : pending) {
            if (currency.equals(item.get("currency"))) attach(invoice, item);
        }
        recompute(invoice);
        store.emit("invoice.created", invoice, null);
        return invoice;
    }

    private static void checkCollection(String collection, Long days, Long dueDate) {
        if (days != null && dueDate != null) throw StripeError.exclusive("days_until_due", "days_until_due", "due_date");
        if (collection.equals("send_invoice") && days == null && dueDate == null) {
            throw StripeError.missingParameter("days_until_due");
        }
        if (collection.equals("charge_automatically") && (days != null || dueDate != null)) {
            String param = days != null ? "days_until_due" : "due_date";
            throw StripeError.invalid(param, "You can only set `" + param + "` if `collection_method` is `send_invoice`.");
        }
        if (days != null && (days < 0 || days > 730)) {
            throw StripeError.invalid("days_until_due", "Invalid days_until_due: must be between 0 and 730.");
        }
    }

    private List<Map<String, Object>> pendingItems(String customer, String subscription) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> item : store.all("invoiceitems")) {
            if (customer.equals(item.get("customer")) && item.get("invoice") == null
                    && (subscription == null || subscription.equals(item.get("_subscription")))) {
                out.add(item);
            }
        }
        return out;
    }

    private void attach(Map<String, Object> invoice, Map<String, Object> item) {
        store.touch(item);
        item.put("invoice", invoice.get("id"));
        lines(invoice).add(lineFromItem(item));
    }

    private Map<String, Object> newInvoice(Map<String, Object> customer, String currency, String collection, Long days,
                                           Long dueDate, String subscription, String billingReason) {
        long now = store.now();
        String id = StripeIds.next("in_");
        Map<String, Object> invoice = store.create("invoice", id);
        invoice.put("account_country", "US");
        invoice.put("account_name", "revenue-bridge sandbox");
        invoice.put("amount_due", 0L);
        invoice.put("amount_overpaid", 0L);
        invoice.put("amount_paid", 0L);
        invoice.put("amount_remaining", 0L);
        invoice.put("amount_shipping", 0L);
        invoice.put("application", null);
        invoice.put("attempt_count", 0L);
        invoice.put("attempted", false);
        invoice.put("auto_advance", false);
        invoice.put("automatic_tax", map("enabled", false, "liability", null, "status", null));
        invoice.put("automatically_finalizes_at", null);
        invoice.put("billing_reason", billingReason);
        invoice.put("collection_method", collection);
        invoice.put("currency", currency);
        invoice.put("custom_fields", null);
        invoice.put("customer", customer.get("id"));
        invoice.put("customer_address", customer.get("address"));
        invoice.put("customer_email", customer.get("email"));
        invoice.put("customer_name", customer.get("name"));
        invoice.put("customer_phone", customer.get("phone"));
        invoice.put("customer_shipping", customer.get("shipping"));
        invoice.put("customer_tax_exempt", customer.get("tax_exempt"));
        invoice.put("customer_tax_ids", new ArrayList<>());
        invoice.put("_days_until_due", days);
        invoice.put("default_payment_method", null);
        invoice.put("default_source", null);
        invoice.put("default_tax_rates", new ArrayList<>());
        invoice.put("description", null);
        invoice.put("discounts", new ArrayList<>());
        invoice.put("due_date", days != null ? now + days * 86_400 : dueDate);
        invoice.put("effective_at", null);
        invoice.put("ending_balance", null);
        invoice.put("footer", null);
        invoice.put("from_invoice", null);
        invoice.put("hosted_invoice_url", null);
        invoice.put("invoice_pdf", null);
        invoice.put("issuer", map("type", "self"));
        invoice.put("last_finalization_error", null);
        invoice.put("latest_revision", null);
        Map<String, Object> lines = StripeStore.listObject(new ArrayList<>(), false, "/v1/invoices/" + id + "/lines");
        invoice.put("lines", lines);
        invoice.put("next_payment_attempt", null);
        invoice.put("number", null);
        invoice.put("on_behalf_of", null);
        invoice.put("parent", subscription == null ? null : map("quote_details", null, "subscription_details",
                map("metadata", new LinkedHashMap<>(), "subscription", subscription), "type", "subscription_details"));
        invoice.put("payment_settings", map("default_mandate", null, "payment_method_options", null,
                "payment_method_types", null));
        invoice.put("period_end", now);
        invoice.put("period_start", now);
        invoice.put("post_payment_credit_notes_amount", 0L);
        invoice.put("pre_payment_credit_notes_amount", 0L);
        invoice.put("receipt_number", null);
        invoice.put("rendering", null);
        invoice.put("shipping_cost", null);
        invoice.put("shipping_details", null);
        invoice.put("starting_balance", 0L);
        invoice.put("statement_descriptor", null);
        invoice.put("status", "draft");
        invoice.put("status_transitions", map("finalized_at", null, "marked_uncollectible_at", null, "paid_at", null,
                "voided_at", null));
        invoice.put("amount_paid_off_stripe", 0L);
        invoice.put("subtotal", 0L);
        invoice.put("subtotal_excluding_tax", 0L);
        invoice.put("test_clock", null);
        invoice.put("total", 0L);
        invoice.put("total_discount_amounts", new ArrayList<>());
        invoice.put("total_excluding_tax", 0L);
        invoice.put("total_pretax_credit_amounts", new ArrayList<>());
        invoice.put("total_taxes", new ArrayList<>());
        invoice.put("webhooks_delivered_at", null);
        return invoice;
    }

    /**
     * A subscription's invoice: the given lines plus the subscription's pending items, finalized at once (as Stripe
     * does for a subscription's first invoice) and, when {@code pay}, paid with the default payment method.
     */
    Map<String, Object> subscriptionInvoice(Map<String, Object> sub, Map<String, Object> customer, String billingReason,
                                            List<Map<String, Object>> lines, boolean pay) {
        Map<String, Object> invoice = newInvoice(customer, (String) sub.get("currency"),
                (String) sub.get("collection_method"), (Long) sub.get("days_until_due"), null,
                (String) sub.get("id"), billingReason);
        invoice.put("auto_advance", true);
        invoice.put("period_end", sub.get("_current_period_end"));
        invoice.put("period_start", sub.get("_current_period_start"));
        asMap(asMap(invoice.get("parent")).get("subscription_details")).put("metadata", StripeStore.copy(sub.get("metadata")));
        store.add("invoices", invoice);
        for (Map<String, Object> line : lines) {
            line.put("invoice", invoice.get("id"));
            lines(invoice).add(line);
        }
        for (Map<String, Object> item : pendingItems((String) sub.get("customer"), (String) sub.get("id"))) {
            attach(invoice, item);
        }
        recompute(invoice);
        store.emit("invoice.created", invoice, null);
        finalize(invoice, null);
        if ("charge_automatically".equals(invoice.get("collection_method")) && "open".equals(invoice.get("status"))) {
            if (pay) markPaid(invoice, false);
        }
        return invoice;
    }

    /** A line of a subscription invoice for one item over [start, end). */
    Map<String, Object> subscriptionLine(Map<String, Object> sub, Map<String, Object> item, long amount, long start,
                                         long end, boolean proration, String description) {
        Map<String, Object> price = asMap(item.get("price"));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", StripeIds.next("il_"));
        line.put("object", "line_item");
        line.put("amount", amount);
        line.put("currency", price.get("currency"));
        line.put("description", description);
        line.put("discount_amounts", new ArrayList<>());
        line.put("discountable", true);
        line.put("discounts", new ArrayList<>());
        line.put("invoice", null);
        line.put("livemode", false);
        line.put("metadata", StripeStore.copy(sub.get("metadata")));
        line.put("parent", map("invoice_item_details", null, "subscription_item_details", map("invoice_item", null,
                "proration", proration, "proration_details", map("credited_items", null), "subscription", sub.get("id"),
                "subscription_item", item.get("id")), "type", "subscription_item_details"));
        line.put("period", map("end", end, "start", start));
        line.put("pretax_credit_amounts", new ArrayList<>());
        line.put("pricing", map("price_details", map("price", price.get("id"), "product", price.get("product")),
                "type", "price_details", "unit_amount_decimal", price.get("unit_amount_decimal")));
        line.put("quantity", item.get("quantity"));
        line.put("subscription", sub.get("id"));
        line.put("subtotal", amount);
        line.put("taxes", new ArrayList<>());
        return line;
    }

    /** The invoice line an invoice item becomes (the item's id kept for the sandbox as {@code _invoice_item}). */
    private static Map<String, Object> lineFromItem(Map<String, Object> item) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", StripeIds.next("il_"));
        line.put("object", "line_item");
        line.put("amount", item.get("amount"));
        line.put("currency", item.get("currency"));
        line.put("description", item.get("description"));
        line.put("discount_amounts", new ArrayList<>());
        line.put("discountable", item.get("discountable"));
        line.put("discounts", new ArrayList<>());
        line.put("invoice", item.get("invoice"));
        line.put("_invoice_item", item.get("id"));
        line.put("livemode", false);
        line.put("metadata", StripeStore.copy(item.get("metadata")));
        Map<String, Object> details = map("invoice_item", item.get("id"), "proration", item.get("proration"),
                "proration_details", map("credited_items", null), "subscription", item.get("_subscription"));
        line.put("parent", item.get("_subscription_item") != null
                ? map("invoice_item_details", null, "subscription_item_details", withItem(details, item),
                        "type", "subscription_item_details")
                : map("invoice_item_details", details, "subscription_item_details", null, "type", "invoice_item_details"));
        line.put("period", StripeStore.copy(item.get("period")));
        line.put("pretax_credit_amounts", new ArrayList<>());
        line.put("pricing", StripeStore.copy(item.get("pricing")));
        line.put("quantity", item.get("quantity"));
        line.put("subscription", item.get("_subscription"));
        line.put("subtotal", item.get("amount"));
        line.put("taxes", new ArrayList<>());
        return line;
    }

    private static Map<String, Object> withItem(Map<String, Object> details, Map<String, Object> item) {
        details.put("subscription_item", item.get("_subscription_item"));
        return details;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lines(Map<String, Object> invoice) {
        return (List<Map<String, Object>>) asMap(invoice.get("lines")).get("data");
    }

    /** Totals follow the lines: no tax, no discounts, no customer balance. */
    private static void recompute(Map<String, Object> invoice) {
        long subtotal = 0;
        for (Map<String, Object> line : lines(invoice)) {
            subtotal += (Long) line.get("amount");
        }
        invoice.put("subtotal", subtotal);
        invoice.put("subtotal_excluding_tax", subtotal);
        invoice.put("total", subtotal);
        invoice.put("total_excluding_tax", subtotal);
        long due = Math.max(0, subtotal);
        invoice.put("amount_due", due);
        invoice.put("amount_remaining", due - (Long) invoice.get("amount_paid"));

    }

    private Object updateInvoice(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        Map<String, Object> before = StripeStore.copy(invoice);
        boolean draft = "draft".equals(invoice.get("status"));
        for (String name : c.params().keySet()) {
            if (!draft && !EDITABLE_WHEN_FINALIZED.contains(name)) {
                throw StripeError.state("invoice_not_editable", name, "You can only update `" + name
                        + "` on draft invoices; invoice " + invoice.get("id") + " is " + invoice.get("status") + ".");
            }
        }
        if (c.bool("auto_advance") != null) {
            if (!draft && !"open".equals(invoice.get("status"))) {
                throw StripeError.state("invoice_not_editable", "auto_advance",
                        "Automatic advancement can only be changed on draft and open invoices.");
            }
            invoice.put("auto_advance", c.bool("auto_advance"));
        }
        if (c.has("collection_method") || c.has("days_until_due") || c.has("due_date")) {
            String collection = c.string("collection_method", (String) invoice.get("collection_method"));
            boolean sendInvoice = collection.equals("send_invoice");
            Long days = c.has("days_until_due") ? c.integer("days_until_due")
                    : sendInvoice && !c.has("due_date") ? (Long) invoice.get("_days_until_due") : null;
            Long dueDate = c.has("due_date") ? c.integer("due_date")
                    : sendInvoice && days == null ? (Long) invoice.get("due_date") : null;
            checkCollection(collection, days, dueDate);
            invoice.put("collection_method", collection);
            invoice.put("_days_until_due", days);
            invoice.put("due_date", days != null ? (Long) invoice.get("created") + days * 86_400 : dueDate);
        }
        for (String field : List.of("default_payment_method", "description", "footer", "statement_descriptor")) {
            if (c.has(field)) invoice.put(field, c.string(field));
        }
        StripeStore.applyMetadata(invoice, c.params().get("metadata"), "metadata");
        store.emit("invoice.updated", invoice, before);
        return invoice;
    }

    private Object deleteInvoice(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        if (!"draft".equals(invoice.get("status"))) {
            throw StripeError.state("invoice_not_editable", null, "You can only delete draft invoices; invoice "
                    + invoice.get("id") + " is " + invoice.get("status") + ". Void it instead.");
        }
        for (Map<String, Object> item : store.all("invoiceitems")) {
            if (invoice.get("id").equals(item.get("invoice"))) {
                store.touch(item);
                item.put("invoice", null);
            }
        }
        store.remove("invoices", (String) invoice.get("id"));
        store.emit("invoice.deleted", invoice, null);
        return deletedStub(invoice);
    }

    private Object listInvoices(StripeCall c) {
        String customer = c.string("customer");
        String subscription = c.string("subscription");
        String status = c.string("status");
        String collection = c.string("collection_method");
        return store.list("invoices", "invoice", o -> (customer == null || customer.equals(o.get("customer")))
                        && (subscription == null || subscription.equals(subscriptionOf(o)))
                        && (status == null || status.equals(o.get("status")))
                        && (collection == null || collection.equals(o.get("collection_method"))),
                c, "/v1/invoices");
    }

    private Object listLines(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        return store.page(lines(invoice), c, "/v1/invoices/" + invoice.get("id") + "/lines", null, "invoice line item");
    }

    /**
     * Adds lines to a draft invoice in one request (docs.stripe.com/api/invoices/add_lines, since 2024-09-30.acacia):
     * each line becomes an invoice item on the invoice, priced as {@code POST /v1/invoiceitems} prices one; at most
     * 50 lines per request. Nothing is added when one line is refused.
     */
    private Object addLines(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        List<Object> lines = c.list("lines");
        if (lines == null || lines.isEmpty()) throw StripeError.missingParameter("lines");
        if (lines.size() > 50) throw StripeError.invalid("lines", "You can add at most 50 lines in one request.");
        if (!"draft".equals(invoice.get("status"))) {
            throw StripeError.state("invoice_not_editable", "lines", "You can only add lines to draft invoices; "
                    + "invoice " + invoice.get("id") + " is " + invoice.get("status") + ".");
        }
        for (Object line : lines) {
            Map<String, Object> params = new LinkedHashMap<>(asMap(line));
            if (params.containsKey("invoice_item")) {
                throw StripeError.invalid("lines[invoice_item]", "The revenue-bridge Stripe sandbox does not simulate "
                        + "adding existing invoice items as lines.");
            }
            params.put("customer", invoice.get("customer"));
            params.put("invoice", invoice.get("id"));
            createItem(new StripeCall("POST", Map.of(), params));
        }
        StripeStore.applyMetadata(invoice, c.params().get("invoice_metadata"), "invoice_metadata");
        return invoice;
    }

    private Object finalizeInvoice(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        finalize(invoice, c.bool("auto_advance"));
        return invoice;
    }

    /**
     * draft -> open: the customer's next number ({@code PREFIX-0001}), the due date counted from now, the hosted
     * page. An invoice with nothing to pay is paid at once.
     */
    private void finalize(Map<String, Object> invoice, Boolean autoAdvance) {
        if (!"draft".equals(invoice.get("status"))) {
            throw StripeError.state("invoice_not_editable", null,
                    "This invoice is already finalized, you can't re-finalize a non-draft invoice.");
        }
        Map<String, Object> before = StripeStore.copy(invoice);
        long now = store.now();
        Map<String, Object> customer = store.find("customers", (String) invoice.get("customer"));
        long sequence = customer.get("next_invoice_sequence") instanceof Long n ? n : 1L;
        customer.put("next_invoice_sequence", sequence + 1);
        if (customer.get("currency") == null) customer.put("currency", invoice.get("currency"));
        String token = StripeIds.next("test_");
        invoice.put("number", customer.get("invoice_prefix") + "-" + String.format("%04d", sequence));
        invoice.put("status", "open");
        invoice.put("effective_at", now);
        invoice.put("ending_balance", invoice.get("starting_balance"));
        invoice.put("hosted_invoice_url", "https://invoice.stripe.com/i/acct_sandbox/" + token);
        invoice.put("invoice_pdf", "https://pay.stripe.com/invoice/acct_sandbox/" + token + "/pdf");
        if (invoice.get("_days_until_due") instanceof Long days) invoice.put("due_date", now + days * 86_400);
        if (autoAdvance != null) invoice.put("auto_advance", autoAdvance);
        asMap(invoice.get("status_transitions")).put("finalized_at", now);
        payments.openDefault(invoice);
        store.emit("invoice.finalized", invoice, before);
        if ((Long) invoice.get("amount_due") == 0) markPaid(invoice, false);
    }

    private void markPaid(Map<String, Object> invoice, boolean outOfBand) {
        markPaid(invoice, outOfBand, null);
    }

    /**
     * Pays what remains of the invoice: through its default InvoicePayment (a PaymentIntent and its charge), or out of
     * band (recorded as {@code amount_paid_off_stripe}, with no payment object, as Stripe does since basil).
     */
    private void markPaid(Map<String, Object> invoice, boolean outOfBand, String paymentMethod) {
        long remaining = (Long) invoice.get("amount_remaining");
        if (!outOfBand && remaining > 0) {
            pay(invoice, remaining, paymentMethod);
            return;
        }
        Map<String, Object> before = StripeStore.copy(invoice);
        if (outOfBand) {
            payments.cancelOpen(invoice);
            invoice.put("amount_paid_off_stripe", (Long) invoice.get("amount_paid_off_stripe") + remaining);
        }
        invoice.put("amount_paid", (Long) invoice.get("amount_paid") + remaining);
        settle(invoice, before);
    }

    /**
     * A payment of {@code amount} (at most what remains) on an open invoice; when it pays the rest the invoice is paid
     * (invoice.paid, invoice.payment_succeeded), otherwise it stays open with a smaller amount_remaining.
     */
    Map<String, Object> pay(Map<String, Object> invoice, long amount, String paymentMethod) {
        long remaining = (Long) invoice.get("amount_remaining");
        if (!"open".equals(invoice.get("status"))) {
            throw StripeError.state("invoice_not_editable", null, "Only open invoices can take a payment; invoice "
                    + invoice.get("id") + " is " + invoice.get("status") + ".");
        }
        if (amount <= 0 || amount > remaining) {
            throw StripeError.invalid("amount", "The payment (" + amount + ") must be positive and at most the "
                    + "invoice's amount_remaining (" + remaining + ").");
        }
        Map<String, Object> before = StripeStore.copy(invoice);
        Map<String, Object> payment = payments.collect(invoice, amount, paymentMethod);
        invoice.put("amount_paid", (Long) invoice.get("amount_paid") + amount);
        invoice.put("amount_remaining", remaining - amount);
        invoice.put("attempt_count", (Long) invoice.get("attempt_count") + 1);
        invoice.put("attempted", true);
        if (remaining - amount > 0) {
            store.emit("invoice.updated", invoice, before);
        } else {
            settle(invoice, before);
            store.emit("invoice.payment_succeeded", invoice, null);
        }
        return payment;
    }

    private void settle(Map<String, Object> invoice, Map<String, Object> before) {
        invoice.put("amount_remaining", 0L);
        invoice.put("auto_advance", false);
        invoice.put("status", "paid");
        invoice.put("next_payment_attempt", null);
        asMap(invoice.get("status_transitions")).put("paid_at", store.now());
        store.emit("invoice.paid", invoice, before);
    }

    private Object payInvoice(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        String status = (String) invoice.get("status");
        if (status.equals("paid")) throw StripeError.state("invoice_already_paid", null, "Invoice is already paid");
        if (status.equals("void")) throw StripeError.state(null, null, "You cannot pay a void invoice.");
        boolean outOfBand = Boolean.TRUE.equals(c.bool("paid_out_of_band"));
        Map<String, Object> customer = store.find("customers", (String) invoice.get("customer"));
        boolean paymentMethod = c.string("payment_method") != null || c.string("source") != null
                || invoice.get("default_payment_method") != null
                || StripeCall.string(asMap(customer.get("invoice_settings")), "default_payment_method") != null;
        if (!outOfBand && !paymentMethod) {
            throw StripeError.state(null, null,
                    "This customer has no attached payment source or default payment method.");
        }
        if (status.equals("draft")) finalize(invoice, null);
        if (!"paid".equals(invoice.get("status"))) {
            markPaid(invoice, outOfBand, c.string("payment_method"));
        }
        return invoice;
    }

    /** The subscription an invoice bills, as basil and later name it: {@code parent.subscription_details.subscription}. */
    static String subscriptionOf(Map<String, Object> invoice) {
        Map<String, Object> details = asMap(asMap(invoice.get("parent")) == null ? null
                : asMap(invoice.get("parent")).get("subscription_details"));
        return details == null ? null : (String) details.get("subscription");
    }

    private Object voidInvoice(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        String status = (String) invoice.get("status");
        if (!status.equals("open") && !status.equals("uncollectible")) {
            throw StripeError.state(null, null, "You can only void open or uncollectible invoices; this invoice is `"
                    + status + "`.");
        }
        Map<String, Object> before = StripeStore.copy(invoice);
        payments.cancelOpen(invoice);
        invoice.put("status", "void");
        invoice.put("auto_advance", false);
        asMap(invoice.get("status_transitions")).put("voided_at", store.now());
        store.emit("invoice.voided", invoice, before);
        return invoice;
    }

    private Object markUncollectible(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        if (!"open".equals(invoice.get("status"))) {
            throw StripeError.state(null, null, "You can only mark open invoices as uncollectible; this invoice is `"
                    + invoice.get("status") + "`.");
        }
        Map<String, Object> before = StripeStore.copy(invoice);
        invoice.put("status", "uncollectible");
        invoice.put("auto_advance", false);
        asMap(invoice.get("status_transitions")).put("marked_uncollectible_at", store.now());
        store.emit("invoice.marked_uncollectible", invoice, before);
        return invoice;
    }

    private Object sendInvoice(StripeCall c) {
        Map<String, Object> invoice = invoice(c.pathParam("invoice"));
        if (!"send_invoice".equals(invoice.get("collection_method"))) {
            throw StripeError.state(null, null,
                    "You can only manually send an invoice if its collection method is 'send_invoice'.");
        }
        if ("draft".equals(invoice.get("status"))) finalize(invoice, null);
        if (!"open".equals(invoice.get("status"))) {
            throw StripeError.state(null, null, "You can only send open invoices; this invoice is `"
                    + invoice.get("status") + "`.");
        }
        store.emit("invoice.sent", invoice, null);
        return invoice;
    }

    // ---------------------------------------------------------------- money

    /** A lower-case ISO 4217 code, as Stripe stores currencies. */
    static String currency(String code, String param) {
        try {
            Currency.getInstance(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw StripeError.invalid(param, "Invalid currency: " + code + ". Stripe currently supports these "
                    + "currencies: usd, eur, gbp, ... (see https://stripe.com/docs/currencies)");
        }
        return code.toLowerCase(Locale.ROOT);
    }

    /** What {@code quantity} units of a price come to, in minor units (a fractional unit amount rounds half up). */
    static long amountFor(Map<String, Object> price, long quantity) {
        return round(new BigDecimal((String) price.get("unit_amount_decimal")).multiply(BigDecimal.valueOf(quantity)));
    }

    private static long round(BigDecimal minorUnits) {
        return minorUnits.setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    String productName(Map<String, Object> price) {
        Map<String, Object> product = store.find("products", (String) price.get("product"));
        return product == null || product.get("name") == null ? (String) price.get("product") : (String) product.get("name");
    }

    /** Stripe's line description, e.g. {@code 1 × Platform subscription (at $10,000.00 / month)}. */
    String describe(long quantity, Map<String, Object> price) {
        String what = quantity + " × " + productName(price);
        Map<String, Object> recurring = asMap(price.get("recurring"));
        if (recurring == null) return what;
        long count = (Long) recurring.get("interval_count");
        String every = count == 1 ? (String) recurring.get("interval") : "every " + count + " " + recurring.get("interval") + "s";
        return what + " (at " + money((String) price.get("currency"), new BigDecimal((String) price.get("unit_amount_decimal")))
                + " / " + every + ")";
    }

    private static String money(String currency, BigDecimal minorUnits) {
        boolean zeroDecimal = ZERO_DECIMAL.contains(currency);
        DecimalFormat format = new DecimalFormat(zeroDecimal ? "#,##0" : "#,##0.00", DecimalFormatSymbols.getInstance(Locale.US));
        String amount = format.format(zeroDecimal ? minorUnits : minorUnits.movePointLeft(2));
        return switch (currency) {
            case "usd" -> "$" + amount;
            case "eur" -> "€" + amount;
            case "gbp" -> "£" + amount;
            default -> currency.toUpperCase(Locale.ROOT) + " " + amount;
        };
    }
}
