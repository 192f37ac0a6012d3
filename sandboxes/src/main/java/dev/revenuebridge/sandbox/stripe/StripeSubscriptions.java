package dev.revenuebridge.sandbox.stripe;

import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.PAGINATION;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.of;
import static dev.revenuebridge.sandbox.stripe.StripeStore.asMap;
import static dev.revenuebridge.sandbox.stripe.StripeStore.map;
import static dev.revenuebridge.sandbox.stripe.StripeStore.mergeInto;
import static dev.revenuebridge.sandbox.stripe.StripeStore.param;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Subscriptions: items on recurring prices, billing periods on a calendar grid from the billing cycle anchor,
 * backdating, trials, cancellation, prorations, and the first invoice Stripe issues at creation.
 */
final class StripeSubscriptions {

    private static final Set<String> SUBSCRIPTION_ITEM_FIELDS = Set.of("price", "price_data", "quantity", "metadata");
    /** Marks an item a schedule's phase brings: its price (made inline for the schedule, so inactive) is used as is. */
    static final String FROM_SCHEDULE = "_from_schedule";
    /** The schedule that starts a subscription (an internal parameter of {@link #createForSchedule}). */
    private static final String SCHEDULE = "_schedule";

    private final StripeStore store;
    private final StripeCatalog catalog;
    private final StripeInvoicing invoicing;

    StripeSubscriptions(StripeStore store, StripeCatalog catalog, StripeInvoicing invoicing) {
        this.store = store;
        this.catalog = catalog;
        this.invoicing = invoicing;
    }

    void register(Map<String, StripeEndpoint> endpoints) {
        endpoints.put("DELETE /v1/customers/{customer}", of(this::deleteCustomer));
        endpoints.put("POST /v1/subscriptions", of(this::createSubscription, "backdate_start_date",
                "billing_cycle_anchor", "cancel_at", "cancel_at_period_end", "collection_method", "currency",
                "customer", "days_until_due", "default_payment_method", "description", "items", "metadata",
                "payment_behavior", "payment_settings", "proration_behavior", "trial_end", "trial_period_days"));
        endpoints.put("GET /v1/subscriptions/{subscription_exposed_id}",
                of(c -> store.require("subscriptions", "subscription", c.pathParam("subscription_exposed_id"))));
        endpoints.put("POST /v1/subscriptions/{subscription_exposed_id}", of(this::updateSubscription, "cancel_at",
                "cancel_at_period_end", "cancellation_details", "collection_method", "days_until_due",
                "default_payment_method", "description", "items", "metadata", "payment_settings",
                "proration_behavior"));
        endpoints.put("DELETE /v1/subscriptions/{subscription_exposed_id}",
                of(this::cancelSubscription, "cancellation_details", "invoice_now", "prorate"));
        endpoints.put("GET /v1/subscriptions", of(this::listSubscriptions, PAGINATION, "collection_method", "customer",
                "price", "status"));
        endpoints.put("GET /v1/subscriptions/search",
                of(c -> store.search("subscriptions", c, "/v1/subscriptions/search"), "query", "limit", "page"));
    }

    // ---------------------------------------------------------------- subscriptions

    private Object createSubscription(StripeCall c) {
        Map<String, Object> customer = catalog.customer(c.string("customer"), "customer");
        List<Object> itemParams = c.list("items");
        if (itemParams == null || itemParams.isEmpty()) throw StripeError.missingParameter("items");
        if (itemParams.size() > 20) throw StripeError.invalid("items", "A subscription can have at most 20 items.");
        String collection = c.string("collection_method", "charge_automatically");
        Long days = c.integer("days_until_due");
        checkCollection(collection, days);
        long now = store.now();
        Long backdate = c.integer("backdate_start_date");
        if (backdate != null && backdate >= now) {
            throw StripeError.invalid("backdate_start_date", "The backdated subscription start date must be in the past.");
        }
        long start = backdate != null ? backdate : now;
        String id = StripeIds.next("sub_");
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < itemParams.size(); i++) {
            items.add(newItem(id, asMap(itemParams.get(i)), "items[" + i + "]"));
        }
        checkItemsAgree(items, c.string("currency"));
        Map<String, Object> recurring = recurringOf(items.get(0));

        Long trialEnd = c.integer("trial_end");
        if (c.integer("trial_period_days") != null) trialEnd = start + c.integer("trial_period_days") * 86_400;
        if (trialEnd != null && trialEnd <= now) {
            throw StripeError.invalid("trial_end", "Invalid timestamp: must be an integer Unix timestamp in the future.");
        }
        Long anchorParam = c.integer("billing_cycle_anchor");
        if (anchorParam != null && anchorParam < start) {
            throw StripeError.invalid("billing_cycle_anchor",
                    "billing_cycle_anchor cannot be earlier than the start date of the subscription.");
        }
        // "a future UNIX timestamp before the next natural subscription billing date"
        // (docs.stripe.com/payments/checkout/billing-cycle; the API answers as below): a later start is what
        // subscription schedules are for
        long natural = step(start, recurring, 1);
        if (anchorParam != null && trialEnd == null && anchorParam > natural) {
            throw StripeError.invalid("billing_cycle_anchor", "billing_cycle_anchor cannot be later than next "
                    + "natural billing date (" + natural + ") for plan");
        }
        long anchor = anchorParam != null ? anchorParam : trialEnd != null ? trialEnd : start;
        Long cancelAt = c.integer("cancel_at");
        if (cancelAt != null && cancelAt <= start) {
            throw StripeError.invalid("cancel_at", "cancel_at must be after the start date of the subscription.");
        }
        boolean endedAlready = cancelAt != null && cancelAt <= now;
        // a billing_cycle_anchor in the future: the first period runs from the start to the anchor (Stripe bills it
        // prorated, or nothing with proration_behavior=none), full periods begin at the anchor
        boolean anchoredAhead = trialEnd == null && anchorParam != null && anchorParam > start;
        long[] period = trialEnd != null ? new long[] {start, trialEnd}
                : anchoredAhead ? new long[] {start, anchorParam}
                : periodAt(anchor, recurring, endedAlready ? cancelAt - 1 : now);
        long periodStart = Math.max(start, period[0]);
        long periodEnd = cancelAt != null && cancelAt < period[1] ? cancelAt : period[1];
        if (Boolean.TRUE.equals(c.bool("cancel_at_period_end")) && cancelAt == null) cancelAt = periodEnd;

        boolean paymentMethod = c.string("default_payment_method") != null || hasPaymentMethod(customer);
        String paymentBehavior = c.string("payment_behavior", "allow_incomplete");
        String status;
        if (endedAlready) status = "canceled";
        else if (trialEnd != null) status = "trialing";
        else if (collection.equals("charge_automatically") && !paymentMethod) {
            if (!paymentBehavior.equals("default_incomplete")) {
                throw StripeError.state("resource_missing", null, "This customer has no attached payment source or "
                        + "default payment method. Please consider adding a default payment method. For more "
                        + "information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting"
                        + "#payment-method-priority.");
            }
            status = "incomplete";
        } else status = "active";

        Map<String, Object> sub = store.create("subscription", id);
        sub.put("application", null);
        sub.put("application_fee_percent", null);
        sub.put("automatic_tax", map("enabled", false, "liability", null));
        sub.put("billing_mode", map("flexible", null, "type", "flexible", "updated_at", null));
        sub.put("billing_cycle_anchor", anchor);
        sub.put("billing_cycle_anchor_config", null);
        sub.put("cancel_at", cancelAt);
        sub.put("cancel_at_period_end", Boolean.TRUE.equals(c.bool("cancel_at_period_end")));
        sub.put("canceled_at", endedAlready ? now : null);
        sub.put("cancellation_details", map("comment", null, "feedback", null,
                "reason", endedAlready ? "cancellation_requested" : null));
        sub.put("collection_method", collection);
        sub.put("currency", asMap(items.get(0).get("price")).get("currency"));
        sub.put("_current_period_end", periodEnd);
        sub.put("_current_period_start", periodStart);
        sub.put("customer", customer.get("id"));
        sub.put("days_until_due", days);
        sub.put("default_payment_method", c.string("default_payment_method"));
        sub.put("default_source", null);
        sub.put("default_tax_rates", new ArrayList<>());
        sub.put("description", c.string("description"));
        sub.put("discounts", new ArrayList<>());
        sub.put("ended_at", endedAlready ? cancelAt : null);
        sub.put("invoice_settings", map("account_tax_ids", null, "issuer", map("type", "self")));
        items.forEach(item -> {
            item.put("current_period_end", periodEnd);
            item.put("current_period_start", periodStart);
        });
        sub.put("items", itemList(id, items));
        sub.put("latest_invoice", null);
        sub.put("next_pending_invoice_item_invoice", null);
        sub.put("on_behalf_of", null);
        sub.put("pause_collection", null);
        Map<String, Object> paymentSettings = map("payment_method_options", null, "payment_method_types", null,
                "save_default_payment_method", "off");
        mergeInto(paymentSettings, c.map("payment_settings"));
        sub.put("payment_settings", paymentSettings);
        sub.put("pending_invoice_item_interval", null);
        sub.put("pending_setup_intent", null);
        sub.put("pending_update", null);
        sub.put("schedule", c.params().get(SCHEDULE) instanceof String s ? s : null);   // set when a schedule starts it
        sub.put("start_date", start);
        sub.put("status", status);
        sub.put("test_clock", null);
        sub.put("transfer_data", null);
        sub.put("trial_end", trialEnd);
        sub.put("trial_settings", map("end_behavior", map("missing_payment_method", "create_invoice")));
        sub.put("trial_start", trialEnd != null ? start : null);
        StripeStore.applyMetadata(sub, c.params().get("metadata"), "metadata");
        store.add("subscriptions", sub);
        Map<String, Object> created = store.emit("customer.subscription.created", sub, null);

        boolean prorate = !"none".equals(c.string("proration_behavior"));
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Map<String, Object> item : items) {
            Map<String, Object> price = asMap(item.get("price"));
            long quantity = (Long) item.get("quantity");
            long perPeriod = StripeInvoicing.amountFor(price, quantity);
            String description = invoicing.describe(quantity, price);
            if (trialEnd != null) {
                lines.add(invoicing.subscriptionLine(sub, item, 0, start, trialEnd, false,
                        "Trial period for " + invoicing.productName(price)));
                continue;
            }
            if (anchoredAhead) {
                long amount = prorate ? charge(perPeriod, anchor, recurring, start, anchorParam) : 0;
                lines.add(invoicing.subscriptionLine(sub, item, amount, start, anchorParam, prorate,
                        (prorate ? "Remaining time on " : "Until the billing anchor, ") + description + " until " + date(anchorParam)));
                continue;
            }
            if (prorate && periodStart > start) {
                lines.add(invoicing.subscriptionLine(sub, item, charge(perPeriod, anchor, recurring, start, periodStart),
                        start, periodStart, true, "Remaining time on " + description + " after " + date(start)));
            }
            lines.add(invoicing.subscriptionLine(sub, item, charge(perPeriod, anchor, recurring, periodStart, periodEnd),
                    periodStart, periodEnd, false, description));
        }
        boolean pay = collection.equals("charge_automatically") && paymentMethod && !status.equals("incomplete");
        Map<String, Object> invoice = invoicing.subscriptionInvoice(sub, customer, "subscription_create", lines, pay);
        sub.put("latest_invoice", invoice.get("id"));
        asMap(asMap(created.get("data")).get("object")).put("latest_invoice", invoice.get("id"));
        return sub;
    }

    private static boolean hasPaymentMethod(Map<String, Object> customer) {
        return customer.get("default_source") != null
                || StripeCall.string(asMap(customer.get("invoice_settings")), "default_payment_method") != null;
    }

    /** Whether the subscription's invoices are charged to a payment method on finalization. */
    private boolean paysAutomatically(Map<String, Object> sub) {
        Map<String, Object> customer = store.find("customers", (String) sub.get("customer"));
        return "charge_automatically".equals(sub.get("collection_method"))
                && (sub.get("default_payment_method") != null || customer != null && hasPaymentMethod(customer));
    }

    private static void checkCollection(String collection, Long days) {
        if (collection.equals("send_invoice") && days == null) throw StripeError.missingParameter("days_until_due");
        if (collection.equals("charge_automatically") && days != null) {
            throw StripeError.invalid("days_until_due",
                    "You can only set `days_until_due` if `collection_method` is `send_invoice`.");
        }
        if (days != null && (days < 0 || days > 730)) {
            throw StripeError.invalid("days_until_due", "Invalid days_until_due: must be between 0 and 730.");
        }
    }

    /** A subscription item from {@code items[n]} parameters: a recurring price by id or inline {@code price_data}. */
    private Map<String, Object> newItem(String subscriptionId, Map<String, Object> p, String param) {
        checkItemFields(p, param);
        Map<String, Object> price = itemPrice(p, param);
        Long quantity = StripeCall.integer(p, "quantity");
        if (quantity != null && quantity < 0) {
            throw StripeError.invalid(param + "[quantity]", "This value must be greater than or equal to 0.");
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", StripeIds.next("si_"));
        item.put("object", "subscription_item");
        item.put("billing_thresholds", null);
        item.put("created", store.now());
        item.put("discounts", new ArrayList<>());
        item.put("metadata", new LinkedHashMap<String, Object>());
        item.put("plan", plan(price));
        item.put("price", StripeStore.copy(price));
        item.put("quantity", quantity == null ? 1L : quantity);
        item.put("subscription", subscriptionId);
        item.put("tax_rates", new ArrayList<>());
        StripeStore.applyMetadata(item, p.get("metadata"), param + "[metadata]");
        return item;
    }

    private static void checkItemFields(Map<String, Object> p, String param) {
        for (String key : p.keySet()) {
            if (key.equals(FROM_SCHEDULE)) continue;
            if (!SUBSCRIPTION_ITEM_FIELDS.contains(key)) {
                throw StripeError.invalid(param + "[" + key + "]", "The revenue-bridge Stripe sandbox does not simulate "
                        + "the parameter '" + param + "[" + key + "]' (Stripe accepts it; the sandbox would ignore it).");
            }
        }
    }

    private Map<String, Object> itemPrice(Map<String, Object> p, String param) {
        String priceId = StripeCall.string(p, "price");
        Map<String, Object> data = StripeCall.map(p, "price_data");
        if (priceId != null && data != null) throw StripeError.exclusive(param + "[price]", "price", "price_data");
        if (priceId != null) {
            Map<String, Object> price = store.reference("prices", "price", priceId, param + "[price]");
            if (!"recurring".equals(price.get("type"))) {
                throw StripeError.invalid(param + "[price]", "The price specified is set to `type=one_time` but this "
                        + "field only accepts prices with `type=recurring`.");
            }
            if (!Boolean.TRUE.equals(price.get("active")) && !Boolean.TRUE.equals(p.get(FROM_SCHEDULE))) {
                throw StripeError.invalid(param + "[price]",
                        "The price specified is inactive. This field only accepts active prices.");
            }
            return price;
        }
        if (data == null) throw StripeError.missingParameter(param + "[price]");
        String product = (String) store.reference("products", "product", StripeCall.string(data, "product"),
                param + "[price_data][product]").get("id");
        Map<String, Object> price = catalog.newPrice(StripeCall.string(data, "currency"), product, data,
                StripeCall.map(data, "recurring"), false, param + "[price_data]");
        if (StripeCall.string(data, "tax_behavior") != null) price.put("tax_behavior", data.get("tax_behavior"));
        return price;
    }

    /** The legacy plan view of a recurring price, which Stripe still returns on subscription items. */
    private static Map<String, Object> plan(Map<String, Object> price) {
        Map<String, Object> recurring = asMap(price.get("recurring"));
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("id", price.get("id"));
        plan.put("object", "plan");
        plan.put("active", price.get("active"));
        plan.put("amount", price.get("unit_amount"));
        plan.put("amount_decimal", price.get("unit_amount_decimal"));
        plan.put("billing_scheme", "per_unit");
        plan.put("created", price.get("created"));
        plan.put("currency", price.get("currency"));
        plan.put("interval", recurring.get("interval"));
        plan.put("interval_count", recurring.get("interval_count"));
        plan.put("livemode", false);
        plan.put("metadata", new LinkedHashMap<>());
        plan.put("nickname", price.get("nickname"));
        plan.put("product", price.get("product"));
        plan.put("usage_type", "licensed");
        return plan;
    }

    private static void checkItemsAgree(List<Map<String, Object>> items, String currency) {
        Map<String, Object> first = asMap(items.get(0).get("price"));
        for (Map<String, Object> item : items) {
            Map<String, Object> price = asMap(item.get("price"));
            if (!price.get("currency").equals(first.get("currency"))) {
                throw StripeError.invalid("items", "All prices on a subscription must have the same `currency`.");
            }
            Map<String, Object> a = asMap(price.get("recurring"));
            Map<String, Object> b = asMap(first.get("recurring"));
            if (!a.get("interval").equals(b.get("interval")) || !a.get("interval_count").equals(b.get("interval_count"))) {
                throw StripeError.invalid("items", "Currency and interval fields must match across all plans on this "
                        + "subscription. Found mismatch in interval field.");
            }
        }
        if (currency != null && !currency.equalsIgnoreCase((String) first.get("currency"))) {
            throw StripeError.invalid("currency", "The subscription currency (" + currency
                    + ") must match the currency of its prices (" + first.get("currency") + ").");
        }
    }

    private static Map<String, Object> recurringOf(Map<String, Object> item) {
        return asMap(asMap(item.get("price")).get("recurring"));
    }

    private static Map<String, Object> itemList(String subscriptionId, List<Map<String, Object>> items) {
        Map<String, Object> list = StripeStore.listObject(items, false, "/v1/subscription_items?subscription=" + subscriptionId);
        return list;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Map<String, Object> sub) {
        return (List<Map<String, Object>>) asMap(sub.get("items")).get("data");
    }

    private Object updateSubscription(StripeCall c) {
        Map<String, Object> sub = store.require("subscriptions", "subscription", c.pathParam("subscription_exposed_id"));
        Map<String, Object> before = StripeStore.copy(sub);
        if ("canceled".equals(sub.get("status"))) {
            for (String name : c.params().keySet()) {
                if (!Set.of("metadata", "cancellation_details", "expand").contains(name)) {
                    throw StripeError.state(null, name,
                            "A canceled subscription can only update its cancellation_details and metadata.");
                }
            }
        }
        if (c.has("description")) sub.put("description", c.string("description"));
        if (c.has("default_payment_method")) sub.put("default_payment_method", c.string("default_payment_method"));
        mergeInto(asMap(sub.get("payment_settings")), c.map("payment_settings"));
        mergeInto(asMap(sub.get("cancellation_details")), c.map("cancellation_details"));
        if (c.has("collection_method") || c.has("days_until_due")) {
            String collection = c.string("collection_method", (String) sub.get("collection_method"));
            Long days = c.has("days_until_due") ? c.integer("days_until_due")
                    : collection.equals("send_invoice") ? (Long) sub.get("days_until_due") : null;
            checkCollection(collection, days);
            sub.put("collection_method", collection);
            sub.put("days_until_due", days);
        }
        long now = store.now();
        if (c.has("cancel_at")) {
            Long cancelAt = c.integer("cancel_at");
            if (cancelAt != null && cancelAt <= now) {
                throw StripeError.invalid("cancel_at", "Invalid cancel_at: must be in the future.");
            }
            sub.put("cancel_at", cancelAt);
            sub.put("cancel_at_period_end", false);
        }
        if (c.bool("cancel_at_period_end") != null) {
            boolean atEnd = c.bool("cancel_at_period_end");
            sub.put("cancel_at_period_end", atEnd);
            sub.put("cancel_at", atEnd ? sub.get("_current_period_end") : null);
        }
        StripeStore.applyMetadata(sub, c.params().get("metadata"), "metadata");
        String prorationBehavior = c.string("proration_behavior", "create_prorations");
        boolean prorationsCreated = false;
        if (c.list("items") != null) {
            prorationsCreated = updateItems(sub, c.list("items"), prorationBehavior, now);
        }
        store.emit("customer.subscription.updated", sub, before);
        if (prorationsCreated && prorationBehavior.equals("always_invoice")) {
            Map<String, Object> invoice = invoicing.subscriptionInvoice(sub, store.find("customers",
                    (String) sub.get("customer")), "subscription_update", List.of(), paysAutomatically(sub));
            sub.put("latest_invoice", invoice.get("id"));
        }
        return sub;
    }

    /** Applies {@code items[n]} changes; returns whether proration invoice items were created. */
    private boolean updateItems(Map<String, Object> sub, List<Object> changes, String prorationBehavior, long now) {
        List<Map<String, Object>> items = new ArrayList<>(items(sub));
        Map<String, Object> interval = recurringOf(items.get(0));
        List<Map<String, Object>> credits = new ArrayList<>();
        List<Map<String, Object>> charges = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Map<String, Object> p = new LinkedHashMap<>(asMap(changes.get(i)));
            String param = "items[" + i + "]";
            String itemId = (String) p.remove("id");
            boolean deleted = Boolean.TRUE.equals(p.remove("deleted"));
            p.remove("clear_usage");
            if (itemId == null) {
                if (deleted) throw StripeError.missingParameter(param + "[id]");
                Map<String, Object> item = newItem((String) sub.get("id"), p, param);
                items.add(item);
                charges.add(item);
                continue;
            }
            Map<String, Object> item = items.stream().filter(it -> itemId.equals(it.get("id"))).findFirst()
                    .orElseThrow(() -> StripeError.noSuchReference(param + "[id]", "subscription item", itemId));
            if (deleted) {
                items.remove(item);
                credits.add(item);
                continue;
            }
            checkItemFields(p, param);
            Map<String, Object> old = StripeStore.copy(item);
            if (p.containsKey("price") || p.containsKey("price_data")) {
                Map<String, Object> price = itemPrice(p, param);
                item.put("price", StripeStore.copy(price));
                item.put("plan", plan(price));
            }
            if (StripeCall.integer(p, "quantity") != null) item.put("quantity", StripeCall.integer(p, "quantity"));
            StripeStore.applyMetadata(item, p.get("metadata"), param + "[metadata]");
            if (!Objects.equals(old.get("quantity"), item.get("quantity"))
                    || !Objects.equals(asMap(old.get("price")).get("id"), asMap(item.get("price")).get("id"))) {
                credits.add(old);
                charges.add(item);
            }
        }
        if (items.isEmpty()) throw StripeError.invalid("items", "A subscription must have at least one item.");
        checkItemsAgree(items, null);
        if (!recurringOf(items.get(0)).equals(interval)) {
            throw StripeError.invalid("items", "The revenue-bridge Stripe sandbox does not simulate changing the "
                    + "billing interval of a subscription.");
        }
        items.forEach(item -> {
            item.put("current_period_end", sub.get("_current_period_end"));
            item.put("current_period_start", sub.get("_current_period_start"));
        });
        sub.put("items", itemList((String) sub.get("id"), items));
        if (prorationBehavior.equals("none") || !"active".equals(sub.get("status"))) return false;
        credits.forEach(item -> prorate(sub, item, -1, now));
        charges.forEach(item -> prorate(sub, item, 1, now));
        return !credits.isEmpty() || !charges.isEmpty();
    }

    /** A pending proration invoice item for the rest of the current period: unused time (-1) or remaining time (+1). */
    private void prorate(Map<String, Object> sub, Map<String, Object> item, int sign, long now) {
        long end = (Long) sub.get("_current_period_end");
        if (now >= end) return;
        Map<String, Object> price = asMap(item.get("price"));
        long quantity = (Long) item.get("quantity");
        long amount = charge(StripeInvoicing.amountFor(price, quantity), (Long) sub.get("billing_cycle_anchor"),
                recurringOf(item), now, end);
        String what = (sign < 0 ? "Unused time on " : "Remaining time on ") + invoicing.describe(quantity, price)
                + " after " + date(now);
        invoicing.prorationItem(sub, item, price, quantity, sign * amount, what, now, end);
    }

    private Object cancelSubscription(StripeCall c) {
        Map<String, Object> sub = store.require("subscriptions", "subscription", c.pathParam("subscription_exposed_id"));
        if ("canceled".equals(sub.get("status"))) {
            throw StripeError.state(null, null, "This subscription has already been canceled.");
        }
        cancel(sub, Boolean.TRUE.equals(c.bool("prorate")), Boolean.TRUE.equals(c.bool("invoice_now")),
                c.map("cancellation_details"));
        return sub;
    }

    private void cancel(Map<String, Object> sub, boolean prorate, boolean invoiceNow, Map<String, Object> details) {
        store.touch(sub);
        Map<String, Object> before = StripeStore.copy(sub);
        long now = store.now();
        sub.put("status", "canceled");
        sub.put("canceled_at", now);
        sub.put("ended_at", now);
        Map<String, Object> cancellation = asMap(sub.get("cancellation_details"));
        mergeInto(cancellation, details);
        cancellation.put("reason", "cancellation_requested");
        if (prorate && "active".equals(before.get("status"))) {
            items(sub).forEach(item -> prorate(sub, item, -1, now));
        }
        if (invoiceNow) {
            Map<String, Object> invoice = invoicing.subscriptionInvoice(sub, store.find("customers",
                    (String) sub.get("customer")), "subscription_cycle", List.of(), paysAutomatically(sub));
            sub.put("latest_invoice", invoice.get("id"));
        }
        store.emit("customer.subscription.deleted", sub, before);
    }

    /** The subscription a schedule's phase starts (the {@code params} typed as a validated request's). */
    @SuppressWarnings("unchecked")
    Map<String, Object> createForSchedule(Map<String, Object> params, String scheduleId) {
        Map<String, Object> withSchedule = new LinkedHashMap<>(params);
        withSchedule.put(SCHEDULE, scheduleId);
        return (Map<String, Object>) createSubscription(new StripeCall("POST", Map.of(), withSchedule));
    }

    /**
     * A schedule's phase takes effect on its subscription now: items on the phase's prices stay (their quantity and
     * metadata follow the phase), the others are removed, the phase's other prices are added; prorated per
     * {@code prorationBehavior} as an update of the items would be.
     */
    void applyPhase(Map<String, Object> sub, List<Map<String, Object>> phaseItems, String prorationBehavior) {
        store.touch(sub);
        Map<String, Object> before = StripeStore.copy(sub);
        List<Object> changes = new ArrayList<>();
        List<Map<String, Object>> remaining = new ArrayList<>(phaseItems);
        for (Map<String, Object> item : items(sub)) {
            String price = (String) asMap(item.get("price")).get("id");
            Map<String, Object> match = remaining.stream().filter(p -> price.equals(p.get("price"))).findFirst().orElse(null);
            if (match == null) {
                changes.add(map("id", item.get("id"), "deleted", true));
            } else {
                remaining.remove(match);
                changes.add(map("id", item.get("id"), "quantity", match.get("quantity"),
                        "metadata", StripeStore.copy(match.get("metadata"))));
            }
        }
        for (Map<String, Object> added : remaining) {
            changes.add(map("price", added.get("price"), FROM_SCHEDULE, true, "quantity", added.get("quantity"),
                    "metadata", StripeStore.copy(added.get("metadata"))));
        }
        boolean prorations = updateItems(sub, changes, prorationBehavior == null ? "create_prorations" : prorationBehavior,
                store.now());
        store.emit("customer.subscription.updated", sub, before);
        if (prorations && "always_invoice".equals(prorationBehavior)) {
            Map<String, Object> invoice = invoicing.subscriptionInvoice(sub, store.find("customers",
                    (String) sub.get("customer")), "subscription_update", List.of(), paysAutomatically(sub));
            sub.put("latest_invoice", invoice.get("id"));
        }
    }

    /** Cancels a subscription now (its schedule was canceled). */
    void cancelNow(String subscriptionId) {
        Map<String, Object> sub = store.find("subscriptions", subscriptionId);
        if (sub != null && !"canceled".equals(sub.get("status"))) cancel(sub, false, false, null);
    }

    /** Deleting a customer cancels its subscriptions at once, as Stripe does. */
    private Object deleteCustomer(StripeCall c) {
        String id = c.pathParam("customer");
        catalog.liveCustomer(id);
        for (Map<String, Object> sub : store.all("subscriptions")) {
            if (id.equals(sub.get("customer")) && !"canceled".equals(sub.get("status"))) cancel(sub, false, false, null);
        }
        return catalog.deleteCustomer(id);
    }

    private Object listSubscriptions(StripeCall c) {
        String customer = c.string("customer");
        String price = c.string("price");
        String status = c.string("status");
        String collection = c.string("collection_method");
        return store.list("subscriptions", "subscription", o -> (customer == null || customer.equals(o.get("customer")))
                        && (collection == null || collection.equals(o.get("collection_method")))
                        && (price == null || items(o).stream().anyMatch(i -> price.equals(asMap(i.get("price")).get("id"))))
                        && statusMatches(status, (String) o.get("status")),
                c, "/v1/subscriptions");
    }

    /** Stripe lists all but canceled subscriptions unless a status (or {@code all}, {@code ended}) is asked for. */
    private static boolean statusMatches(String wanted, String actual) {
        boolean ended = actual.equals("canceled") || actual.equals("incomplete_expired");
        if (wanted == null) return !ended;
        return switch (wanted) {
            case "all" -> true;
            case "ended" -> ended;
            default -> wanted.equals(actual);
        };
    }

    // ---------------------------------------------------------------- billing periods

    /** The period of the billing grid anchored at {@code anchor} that contains {@code t}: {start, end}. */
    static long[] periodAt(long anchor, Map<String, Object> recurring, long t) {
        long k = 0;
        while (step(anchor, recurring, k) > t) k--;
        while (step(anchor, recurring, k + 1) <= t) k++;
        return new long[] {step(anchor, recurring, k), step(anchor, recurring, k + 1)};
    }

    /** The anchor moved by {@code k} intervals, in UTC calendar arithmetic (the 31st becomes the 30th in April). */
    private static long step(long anchor, Map<String, Object> recurring, long k) {
        ZonedDateTime t = Instant.ofEpochSecond(anchor).atZone(ZoneOffset.UTC);
        long n = k * (Long) recurring.get("interval_count");
        ZonedDateTime moved = switch ((String) recurring.get("interval")) {
            case "day" -> t.plusDays(n);
            case "week" -> t.plusWeeks(n);
            case "month" -> t.plusMonths(n);
            default -> t.plusYears(n);
        };
        return moved.toEpochSecond();
    }

    /**
     * What {@code perPeriod} (minor units) comes to over [from, to): whole billing periods at the full amount, a
     * partial one pro rata by seconds, rounded half up to the minor unit.
     */
    static long charge(long perPeriod, long anchor, Map<String, Object> recurring, long from, long to) {
        long total = 0;
        long cursor = from;
        while (cursor < to) {
            long[] period = periodAt(anchor, recurring, cursor);
            long end = Math.min(to, period[1]);
            if (cursor == period[0] && end == period[1]) {
                total += perPeriod;
            } else {
                total += BigDecimal.valueOf(perPeriod).multiply(BigDecimal.valueOf(end - cursor))
                        .divide(BigDecimal.valueOf(period[1] - period[0]), 0, RoundingMode.HALF_UP).longValueExact();
            }
            cursor = end;
        }
        return total;
    }

    private static String date(long epochSecond) {
        return DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH)
                .format(Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC));
    }
}
