package dev.revenuebridge.sandbox.stripe;

import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.PAGINATION;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.of;
import static dev.revenuebridge.sandbox.stripe.StripeStore.asMap;
import static dev.revenuebridge.sandbox.stripe.StripeStore.map;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Subscription schedules (docs.stripe.com/api/subscription_schedules, docs.stripe.com/billing/subscriptions/
 * subscription-schedules): what a contract that starts later than the next natural billing date is billed with.
 * A schedule starts {@code not_started}; when the clock reaches its {@code start_date} it creates the subscription of
 * its first phase ({@link #startDue()}) and is {@code active}; {@code end_behavior=cancel} cancels that subscription
 * at the end of the last phase. Phases are contiguous: the first starts at {@code start_date}, each ends at its
 * {@code end_date} or after its {@code duration} (never both; {@code iterations} was removed in 2025-09-30.clover),
 * and the next starts there. The sandbox simulates schedules of one or more phases whose items are priced inline.
 */
final class StripeSchedules {

    private final StripeStore store;
    private final StripeCatalog catalog;
    private final StripeSubscriptions subscriptions;

    StripeSchedules(StripeStore store, StripeCatalog catalog, StripeSubscriptions subscriptions) {
        this.store = store;
        this.catalog = catalog;
        this.subscriptions = subscriptions;
    }

    void register(Map<String, StripeEndpoint> endpoints) {
        endpoints.put("POST /v1/subscription_schedules", of(this::create, "customer", "start_date", "end_behavior",
                "phases", "default_settings", "metadata", "from_subscription"));
        endpoints.put("GET /v1/subscription_schedules/{schedule}",
                of(c -> store.require("subscription_schedules", "subscription schedule", c.pathParam("schedule"))));
        endpoints.put("POST /v1/subscription_schedules/{schedule}", of(this::update, "metadata", "phases",
                "end_behavior", "proration_behavior"));
        endpoints.put("GET /v1/subscription_schedules", of(this::list, PAGINATION, "customer", "scheduled"));
        endpoints.put("POST /v1/subscription_schedules/{schedule}/cancel", of(this::cancel, "invoice_now", "prorate"));
        endpoints.put("POST /v1/subscription_schedules/{schedule}/release", of(this::release, "preserve_cancel_date"));
    }

    private Object create(StripeCall c) {
        if (c.string("from_subscription") != null) return fromSubscription(c);
        if (c.string("customer") == null) throw StripeError.missingParameter("customer");
        Map<String, Object> customer = catalog.customer(c.string("customer"), "customer");
        List<Object> phaseParams = c.list("phases");
        if (phaseParams == null || phaseParams.isEmpty()) throw StripeError.missingParameter("phases");
        long now = store.now();
        Object startParam = c.params().get("start_date");
        long start = startParam instanceof Long t ? t : now;   // a timestamp, or "now" (also the default)
        Map<String, Object> defaults = c.map("default_settings") == null ? Map.of() : c.map("default_settings");
        String collection = StripeCall.string(defaults, "collection_method") == null ? "charge_automatically"
                : StripeCall.string(defaults, "collection_method");
        Long daysUntilDue = StripeCall.integer(StripeCall.map(defaults, "invoice_settings"), "days_until_due");
        if ("send_invoice".equals(collection) && daysUntilDue == null) {
            throw StripeError.missingParameter("default_settings[invoice_settings][days_until_due]");
        }
        String id = StripeIds.next("sub_sched_");
        List<Map<String, Object>> phases = new ArrayList<>();
        long phaseStart = start;
        for (int i = 0; i < phaseParams.size(); i++) {
            Map<String, Object> phase = phase(asMap(phaseParams.get(i)), "phases[" + i + "]", phaseStart,
                    i == phaseParams.size() - 1);
            phases.add(phase);
            phaseStart = (Long) phase.get("end_date");
        }
        Map<String, Object> schedule = store.create("subscription_schedule", id);
        schedule.put("application", null);
        schedule.put("billing_mode", map("flexible", null, "type", "flexible", "updated_at", null));
        schedule.put("canceled_at", null);
        schedule.put("completed_at", null);
        schedule.put("current_phase", null);
        schedule.put("customer", customer.get("id"));
        schedule.put("default_settings", map("application_fee_percent", null, "automatic_tax", map("disabled_reason", null,
                        "enabled", false, "liability", null), "billing_cycle_anchor", "automatic", "billing_thresholds", null,
                "collection_method", collection, "default_payment_method", null,
                "description", StripeCall.string(defaults, "description"),
                "invoice_settings", map("account_tax_ids", null, "custom_fields", null, "days_until_due", daysUntilDue,
                        "description", null, "footer", null, "issuer", map("type", "self")),
                "on_behalf_of", null, "transfer_data", null));
        schedule.put("end_behavior", c.string("end_behavior", "release"));
        schedule.put("phases", phases);
        schedule.put("released_at", null);
        schedule.put("released_subscription", null);
        schedule.put("status", "not_started");
        schedule.put("subscription", null);
        schedule.put("test_clock", null);
        StripeStore.applyMetadata(schedule, c.params().get("metadata"), "metadata");
        store.add("subscription_schedules", schedule);
        store.emit("subscription_schedule.created", schedule, null);
        if (start <= now) start(schedule);
        return schedule;
    }

    /** One phase: its items priced inline (a Price made from each price_data), its start and end. */
    private Map<String, Object> phase(Map<String, Object> p, String param, long start, boolean last) {
        return phase(p, param, start, last, java.util.Set.of());
    }

    /** {@code reusable}: prices already on the schedule, which its phases may name again though inline (inactive). */
    private Map<String, Object> phase(Map<String, Object> p, String param, long start, boolean last,
                                      java.util.Set<String> reusable) {
        List<Object> items = p.get("items") instanceof List<?> l ? new ArrayList<>(l) : null;
        if (items == null || items.isEmpty()) throw StripeError.missingParameter(param + "[items]");
        Long endDate = "now".equals(p.get("end_date")) ? Long.valueOf(store.now()) : StripeCall.integer(p, "end_date");
        Map<String, Object> duration = StripeCall.map(p, "duration");
        if (endDate != null && duration != null) {
            throw StripeError.exclusive(param + "[end_date]", "end_date", "duration");
        }
        List<Map<String, Object>> phaseItems = new ArrayList<>();
        Map<String, Object> firstRecurring = null;
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> item = asMap(items.get(i));
            String itemParam = param + "[items][" + i + "]";
            Map<String, Object> data = StripeCall.map(item, "price_data");
            String priceId = StripeCall.string(item, "price");
            if (data != null && priceId != null) {
                throw StripeError.exclusive(itemParam + "[price]", "price", "price_data");
            }
            Map<String, Object> price;
            if (priceId != null) {
                price = store.reference("prices", "price", priceId, itemParam + "[price]");
                if (!Boolean.TRUE.equals(price.get("active")) && !reusable.contains(priceId)) {
                    throw StripeError.invalid(itemParam + "[price]",
                            "The price specified is inactive. This field only accepts active prices.");
                }
            } else {
                if (data == null) throw StripeError.missingParameter(itemParam + "[price_data]");
                String product = (String) store.reference("products", "product", StripeCall.string(data, "product"),
                        itemParam + "[price_data][product]").get("id");
                price = catalog.newPrice(StripeCall.string(data, "currency"), product, data,
                        StripeCall.map(data, "recurring"), false, itemParam + "[price_data]");
            }
            Map<String, Object> recurring = asMap(price.get("recurring"));
            if (firstRecurring == null) firstRecurring = recurring;
            else if (!firstRecurring.get("interval").equals(recurring.get("interval"))
                    || !firstRecurring.get("interval_count").equals(recurring.get("interval_count"))) {
                throw StripeError.invalid(param + "[items]", "Currency and interval fields must match across all "
                        + "plans on this subscription. Found mismatch in interval field.");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            Map<String, Object> holder = map("metadata", metadata);
            StripeStore.applyMetadata(holder, item.get("metadata"), itemParam + "[metadata]");
            Long quantity = StripeCall.integer(item, "quantity");
            phaseItems.add(map("billing_thresholds", null, "discounts", new ArrayList<>(), "metadata", metadata,
                    "plan", price.get("id"), "price", price.get("id"), "quantity", quantity == null ? 1L : quantity,
                    "tax_rates", new ArrayList<>()));
        }
        long end;
        if (endDate != null) {
            end = endDate;
        } else if (duration != null) {
            end = after(start, (String) duration.get("interval"),
                    StripeCall.integer(duration, "interval_count") == null ? 1 : StripeCall.integer(duration, "interval_count"));
        } else {
            // no end given: the phase lasts one billing interval of its prices
            end = after(start, (String) firstRecurring.get("interval"), (Long) firstRecurring.get("interval_count"));
        }
        if (end < start || end == start && !"now".equals(p.get("end_date"))) {
            throw StripeError.invalid(param + "[end_date]", "The end_date of " + param + " (" + end
                    + ") must be after the phase's start (" + start + ").");
        }
        Map<String, Object> phase = new LinkedHashMap<>();
        phase.put("add_invoice_items", new ArrayList<>());
        phase.put("application_fee_percent", null);
        phase.put("billing_cycle_anchor", null);
        phase.put("collection_method", StripeCall.string(p, "collection_method"));
        phase.put("currency", asMap(store.find("prices", (String) phaseItems.get(0).get("price"))).get("currency"));
        phase.put("default_payment_method", null);
        phase.put("default_tax_rates", new ArrayList<>());
        phase.put("description", StripeCall.string(p, "description"));
        phase.put("discounts", new ArrayList<>());
        phase.put("end_date", end);
        Long days = StripeCall.integer(StripeCall.map(p, "invoice_settings"), "days_until_due");
        phase.put("invoice_settings", days == null ? null : map("account_tax_ids", null, "custom_fields", null,
                "days_until_due", days, "description", null, "footer", null, "issuer", map("type", "self")));
        phase.put("items", phaseItems);
        phase.put("metadata", new LinkedHashMap<String, Object>());
        StripeStore.applyMetadata(phase, p.get("metadata"), param + "[metadata]");
        phase.put("on_behalf_of", null);
        phase.put("proration_behavior", StripeCall.string(p, "proration_behavior") == null ? "create_prorations"
                : StripeCall.string(p, "proration_behavior"));
        phase.put("start_date", start);
        phase.put("transfer_data", null);
        phase.put("trial_end", null);
        return phase;
    }

    private static long after(long start, String interval, long count) {
        ZonedDateTime t = Instant.ofEpochSecond(start).atZone(ZoneOffset.UTC);
        ZonedDateTime end = switch (interval) {
            case "day" -> t.plusDays(count);
            case "week" -> t.plusWeeks(count);
            case "month" -> t.plusMonths(count);
            default -> t.plusYears(count);
        };
        return end.toEpochSecond();
    }

    /** Starts every not-started schedule whose start date has come; returns the subscriptions created. */
    List<String> startDue() {
        List<String> started = new ArrayList<>();
        for (Map<String, Object> schedule : new ArrayList<>(store.all("subscription_schedules"))) {
            if ("not_started".equals(schedule.get("status")) && (Long) phases(schedule).get(0).get("start_date") <= store.now()) {
                store.touch(schedule);
                started.add(start(schedule));
            }
        }
        return started;
    }

    /** Starts one not-started schedule now (its start date come); returns its subscription. */
    String startOne(String scheduleId) {
        Map<String, Object> schedule = store.require("subscription_schedules", "subscription schedule", scheduleId);
        if (!"not_started".equals(schedule.get("status"))) {
            throw StripeError.state(null, null, "Subscription schedule " + scheduleId + " is " + schedule.get("status")
                    + ", not not_started.");
        }
        return start(schedule);
    }

    /** The subscription of the first phase, cancelled at the end of the last phase when end_behavior is cancel. */
    private String start(Map<String, Object> schedule) {
        Map<String, Object> before = StripeStore.copy(schedule);
        List<Map<String, Object>> phases = phases(schedule);
        Map<String, Object> first = phases.get(0);
        Map<String, Object> defaults = asMap(schedule.get("default_settings"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("customer", schedule.get("customer"));
        List<Object> items = new ArrayList<>();
        for (Map<String, Object> item : items(first)) {
            items.add(map("price", item.get("price"), StripeSubscriptions.FROM_SCHEDULE, true,
                    "quantity", item.get("quantity"), "metadata", StripeStore.copy(item.get("metadata"))));
        }
        params.put("items", items);
        params.put("collection_method", defaults.get("collection_method"));
        Object days = asMap(defaults.get("invoice_settings")).get("days_until_due");
        if (days != null) params.put("days_until_due", days);
        if (defaults.get("description") != null) params.put("description", defaults.get("description"));
        long start = (Long) first.get("start_date");
        if (start < store.now()) params.put("backdate_start_date", start);
        if ("cancel".equals(schedule.get("end_behavior"))) {
            params.put("cancel_at", phases.get(phases.size() - 1).get("end_date"));
        }
        params.put("metadata", StripeStore.copy(first.get("metadata")));
        Map<String, Object> subscription = subscriptions.createForSchedule(params, (String) schedule.get("id"));
        schedule.put("subscription", subscription.get("id"));
        schedule.put("status", "active");
        schedule.put("current_phase", map("end_date", first.get("end_date"), "start_date", first.get("start_date")));
        store.emit("subscription_schedule.updated", schedule, before);
        return (String) subscription.get("id");
    }

    /**
     * A schedule made from a subscription (docs.stripe.com/api/subscription_schedules/create#from_subscription): one
     * phase, the subscription's current period with its items as they are; releases at its end. No other parameter
     * may come with it.
     */
    private Object fromSubscription(StripeCall c) {
        for (String name : c.params().keySet()) {
            if (!name.equals("from_subscription") && !name.equals("expand")) {
                throw StripeError.invalid(name, "You cannot set '" + name + "' if 'from_subscription' is set.");
            }
        }
        Map<String, Object> sub = store.reference("subscriptions", "subscription", c.string("from_subscription"),
                "from_subscription");
        if (sub.get("schedule") != null) {
            throw StripeError.invalid("from_subscription", "You cannot migrate a subscription that is already "
                    + "attached to a schedule: " + sub.get("schedule") + ".");
        }
        if ("canceled".equals(sub.get("status"))) {
            throw StripeError.invalid("from_subscription", "You cannot migrate a canceled subscription.");
        }
        List<Object> items = new ArrayList<>();
        for (Map<String, Object> item : subscriptionItems(sub)) {
            items.add(map("price", asMap(item.get("price")).get("id"), "quantity", item.get("quantity"),
                    "metadata", StripeStore.copy(item.get("metadata"))));
        }
        long start = (Long) sub.get("_current_period_start");
        Map<String, Object> phaseParams = map("items", items, "end_date", sub.get("_current_period_end"));
        java.util.Set<String> own = new java.util.HashSet<>();
        subscriptionItems(sub).forEach(item -> own.add((String) asMap(item.get("price")).get("id")));
        Map<String, Object> phase = phase(phaseParams, "phases[0]", start, true, own);
        phase.put("metadata", StripeStore.copy(sub.get("metadata")));
        String id = StripeIds.next("sub_sched_");
        Map<String, Object> schedule = store.create("subscription_schedule", id);
        schedule.put("application", null);
        schedule.put("billing_mode", map("flexible", null, "type", "flexible", "updated_at", null));
        schedule.put("canceled_at", null);
        schedule.put("completed_at", null);
        schedule.put("current_phase", map("end_date", phase.get("end_date"), "start_date", phase.get("start_date")));
        schedule.put("customer", sub.get("customer"));
        schedule.put("default_settings", map("application_fee_percent", null, "automatic_tax", map("disabled_reason", null,
                        "enabled", false, "liability", null), "billing_cycle_anchor", "automatic", "billing_thresholds", null,
                "collection_method", sub.get("collection_method"), "default_payment_method", null,
                "description", sub.get("description"),
                "invoice_settings", map("account_tax_ids", null, "custom_fields", null,
                        "days_until_due", sub.get("days_until_due"), "description", null, "footer", null,
                        "issuer", map("type", "self")),
                "on_behalf_of", null, "transfer_data", null));
        schedule.put("end_behavior", "release");
        schedule.put("phases", new ArrayList<>(List.of(phase)));
        schedule.put("released_at", null);
        schedule.put("released_subscription", null);
        schedule.put("status", "active");
        schedule.put("subscription", sub.get("id"));
        schedule.put("test_clock", null);
        store.add("subscription_schedules", schedule);
        store.touch(sub);
        sub.put("schedule", id);
        store.emit("subscription_schedule.created", schedule, null);
        return schedule;
    }

    /**
     * Updates a schedule (docs.stripe.com/api/subscription_schedules/update). New {@code phases} replace the
     * schedule's: for a started schedule the first must start where the current phase started (past phases cannot
     * change), and when it now ends ({@code end_date=now}) the next phase takes effect on the subscription at once,
     * prorated per {@code proration_behavior}; with {@code end_behavior=cancel} the subscription cancels at the end of
     * the last phase.
     */
    private Object update(StripeCall c) {
        Map<String, Object> schedule = live(c.pathParam("schedule"));
        Map<String, Object> before = StripeStore.copy(schedule);
        if (c.string("end_behavior") != null) schedule.put("end_behavior", c.string("end_behavior"));
        StripeStore.applyMetadata(schedule, c.params().get("metadata"), "metadata");
        List<Object> phaseParams = c.list("phases");
        Map<String, Object> subscription = schedule.get("subscription") == null ? null
                : store.find("subscriptions", (String) schedule.get("subscription"));
        if (phaseParams != null) {
            if (phaseParams.isEmpty()) throw StripeError.missingParameter("phases");
            boolean started = "active".equals(schedule.get("status"));
            Map<String, Object> first = asMap(phaseParams.get(0));
            Object startParam = first.get("start_date");
            long start;
            if (started) {
                long currentStart = (Long) asMap(schedule.get("current_phase")).get("start_date");
                if (!(startParam instanceof Long s0) || s0 != currentStart) {
                    throw StripeError.invalid("phases[0][start_date]", "The first phase must start where the current "
                            + "phase started (" + currentStart + "): phases in the past cannot be changed.");
                }
                start = currentStart;
            } else {
                start = startParam instanceof Long s0 ? s0 : "now".equals(startParam) ? store.now()
                        : (Long) phases(schedule).get(0).get("start_date");
            }
            java.util.Set<String> reusable = new java.util.HashSet<>();
            phases(schedule).forEach(p -> items(p).forEach(item -> reusable.add((String) item.get("price"))));
            List<Map<String, Object>> phases = new ArrayList<>();
            long phaseStart = start;
            for (int i = 0; i < phaseParams.size(); i++) {
                Map<String, Object> phase = phase(asMap(phaseParams.get(i)), "phases[" + i + "]", phaseStart,
                        i == phaseParams.size() - 1, reusable);
                phases.add(phase);
                phaseStart = (Long) phase.get("end_date");
            }
            schedule.put("phases", phases);
            if (started && subscription != null) {
                long now = store.now();
                Map<String, Object> current = phases.stream()
                        .filter(p -> (Long) p.get("start_date") <= now && now < (Long) p.get("end_date"))
                        .findFirst().orElse(phases.get(phases.size() - 1));
                schedule.put("current_phase", map("end_date", current.get("end_date"), "start_date", current.get("start_date")));
                String proration = c.string("proration_behavior") != null ? c.string("proration_behavior")
                        : (String) current.get("proration_behavior");
                subscriptions.applyPhase(subscription, items(current), proration);
            }
        }
        if (subscription != null) {
            store.touch(subscription);
            subscription.put("cancel_at", "cancel".equals(schedule.get("end_behavior"))
                    ? phases(schedule).get(phases(schedule).size() - 1).get("end_date") : null);
        }
        store.emit("subscription_schedule.updated", schedule, before);
        return schedule;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> subscriptionItems(Map<String, Object> sub) {
        return (List<Map<String, Object>>) asMap(sub.get("items")).get("data");
    }

    private Object list(StripeCall c) {
        String customer = c.string("customer");
        Boolean scheduled = c.bool("scheduled");
        return store.list("subscription_schedules", "subscription schedule",
                s -> (customer == null || customer.equals(s.get("customer")))
                        && (scheduled == null || scheduled == "not_started".equals(s.get("status"))),
                c, "/v1/subscription_schedules");
    }

    /** Cancels the schedule and its subscription (docs: only a not_started or active schedule can be canceled). */
    private Object cancel(StripeCall c) {
        Map<String, Object> schedule = live(c.pathParam("schedule"));
        Map<String, Object> before = StripeStore.copy(schedule);
        schedule.put("status", "canceled");
        schedule.put("canceled_at", store.now());
        schedule.put("current_phase", null);
        if (schedule.get("subscription") != null) subscriptions.cancelNow((String) schedule.get("subscription"));
        store.emit("subscription_schedule.canceled", schedule, before);
        return schedule;
    }

    /** Releases the schedule: its subscription, if any, goes on by itself. */
    private Object release(StripeCall c) {
        Map<String, Object> schedule = live(c.pathParam("schedule"));
        Map<String, Object> before = StripeStore.copy(schedule);
        schedule.put("status", "released");
        schedule.put("released_at", store.now());
        schedule.put("released_subscription", schedule.get("subscription"));
        schedule.put("subscription", null);
        schedule.put("current_phase", null);
        store.emit("subscription_schedule.released", schedule, before);
        return schedule;
    }

    private Map<String, Object> live(String id) {
        Map<String, Object> schedule = store.require("subscription_schedules", "subscription schedule", id);
        String status = (String) schedule.get("status");
        if (!status.equals("not_started") && !status.equals("active")) {
            throw StripeError.state(null, null, "You cannot change a subscription schedule that is " + status
                    + "; only not_started and active schedules can be changed.");
        }
        return schedule;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> phases(Map<String, Object> schedule) {
        return (List<Map<String, Object>>) schedule.get("phases");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Map<String, Object> phase) {
        return (List<Map<String, Object>>) phase.get("items");
    }
}
