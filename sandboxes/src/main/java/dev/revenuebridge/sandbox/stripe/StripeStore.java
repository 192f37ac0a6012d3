package dev.revenuebridge.sandbox.stripe;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox's objects, by kind and in creation order, with the behaviours Stripe gives every kind: lists with
 * cursor pagination, search, expansion, metadata and events. Not thread-safe: {@link StripeSandbox} holds its lock.
 */
final class StripeStore {

    static final List<String> KINDS =
            List.of("customers", "products", "prices", "subscriptions", "subscription_schedules", "invoiceitems",
                    "invoices", "invoice_payments", "payment_intents", "charges", "balance_transactions", "refunds",
                    "disputes", "payouts", "events");

    /**
     * Embedded lists Stripe sends as their first page only (the rest through their {@code url}): an invoice's lines
     * (docs.stripe.com/api/invoices/object: "lines ... a list of up to 10 invoice line items").
     */
    static final int EMBEDDED_PAGE = 10;

    /** Which kind an expandable field refers to. */
    private static final Map<String, String> FIELD_KINDS = Map.ofEntries(
            Map.entry("customer", "customers"),
            Map.entry("product", "products"),
            Map.entry("price", "prices"),
            Map.entry("default_price", "prices"),
            Map.entry("subscription", "subscriptions"),
            Map.entry("latest_invoice", "invoices"),
            Map.entry("invoice", "invoices"),
            Map.entry("invoice_item", "invoiceitems"),
            Map.entry("payment_intent", "payment_intents"),
            Map.entry("charge", "charges"),
            Map.entry("latest_charge", "charges"),
            Map.entry("schedule", "subscription_schedules"));
    private static final Map<String, String> PREFIX_KINDS = Map.of(
            "cus_", "customers", "prod_", "products", "price_", "prices", "sub_", "subscriptions",
            "ii_", "invoiceitems", "in_", "invoices", "evt_", "events", "pi_", "payment_intents",
            "inpay_", "invoice_payments", "sub_sched_", "subscription_schedules");

    private static final Map<String, Set<String>> SEARCH_FIELDS = Map.of(
            "customers", Set.of("created", "email", "metadata", "name", "phone"),
            "products", Set.of("active", "created", "description", "metadata", "name", "shippable", "url"),
            "prices", Set.of("active", "created", "currency", "lookup_key", "metadata", "product", "type"),
            "subscriptions", Set.of("created", "metadata", "status"),
            "invoices", Set.of("created", "currency", "customer", "metadata", "number", "status", "total"));
    private static final Pattern CLAUSE = Pattern.compile(
            "(-)?(metadata\\[['\"]([^'\"]+)['\"]]|[a-z_]+)(:|~|>=|<=|>|<)(['\"](.*)['\"]|-?\\d+(\\.\\d+)?|null)");

    private final Map<String, Map<String, Map<String, Object>>> objects = new LinkedHashMap<>();
    private final List<Map<String, Object>> pendingEvents = new ArrayList<>();
    /** The undo journal of the request at hand: snapshots of the objects it touched, and the entries it replaced. */
    private final Map<Map<String, Object>, Map<String, Object>> touched = new IdentityHashMap<>();
    private final List<Object[]> replaced = new ArrayList<>();
    private boolean journaling;
    private Clock clock = Clock.systemUTC();
    private String requestId;
    private String idempotencyKey;
    private String apiVersion;

    StripeStore() {
        KINDS.forEach(kind -> objects.put(kind, new LinkedHashMap<>()));
    }

    void clock(Clock clock) { this.clock = clock; }

    /**
     * How long events are kept: Stripe keeps them 30 days ("List all events, going back up to 30 days",
     * https://docs.stripe.com/api/events/list). Each holds a copy of its object, so a long benchmark that compresses
     * days into an hour shortens it.
     */
    private Duration eventRetention = Duration.ofDays(30);

    void eventRetention(Duration retention) { this.eventRetention = retention; }

    /** Now, in epoch seconds, as Stripe stamps objects. */
    long now() { return clock.instant().getEpochSecond(); }

    void clear() {
        objects.values().forEach(Map::clear);
        pendingEvents.clear();
        commit();
    }

    /**
     * Starts a request: its events carry its id and key; a {@code mutating} one is journaled so that
     * {@link #rollback()} undoes it when it fails half way (a Stripe request succeeds or changes nothing).
     */
    void begin(String requestId, String idempotencyKey, String apiVersion, boolean mutating) {
        this.requestId = requestId;
        this.idempotencyKey = idempotencyKey;
        this.apiVersion = apiVersion;
        this.journaling = mutating;
        touched.clear();
        replaced.clear();
    }

    void commit() {
        touched.clear();
        replaced.clear();
        journaling = false;
    }

    @SuppressWarnings("unchecked")
    void rollback() {
        for (int i = replaced.size() - 1; i >= 0; i--) {
            Object[] entry = replaced.get(i);
            Map<String, Map<String, Object>> byId = objects.get((String) entry[0]);
            if (entry[2] == null) byId.remove((String) entry[1]);
            else byId.put((String) entry[1], (Map<String, Object>) entry[2]);
        }
        touched.forEach((object, snapshot) -> {
            object.clear();
            object.putAll(snapshot);
        });
        pendingEvents.clear();
        commit();
    }

    /** Records an object's state before the request at hand changes it (done by every lookup). */
    void touch(Map<String, Object> object) {
        if (journaling && object != null && !touched.containsKey(object)) touched.put(object, copy(object));
    }

    // ---------------------------------------------------------------- objects

    Map<String, Object> find(String kind, String id) {
        Map<String, Object> found = id == null ? null : objects.get(kind).get(id);
        touch(found);
        return found;
    }

    /** The object named in the URL, or a 404. */
    Map<String, Object> require(String kind, String noun, String id) {
        Map<String, Object> found = find(kind, id);
        if (found == null) throw StripeError.noSuchObject(noun, id);
        return found;
    }

    /** The object a parameter names, or a 400 naming that parameter. */
    Map<String, Object> reference(String kind, String noun, String id, String param) {
        Map<String, Object> found = find(kind, id);
        if (found == null) throw StripeError.noSuchReference(param, noun, id);
        return found;
    }

    void add(String kind, Map<String, Object> object) {
        Map<String, Object> previous = objects.get(kind).put((String) object.get("id"), object);
        if (journaling) replaced.add(new Object[] {kind, object.get("id"), previous});
    }

    void remove(String kind, String id) {
        Map<String, Object> previous = objects.get(kind).remove(id);
        if (journaling && previous != null) replaced.add(new Object[] {kind, id, previous});
    }

    Collection<Map<String, Object>> all(String kind) { return objects.get(kind).values(); }

    /** A new object with the fields every Stripe object has. */
    Map<String, Object> create(String object, String id) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("object", object);
        o.put("created", now());
        o.put("livemode", false);
        o.put("metadata", new LinkedHashMap<String, Object>());
        return o;
    }

    // ---------------------------------------------------------------- metadata

    /** Stripe's metadata update: keys merge, an empty value unsets a key, an empty {@code metadata} clears all. */
    @SuppressWarnings("unchecked")
    static void applyMetadata(Map<String, Object> object, Object param, String paramName) {
        if (param == null) return;
        Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
        if ("".equals(param)) {
            metadata.clear();
            return;
        }
        for (Map.Entry<String, Object> e : ((Map<String, Object>) param).entrySet()) {
            String key = e.getKey();
            String value = String.valueOf(e.getValue());
            if (key.length() > 40) {
                throw StripeError.invalid(paramName + "[" + key + "]",
                        "Metadata keys can have up to 40 characters, but you passed in a key that is " + key.length()
                                + " characters. Invalid key: " + key);
            }
            if (value.length() > 500) {
                throw StripeError.invalid(paramName + "[" + key + "]",
                        "Metadata values can have up to 500 characters, but you passed in a value that is "
                                + value.length() + " characters. Invalid value: " + value.substring(0, 40) + "...");
            }
            if (value.isEmpty()) metadata.remove(key);
            else metadata.put(key, value);
        }
        if (metadata.size() > 50) {
            throw StripeError.invalid(paramName, "You can have up to 50 metadata keys, but you passed " + metadata.size()
                    + ".");
        }
    }

    // ---------------------------------------------------------------- lists

    /** A page of objects of {@code kind}, newest first, with Stripe's cursor pagination and {@code created} filter. */
    Map<String, Object> list(String kind, String noun, Predicate<Map<String, Object>> filter, StripeCall call, String url) {
        List<Map<String, Object>> items = new ArrayList<>();
        Predicate<Map<String, Object>> created = createdFilter(call.params().get("created"));
        for (Map<String, Object> o : objects.get(kind).values()) {
            if (filter.test(o) && created.test(o)) items.add(o);
        }
        Collections.reverse(items);
        return page(items, call, url, kind, noun);
    }

    /** One page of {@code items} after {@code starting_after} or before {@code ending_before}, at most {@code limit}. */
    Map<String, Object> page(List<Map<String, Object>> items, StripeCall call, String url, String kind, String noun) {
        int limit = limit(call);
        String after = call.string("starting_after");
        String before = call.string("ending_before");
        if (after != null && before != null) {
            throw StripeError.exclusive("starting_after", "starting_after", "ending_before");
        }
        int from = 0;
        int to;
        boolean hasMore;
        if (after != null) {
            from = position(items, kind, noun, after, "starting_after") + 1;
            to = Math.min(items.size(), from + limit);
            hasMore = to < items.size();
        } else if (before != null) {
            to = position(items, kind, noun, before, "ending_before");
            from = Math.max(0, to - limit);
            hasMore = from > 0;
        } else {
            to = Math.min(items.size(), limit);
            hasMore = to < items.size();
        }
        return listObject(new ArrayList<>(items.subList(from, to)), hasMore, url);
    }

    static Map<String, Object> listObject(List<Map<String, Object>> data, boolean hasMore, String url) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        list.put("has_more", hasMore);
        list.put("url", url);
        return list;
    }

    private int position(List<Map<String, Object>> items, String kind, String noun, String id, String param) {
        for (int i = 0; i < items.size(); i++) {
            if (id.equals(items.get(i).get("id"))) return i;
        }
        if (kind == null || find(kind, id) == null) throw StripeError.noSuchReference(param, noun, id);
        throw StripeError.invalid(param, "The object " + id + " given in " + param + " is not part of this list.");
    }

    private static int limit(StripeCall call) {
        Long limit = call.integer("limit");
        if (limit == null) return 10;
        if (limit < 1) throw StripeError.invalid("limit", "This value must be greater than or equal to 1.");
        if (limit > 100) throw StripeError.invalid("limit", "This value must be less than or equal to 100.");
        return limit.intValue();
    }

    @SuppressWarnings("unchecked")
    private static Predicate<Map<String, Object>> createdFilter(Object created) {
        if (created instanceof Long exact) return o -> exact.equals(o.get("created"));
        if (!(created instanceof Map<?, ?> range)) return o -> true;
        Map<String, Object> r = (Map<String, Object>) range;
        return o -> {
            long c = ((Number) o.get("created")).longValue();
            return (!(r.get("gt") instanceof Long gt) || c > gt) && (!(r.get("gte") instanceof Long gte) || c >= gte)
                    && (!(r.get("lt") instanceof Long lt) || c < lt) && (!(r.get("lte") instanceof Long lte) || c <= lte);
        };
    }

    // ---------------------------------------------------------------- search

    /**
     * Stripe's search query language, the parts integrations use: {@code field:'value'} (exact, case-insensitive),
     * {@code field~'value'} (substring), {@code >, <, >=, <=} on numbers, {@code metadata['key']:'value'},
     * {@code -} to negate, {@code null} for absent, clauses joined by {@code AND} or by {@code OR}.
     */
    Map<String, Object> search(String kind, StripeCall call, String url) {
        String query = call.string("query", "").trim();
        boolean or = query.contains(" OR ");
        if (or && query.contains(" AND ")) {
            throw StripeError.invalid("query", "Search queries cannot mix AND and OR: " + query);
        }
        List<Predicate<Map<String, Object>>> clauses = new ArrayList<>();
        for (String clause : query.split(or ? " OR " : " AND ")) {
            clauses.add(clause(kind, clause.trim(), query));
        }
        List<Map<String, Object>> matches = new ArrayList<>();
        for (Map<String, Object> o : objects.get(kind).values()) {
            if (Boolean.TRUE.equals(o.get("deleted"))) continue;
            boolean match = or ? clauses.stream().anyMatch(c -> c.test(o)) : clauses.stream().allMatch(c -> c.test(o));
            if (match) matches.add(o);
        }
        Collections.reverse(matches);
        int offset = 0;
        String page = call.string("page");
        if (page != null) {
            if (!page.matches("page_\\d{1,9}")) throw StripeError.invalid("page", "Invalid page: " + page);
            offset = Math.min(matches.size(), Integer.parseInt(page.substring(5)));
        }
        int to = Math.min(matches.size(), offset + limit(call));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("object", "search_result");
        result.put("data", new ArrayList<>(matches.subList(offset, to)));
        result.put("has_more", to < matches.size());
        result.put("next_page", to < matches.size() ? "page_" + to : null);
        result.put("url", url);
        return result;
    }

    @SuppressWarnings("unchecked")
    private Predicate<Map<String, Object>> clause(String kind, String clause, String query) {
        Matcher m = CLAUSE.matcher(clause);
        if (!m.matches()) {
            throw StripeError.invalid("query", "There was an error parsing your query. Could not parse the clause '"
                    + clause + "' of: " + query);
        }
        boolean negate = m.group(1) != null;
        String field = m.group(3) != null ? "metadata" : m.group(2);
        String metadataKey = m.group(3);
        String operator = m.group(4);
        boolean isNull = "null".equals(m.group(5));
        String value = m.group(6) != null ? m.group(6) : m.group(5);
        if (!SEARCH_FIELDS.get(kind).contains(field) || (field.equals("metadata") && metadataKey == null)) {
            throw StripeError.invalid("query", "Field `" + m.group(2) + "` is an unsupported search field for resource `"
                    + kind + "`. See http://stripe.com/docs/search#query-fields-for-" + kind
                    + " for a list of supported fields.");
        }
        Predicate<Map<String, Object>> test = o -> {
            Object actual = metadataKey != null ? ((Map<String, Object>) o.get("metadata")).get(metadataKey) : o.get(field);
            if (isNull) return actual == null;
            if (actual == null) return false;
            return switch (operator) {
                case ":" -> String.valueOf(actual).equalsIgnoreCase(value);
                case "~" -> String.valueOf(actual).toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
                default -> compare(actual, value, operator);
            };
        };
        return negate ? test.negate() : test;
    }

    private static boolean compare(Object actual, String value, String operator) {
        if (!(actual instanceof Number n)) return false;
        int c = new BigDecimal(n.toString()).compareTo(new BigDecimal(value));
        return switch (operator) {
            case ">" -> c > 0;
            case "<" -> c < 0;
            case ">=" -> c >= 0;
            default -> c <= 0;
        };
    }

    // ---------------------------------------------------------------- expansion

    /** A copy of {@code body} with the {@code expand[]} paths (e.g. {@code customer}, {@code data.customer}) expanded. */
    Object expand(Object body, List<String> paths) {
        Object copy = copy(body);
        for (String path : paths) {
            expand(copy, path.split("\\."), 0);
        }
        return visible(copy);
    }

    /**
     * What Stripe sends of an object tree (in place): the sandbox's own bookkeeping fields (named {@code _...}, e.g. the
     * payout a balance transaction went into, which the API does not show) left out, and embedded lists cut to
     * their first page.
     */
    @SuppressWarnings("unchecked")
    static Object visible(Object node) {
        if (node instanceof Map<?, ?> raw) {
            Map<String, Object> map = (Map<String, Object>) raw;
            map.keySet().removeIf(key -> key.startsWith("_"));
            if ("invoice".equals(map.get("object")) && map.get("lines") instanceof Map<?, ?> lines
                    && lines.get("data") instanceof List<?> data && data.size() > EMBEDDED_PAGE) {
                Map<String, Object> page = (Map<String, Object>) lines;
                page.put("data", new ArrayList<>(data.subList(0, EMBEDDED_PAGE)));
                page.put("has_more", true);
            }
            map.values().forEach(StripeStore::visible);
        } else if (node instanceof List<?> list) {
            list.forEach(StripeStore::visible);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private void expand(Object node, String[] segments, int i) {
        if (!(node instanceof Map)) return;
        Map<String, Object> map = (Map<String, Object>) node;
        String field = segments[i];
        if (!map.containsKey(field)) throw cannotExpand(field);
        Object value = map.get(field);
        if (value instanceof List<?> list && field.equals("data") && i + 1 < segments.length) {
            list.forEach(element -> expand(element, segments, i + 1));
            return;
        }
        if (value instanceof String id) {
            Map<String, Object> target = lookup(field, id);
            if (target == null) throw cannotExpand(field);
            value = copy(target);
            map.put(field, value);
        } else if (value != null && !(value instanceof Map)) {
            throw cannotExpand(field);
        }
        if (value != null && i + 1 < segments.length) expand(value, segments, i + 1);
    }

    private Map<String, Object> lookup(String field, String id) {
        String kind = FIELD_KINDS.get(field);
        if (kind == null) {
            kind = PREFIX_KINDS.entrySet().stream().filter(e -> id.startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        return kind == null ? null : find(kind, id);
    }

    private static StripeError cannotExpand(String field) {
        return StripeError.invalid("expand", "This property cannot be expanded (" + field + ").");
    }

    // ---------------------------------------------------------------- events

    /** Records an event, as Stripe does for every change; {@code before} (a copy) yields previous_attributes. */
    Map<String, Object> emit(String type, Map<String, Object> object, Map<String, Object> before) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", StripeIds.next("evt_"));
        event.put("object", "event");
        event.put("api_version", apiVersion);
        event.put("created", now());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("object", visible(copy(object)));
        if (before != null) {
            Map<String, Object> previous = new LinkedHashMap<>();
            before.forEach((k, v) -> {
                if (!k.startsWith("_") && !Objects.equals(v, object.get(k))) previous.put(k, visible(copy(v)));
            });
            data.put("previous_attributes", previous);
        }
        event.put("data", data);
        event.put("livemode", false);
        event.put("pending_webhooks", 0);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", requestId);
        request.put("idempotency_key", idempotencyKey);
        event.put("request", request);
        event.put("type", type);
        add("events", event);
        pendingEvents.add(event);
        purgeEventsBefore(now() - eventRetention.toSeconds());
        return event;
    }

    /** Forgets the events created before {@code cutoff} (epoch seconds), oldest first (they are kept in order). */
    private void purgeEventsBefore(long cutoff) {
        var events = objects.get("events").values().iterator();
        while (events.hasNext()) {
            Object created = events.next().get("created");
            if (!(created instanceof Number n) || n.longValue() >= cutoff) break;
            events.remove();
        }
    }

    /** The events emitted since the last call, for the listeners. */
    List<Map<String, Object>> drainEvents() {
        List<Map<String, Object>> out = new ArrayList<>(pendingEvents);
        pendingEvents.clear();
        return out;
    }

    // ---------------------------------------------------------------- copies

    /** A deep copy of maps and lists (their leaves are immutable). */
    @SuppressWarnings("unchecked")
    static <T> T copy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, copy(v)));
            return (T) out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(copy(v)));
            return (T) out;
        }
        return value;
    }

    // ---------------------------------------------------------------- helpers for the resource classes

    /** A parameter's name inside a block: {@code param("items[0][price_data]", "currency")}. */
    static String param(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "[" + name + "]";
    }

    /** Copies a simple field: an empty string (Stripe's unset) clears it. */
    static void set(Map<String, Object> object, StripeCall c, String field) {
        if (c.has(field)) object.put(field, c.unset(field) ? null : c.params().get(field));
    }

    /** Merges nested parameters into an object's sub-object; empty strings clear fields. */
    static void mergeInto(Map<String, Object> target, Map<String, Object> params) {
        if (params == null) return;
        params.forEach((k, v) -> target.put(k, "".equals(v) ? null : v));
    }

    /** What Stripe answers for a deleted object. */
    static Map<String, Object> deletedStub(Map<String, Object> object) {
        Map<String, Object> deleted = new LinkedHashMap<>();
        deleted.put("id", object.get("id"));
        deleted.put("object", object.get("object"));
        deleted.put("deleted", true);
        return deleted;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }

    /** An ordered map of alternating keys and values. */
    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }
}
