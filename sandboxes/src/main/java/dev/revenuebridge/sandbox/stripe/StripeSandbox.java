package dev.revenuebridge.sandbox.stripe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.revenuebridge.sandbox.SandboxServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A protocol-faithful, stateful fake of Stripe's API (v1) on a loopback port.
 * <ul>
 *   <li>Authenticates test-mode secret keys ({@code Bearer sk_test_...}, or Basic with the key as user name).</li>
 *   <li>Speaks one API version, the one stripe-java pins ({@link #API_VERSION}), and validates every request against
 *       that SDK's typed params classes ({@link StripeSdkParams}: unknown, missing, mistyped parameters), answering
 *       violations with Stripe's error bodies.</li>
 *   <li>Checks every object it sends against the SDK's models ({@link StripeModelShape}) and keeps the keys the SDK
 *       does not know ({@link #shapeViolations()}).</li>
 *   <li>Keeps customers, products, prices, subscriptions, invoice items and invoices, with Stripe's rules, shapes
 *       and ids, and records the events Stripe would send ({@link #onEvent(Consumer)}).</li>
 *   <li>Honours {@code Idempotency-Key} (replay, mismatch, in-flight), limits the request rate globally (25/s as in
 *       test mode), per endpoint and for search ({@link StripeRateLimits}) and injects faults ({@link #faults()}).</li>
 * </ul>
 * Point the SDK at it with {@code StripeClient.builder().setApiKey("sk_test_...").setApiBase(sandbox.baseUrl())}.
 */
public final class StripeSandbox extends SandboxServer {

    /**
     * One request as received, for assertions; {@code replayedFrom} is the request id whose saved response an
     * idempotent replay answered with (null when the request was not a replay).
     */
    public record ReceivedRequest(Instant at, String method, String path, String idempotencyKey,
                                  Map<String, Object> params, int status, String requestId, String replayedFrom) {
        public boolean replayed() { return replayedFrom != null; }
    }

    /** Stripe's test-mode limit of read and write operations per second (https://docs.stripe.com/rate-limits). */
    public static final int TEST_MODE_RATE_LIMIT = StripeRateLimits.GLOBAL_TEST_MODE;

    /**
     * The one API version the sandbox speaks: the version the stripe-java on the classpath pins
     * ({@code com.stripe.ApiVersion.CURRENT}, public as {@code Stripe.API_VERSION}). Stripe picks a request's version
     * from its Stripe-Version header, else the account default (https://docs.stripe.com/api-versions); the sandbox's
     * account default is this version and it refuses any other.
     */
    public static final String API_VERSION = com.stripe.Stripe.API_VERSION;

    private static final int LOG_CAPACITY = 10_000;

    private final StripeStore store = new StripeStore();
    private final Map<String, StripeEndpoint> endpoints = new HashMap<>();
    private final StripeRoutes routes;
    private final Map<String, StoredResponse> idempotencyKeys = new ConcurrentHashMap<>();
    private final StripeRateLimits rateLimits = new StripeRateLimits();
    private final Set<String> shapeViolations = ConcurrentHashMap.newKeySet();
    private final Set<String> shapeCheckedTypes = ConcurrentHashMap.newKeySet();
    private final Set<String> internalErrorsArmed = ConcurrentHashMap.newKeySet();
    private final Deque<ReceivedRequest> received = new ArrayDeque<>();
    private final List<Consumer<Map<String, Object>>> listeners = new CopyOnWriteArrayList<>();
    private final StripeWebhooks webhooks = new StripeWebhooks(json);
    private final StripeBalance balance = new StripeBalance(store);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger replays = new AtomicInteger();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger validationErrors = new AtomicInteger();
    private final StripeInvoicing invoicing;
    private final StripeSchedules schedules;
    private volatile Clock clock = Clock.systemUTC();
    private volatile Duration idempotencyKeyTtl = Duration.ofHours(24);
    /** Live idempotency keys above which expired ones are purged (expired keys are also dropped when reused). */
    private static final int PURGE_ABOVE = 50_000;
    private volatile long nextPurgeNanos;

    public StripeSandbox() {
        StripeCatalog catalog = new StripeCatalog(store);
        StripePayments payments = new StripePayments(store, balance);
        this.invoicing = new StripeInvoicing(store, catalog, payments);
        StripeSubscriptions subscriptions = new StripeSubscriptions(store, catalog, invoicing);
        this.schedules = new StripeSchedules(store, catalog, subscriptions);
        listeners.add(this::checkShape);
        listeners.add(webhooks::accept);
        balance.register(endpoints);
        catalog.register(endpoints);
        invoicing.register(endpoints);
        payments.register(endpoints);
        subscriptions.register(endpoints);
        schedules.register(endpoints);
        routes = new StripeRoutes(endpoints.keySet());
    }

    @Override
    public synchronized StripeSandbox start(int port) {
        super.start(port);
        return this;
    }

    @Override
    protected String name() { return "stripe"; }

    // ---------------------------------------------------------------- settings and observations for tests

    /** Requests admitted per sliding second over all endpoints; 0 switches every limit off (per endpoint, search). */
    public StripeSandbox rateLimitPerSecond(int perSecond) {
        rateLimits.global(perSecond);
        return this;
    }

    /** Requests admitted per sliding second to one endpoint ("METHOD template"; default 25); 0 switches it off. */
    public StripeSandbox endpointRateLimitPerSecond(int perSecond) {
        rateLimits.perEndpoint(perSecond);
        return this;
    }

    /** Requests admitted per sliding second to all /search endpoints together (default 20); 0 switches it off. */
    public StripeSandbox searchRateLimitPerSecond(int perSecond) {
        rateLimits.search(perSecond);
        return this;
    }

    /** The operations ("METHOD /v1/template") the sandbox simulates. */
    public Set<String> operations() { return Set.copyOf(endpoints.keySet()); }

    /**
     * Keys of sent objects (responses and events) that stripe-java's models do not declare, as paths like
     * {@code invoice.parent.foo}; see {@link StripeModelShape}. Requests are not failed for them.
     */
    public Set<String> shapeViolations() { return Set.copyOf(shapeViolations); }

    /**
     * The next request to {@code method path} (e.g. {@code POST /v1/subscriptions}) fails with an internal error that
     * Stripe saves under its Idempotency-Key, as a 500 of a request that began executing: later requests with that
     * key replay the 500 for 24 hours (docs.stripe.com/api/idempotent_requests).
     */
    public StripeSandbox failNextWithSavedInternalError(String method, String path) {
        internalErrorsArmed.add(method + " " + path);
        return this;
    }

    /** The object types ({@code invoice}, {@code invoice_payment}, ...) whose shape was checked so far. */
    public Set<String> shapeCheckedTypes() { return Set.copyOf(shapeCheckedTypes); }

    /** The keys of {@code json} (an object as Stripe sends it, by its {@code object} field) that stripe-java does not model. */
    public static Set<String> undeclaredKeys(Map<String, Object> json) { return StripeModelShape.violations(json); }

    private void noteTypes(Object node) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("object") instanceof String type && !type.equals("list") && !type.equals("search_result")) {
                shapeCheckedTypes.add(type);
            }
            map.values().forEach(this::noteTypes);
        } else if (node instanceof List<?> list) {
            list.forEach(this::noteTypes);
        }
    }

    /** The sandbox's "now" (object timestamps, due dates, periods, idempotency-key expiry). */
    public StripeSandbox clock(Clock clock) {
        this.clock = clock;
        synchronized (store) {
            store.clock(clock);
        }
        return this;
    }

    /** How long Stripe remembers an idempotency key (24 hours). */
    public StripeSandbox idempotencyKeyTtl(Duration ttl) {
        this.idempotencyKeyTtl = ttl;
        return this;
    }

    /** How long events are kept (Stripe: 30 days); older ones are forgotten as new ones come. */
    public StripeSandbox eventRetention(Duration retention) {
        synchronized (store) {
            store.eventRetention(retention);
        }
        return this;
    }

    /** Forgets all idempotency keys, as Stripe does after a day. */
    public void forgetIdempotencyKeys() { idempotencyKeys.clear(); }

    /** Called with each event (Stripe's event object) after the request that caused it was answered. */
    public StripeSandbox onEvent(Consumer<Map<String, Object>> listener) {
        listeners.add(listener);
        return this;
    }

    public int requestCount() { return requests.get(); }

    /**
     * Runs a sandbox-side change (what the customer, the bank or Stripe itself does: a dispute, a payout) under the
     * store's lock, and then hands its events to the listeners, as a request would.
     */
    private <T> T act(java.util.function.Supplier<T> change) {
        List<Map<String, Object>> events;
        T result;
        synchronized (store) {
            store.begin(StripeIds.next("req_"), null, null, true);
            try {
                result = change.get();
                events = store.drainEvents();
                store.commit();
            } catch (RuntimeException e) {
                store.rollback();
                throw e;
            }
        }
        for (Map<String, Object> event : events) {
            for (Consumer<Map<String, Object>> listener : listeners) {
                listener.accept(event);
            }
        }
        return result;
    }

    /** Pays out the balance not yet paid out, arriving on {@code arrival}: payout.created and payout.paid. */
    public Map<String, Object> payout(java.time.LocalDate arrival) {
        return StripeStore.copy(act(() -> balance.payout(arrival)));
    }

    /**
     * Pays out whatever balance is left (other tests' payments), so that the next payout holds only what a test makes;
     * nothing happens when there is nothing to pay out.
     */
    public void payOutLeftovers() {
        try {
            payout(java.time.LocalDate.of(2025, 12, 22));
        } catch (StripeError e) {
            // nothing to pay out
        }
    }

    /** The customer's bank disputes part of a charge. */
    public Map<String, Object> dispute(String chargeId, long amount) {
        return StripeStore.copy(act(() -> balance.dispute(chargeId, amount)));
    }

    /** Closes a dispute, won or lost. */
    public Map<String, Object> closeDispute(String disputeId, boolean won) {
        return StripeStore.copy(act(() -> balance.closeDispute(disputeId, won)));
    }

    /**
     * The customer pays part of an open invoice (what attaching a confirmed PaymentIntent of {@code amount} to it
     * does: docs.stripe.com/invoicing/partial-payments): one more paid InvoicePayment, invoice_payment.paid.
     */
    public Map<String, Object> payInvoicePartially(String invoiceId, long amount, String paymentMethod) {
        return StripeStore.copy(act(() -> invoicing.pay(store.require("invoices", "invoice", invoiceId), amount,
                paymentMethod)));
    }

    /** Starts the subscription schedules whose start date the sandbox's clock has reached, as Stripe does. */
    public List<String> startDueSchedules() {
        return act(schedules::startDue);
    }

    /**
     * Moves one schedule's customer to its start date, as advancing a Stripe test clock attached to that customer
     * does (docs.stripe.com/billing/testing/test-clocks), and starts the schedule there: its subscription and first
     * invoice are dated on the start date while the rest of the sandbox stays on its own clock. Returns the
     * subscription's id.
     */
    public String startScheduleAsOf(String scheduleId) {
        return act(() -> {
            Map<String, Object> schedule = store.require("subscription_schedules", "subscription schedule", scheduleId);
            long start = (Long) ((Map<?, ?>) ((List<?>) schedule.get("phases")).get(0)).get("start_date");
            store.clock(Clock.fixed(Instant.ofEpochSecond(start), java.time.ZoneOffset.UTC));
            try {
                return schedules.startOne(scheduleId);
            } finally {
                store.clock(clock);
            }
        });
    }

    /** Leaves a balance transaction out of every listing (fault: a payout whose parts do not add up for the client). */
    public void hideFromListings(String balanceTransactionId) {
        balance.hide(balanceTransactionId);
    }

    /** Charges made outside invoices (e.g. many small card payments), for payouts of many balance transactions. */
    public List<String> charges(String customerId, int count, long amount, String currency) {
        return act(() -> {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add((String) balance.charge(customerId, amount, currency, "Card payment " + (i + 1), "pm_card_visa").get("id"));
            }
            return ids;
        });
    }

    /** The webhook endpoints and their deliveries. */
    public StripeWebhooks webhooks() { return webhooks; }

    public int rateLimitedCount() { return rateLimited.get(); }

    public int idempotentReplayCount() { return replays.get(); }

    public int validationErrorCount() { return validationErrors.get(); }

    /** The received API requests, oldest first (the last 10,000). */
    public List<ReceivedRequest> requests() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Copies of the objects of a kind ({@code customers}, {@code products}, {@code prices}, {@code subscriptions},
     * {@code invoiceitems}, {@code invoices}, {@code events}), oldest first. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> objects(String kind) {
        if (!StripeStore.KINDS.contains(kind)) throw new IllegalArgumentException("no such kind: " + kind);
        synchronized (store) {
            List<Map<String, Object>> out = new ArrayList<>();
            store.all(kind).forEach(o -> out.add((Map<String, Object>) StripeStore.visible(StripeStore.copy(o))));
            return out;
        }
    }

    public Optional<Map<String, Object>> object(String kind, String id) {
        return objects(kind).stream().filter(o -> id.equals(o.get("id"))).findFirst();
    }

    @Override
    public Object state() {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String kind : StripeStore.KINDS) {
            state.put(kind, objects(kind));
        }
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("requests", requests.get());
        counters.put("idempotentReplays", replays.get());
        counters.put("rateLimited", rateLimited.get());
        counters.put("validationErrors", validationErrors.get());
        counters.put("rateLimitPerSecond", rateLimits.global());
        counters.put("endpointRateLimitPerSecond", rateLimits.perEndpoint());
        counters.put("searchRateLimitPerSecond", rateLimits.search());
        counters.put("shapeViolations", shapeViolations.size());
        state.put("counters", counters);
        return state;
    }

    @Override
    public void reset() {
        webhooks.clear();
        synchronized (store) {
            store.clear();
        }
        idempotencyKeys.clear();
        shapeViolations.clear();
        synchronized (received) {
            received.clear();
        }
        requests.set(0);
        replays.set(0);
        rateLimited.set(0);
        validationErrors.set(0);
    }

    // ---------------------------------------------------------------- the protocol

    /** A response ready to send, as stored under an idempotency key. */
    private record Response(int status, byte[] body, String requestId, boolean shouldRetry) {
    }

    /** An idempotency key's first request: in flight until its response is stored. */
    private static final class StoredResponse {
        final String fingerprint;
        final Instant created;
        volatile Response response;

        StoredResponse(String fingerprint, Instant created) {
            this.fingerprint = fingerprint;
            this.created = created;
        }
    }

    /** A request that passed authentication, routing and validation: ready to execute. */
    private record Admitted(StripeRoutes.Match match, StripeEndpoint endpoint, StripeCall call, String fingerprint) {
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String requestId = StripeIds.next("req_");
        String method = exchange.getRequestMethod();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        String body = readBody(exchange);
        if (internalErrorsArmed.remove(method + " " + exchange.getRequestURI().getPath())) {
            requests.decrementAndGet();   // counted again by sendInjectedFailure
            sendInjectedFailure(exchange, 500, body);
            return;
        }
        requests.incrementAndGet();
        Map<String, Object> decoded = new LinkedHashMap<>();
        List<Map<String, Object>> events = List.of();
        Response response;
        try {
            authenticate(exchange.getRequestHeaders());
            if (!rateLimits.admitGlobal()) throw rateLimited();
            Admitted admitted = admit(exchange, body, decoded, true);
            List<Map<String, Object>> emitted = new ArrayList<>();
            Supplier<Response> execution = () -> execute(admitted.endpoint(), admitted.call(), requestId, key, emitted);
            response = "POST".equals(method) && key != null
                    ? idempotent(key, admitted.fingerprint(), requestId, execution)
                    : execution.get();
            events = emitted;
        } catch (StripeError e) {
            if (e.validation()) validationErrors.incrementAndGet();
            response = errorResponse(e, requestId);
        } catch (RuntimeException e) {
            log.error("Stripe sandbox failed on {} {}", method, exchange.getRequestURI(), e);
            response = errorResponse(StripeError.internal(String.valueOf(e)), requestId);
        }
        // recorded before the answer leaves: a client that has the answer finds its request in the log
        record(method, exchange.getRequestURI().getPath(), key, decoded, response, requestId);
        send(exchange, response, requestId, key);
        log.debug("{} {} -> {} in {} us{}", method, exchange.getRequestURI().getPath(), response.status(),
                (System.nanoTime() - started) / 1000, key == null ? "" : " (Idempotency-Key " + key + ")");
        for (Map<String, Object> event : events) {
            for (Consumer<Map<String, Object>> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.warn("Stripe sandbox event listener failed on {}", event.get("type"), e);
                }
            }
        }
    }

    private StripeError rateLimited() {
        rateLimited.incrementAndGet();
        return StripeError.rateLimited();
    }

    /**
     * Everything before execution: the API version, the body's encoding, the route (404 for a URL no endpoint
     * answers), the endpoint's rate limit (when {@code limit}), the parameters against the SDK's params class and the
     * parameters the sandbox simulates. {@code decoded} receives the decoded parameters, for the request log.
     */
    private Admitted admit(HttpExchange exchange, String body, Map<String, Object> decoded, boolean limit) {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        checkApiVersion(exchange.getRequestHeaders());
        checkContentType(exchange.getRequestHeaders(), body);
        List<FormDecoder.Pair> pairs = FormDecoder.pairs(exchange.getRequestURI().getRawQuery());
        pairs.addAll(FormDecoder.pairs(body));
        decoded.putAll(FormDecoder.decode(pairs));
        StripeRoutes.Match match = routes.match(method, rawPath);
        if (match == null) throw StripeError.unrecognizedUrl(method, exchange.getRequestURI().getPath());
        if (limit && !rateLimits.admitEndpoint(match.operation())) throw rateLimited();
        Class<?> params = StripeSdkParams.paramsClass(match.operation());
        if (params == null) {
            throw StripeError.internal("the sandbox registers " + match.operation() + " but StripeSdkParams.OPERATIONS "
                    + "names no stripe-java params class for it");
        }
        StripeCall call = new StripeCall(method, match.pathParams(),
                StripeSdkParams.validate(match.operation(), params, decoded));
        StripeEndpoint endpoint = endpoints.get(match.operation());
        endpoint.checkSimulated(method, match.template(), call);
        return new Admitted(match, endpoint, call, fingerprint(method, rawPath, pairs));
    }

    /** Runs a handler under the store's lock; a failure undoes whatever it changed. */
    private Response execute(StripeEndpoint endpoint, StripeCall call, String requestId, String key,
                             List<Map<String, Object>> emitted) {
        synchronized (store) {
            store.begin(requestId, key, API_VERSION, !"GET".equals(call.method()));
            try {
                Object body = store.expand(endpoint.handler().apply(call), call.expand());
                checkShape(body);
                byte[] bytes = json.writeValueAsBytes(body);
                emitted.addAll(store.drainEvents());
                store.commit();
                return new Response(200, bytes, requestId, false);
            } catch (JsonProcessingException e) {
                store.rollback();
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                store.rollback();
                throw e;
            }
        }
    }

    /** Records the keys of a sent object (a response or an event) that stripe-java's models do not declare. */
    @SuppressWarnings("unchecked")
    private void checkShape(Object body) {
        if (!(body instanceof Map)) return;
        noteTypes(body);
        try {
            for (String violation : StripeModelShape.violations((Map<String, Object>) body)) {
                if (shapeViolations.add(violation)) {
                    log.warn("Stripe sandbox sends a key stripe-java {} does not model: {}",
                            com.stripe.Stripe.VERSION, violation);
                }
            }
        } catch (RuntimeException e) {
            log.warn("Stripe sandbox could not check the shape of {}", ((Map<String, Object>) body).get("object"), e);
        }
    }

    /**
     * Stripe's idempotency (https://docs.stripe.com/api/idempotent_requests): the status and body of the first request
     * with a key are saved once its execution began, whatever its outcome, 500s included; a later request with the
     * same key and parameters gets them again ({@code Idempotent-Replayed: true}), one with other parameters an
     * idempotency_error, one while the first still runs a 409. Not saved: requests rejected by validation (the key
     * stays free), rate-limited requests (they never get here) and the conflicts. A key is pruned once it is older
     * than {@link #idempotencyKeyTtl(Duration)} (24 hours) on the sandbox's clock.
     */
    private Response idempotent(String key, String fingerprint, String requestId, Supplier<Response> execution) {
        StoredResponse mine = new StoredResponse(fingerprint, clock.instant());
        StoredResponse first = claim(key, mine);
        if (first != null) {
            if (!first.fingerprint.equals(fingerprint)) throw StripeError.idempotencyMismatch(key);
            if (first.response == null) throw StripeError.idempotencyKeyInUse(key);
            replays.incrementAndGet();
            return first.response;
        }
        try {
            Response response = execution.get();
            mine.response = response;
            return response;
        } catch (StripeError e) {
            if (e.validation()) {
                idempotencyKeys.remove(key, mine);
                throw e;
            }
            Response response = errorResponse(e, requestId);
            mine.response = response;
            return response;
        } catch (RuntimeException e) {
            log.error("Stripe sandbox failed on a request with Idempotency-Key {}", key, e);
            Response response = errorResponse(StripeError.internal(String.valueOf(e)), requestId);
            mine.response = response;
            return response;
        }
    }

    /** Takes the key for {@code mine}, pruning an expired first use; returns the live first use, or null when claimed. */
    private StoredResponse claim(String key, StoredResponse mine) {
        Instant now = mine.created;
        if (idempotencyKeys.size() > PURGE_ABOVE) purgeExpiredKeys(now);
        StoredResponse first = idempotencyKeys.putIfAbsent(key, mine);
        if (first != null && first.response != null && expired(first, now)) {
            idempotencyKeys.remove(key, first);
            first = idempotencyKeys.putIfAbsent(key, mine);
        }
        return first;
    }

    private boolean expired(StoredResponse stored, Instant now) {
        return !stored.created.plus(idempotencyKeyTtl).isAfter(now);
    }

    /**
     * Forgets the expired keys, at most once a second: purging on every request while more than 50,000 keys were live
     * scanned them all each time (45% of the sandboxes' CPU in the soak benchmark). A reused expired key is also
     * dropped when it comes ({@link #claim}), so a late purge changes no answer.
     */
    private void purgeExpiredKeys(Instant now) {
        if (System.nanoTime() < nextPurgeNanos) return;
        synchronized (idempotencyKeys) {
            if (System.nanoTime() < nextPurgeNanos) return;
            idempotencyKeys.entrySet().removeIf(e -> e.getValue().response != null && expired(e.getValue(), now));
            nextPurgeNanos = System.nanoTime() + 1_000_000_000L;
        }
    }

    /** What makes two requests "the same" for an idempotency key: method, path and parameters in any order. */
    private static String fingerprint(String method, String rawPath, List<FormDecoder.Pair> pairs) {
        List<String> parts = new ArrayList<>();
        pairs.forEach(p -> parts.add(p.key() + "=" + p.value()));
        parts.sort(Comparator.naturalOrder());
        return method + " " + rawPath + "?" + String.join("&", parts);
    }

    private void authenticate(Headers headers) {
        String authorization = headers.getFirst("Authorization");
        if (authorization == null || authorization.isBlank()) {
            throw StripeError.authentication("You did not provide an API key. You need to provide your API key in the "
                    + "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
                    + "https://stripe.com/docs/api#authentication for details, or we can help at "
                    + "https://support.stripe.com/.");
        }
        String apiKey = authorization.trim();
        if (apiKey.regionMatches(true, 0, "Bearer ", 0, 7)) {
            apiKey = apiKey.substring(7).trim();
        } else if (apiKey.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String user = new String(Base64.getDecoder().decode(apiKey.substring(6).trim()), StandardCharsets.UTF_8);
                apiKey = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
            } catch (IllegalArgumentException e) {
                throw StripeError.authentication("Invalid API Key provided: the Basic credentials are not base64.");
            }
        }
        if (!apiKey.startsWith("sk_test_") && !apiKey.startsWith("rk_test_")) {
            throw StripeError.authentication("Invalid API Key provided: " + mask(apiKey));
        }
    }

    /** Stripe shows a key's type prefix and last four characters: {@code sk_live_********************1234}. */
    private static String mask(String apiKey) {
        int prefix = apiKey.indexOf('_', apiKey.indexOf('_') + 1) + 1;
        if (prefix <= 0 || apiKey.length() <= prefix + 4) return "*".repeat(Math.max(apiKey.length(), 4));
        return apiKey.substring(0, prefix) + "*".repeat(apiKey.length() - prefix - 4) + apiKey.substring(apiKey.length() - 4);
    }

    /**
     * One API version (https://docs.stripe.com/api-versions): a request without Stripe-Version gets the account
     * default, which is {@link #API_VERSION}; a request asking for any other version is refused.
     */
    private static void checkApiVersion(Headers headers) {
        String version = headers.getFirst("Stripe-Version");
        if (version != null && !version.trim().equals(API_VERSION)) throw StripeError.apiVersionNotSpoken(version, API_VERSION);
    }

    private static void checkContentType(Headers headers, String body) {
        String type = headers.getFirst("Content-Type");
        if (!body.isEmpty() && type != null && !type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            throw StripeError.invalid(null, "Invalid request: Stripe's API takes form-encoded bodies "
                    + "(application/x-www-form-urlencoded), not " + type + ".");
        }
    }

    private Response errorResponse(StripeError e, String requestId) {
        try {
            return new Response(e.status(), json.writeValueAsBytes(e.body(requestId)), requestId, e.shouldRetry());
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void send(HttpExchange exchange, Response response, String requestId, String key) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("Request-Id", requestId);
        headers.set("Stripe-Version", API_VERSION);
        if (key != null && "POST".equals(exchange.getRequestMethod())) headers.set("Idempotency-Key", key);
        if (!requestId.equals(response.requestId())) {
            headers.set("Idempotent-Replayed", "true");
            headers.set("Original-Request", response.requestId());
        }
        if (response.shouldRetry()) headers.set("Stripe-Should-Retry", "true");
        if (response.status() == 401) headers.set("WWW-Authenticate", "Basic realm=\"Stripe\"");
        exchange.sendResponseHeaders(response.status(), response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }

    private void record(String method, String path, String key, Map<String, Object> params, Response response,
                        String requestId) {
        String replayedFrom = requestId.equals(response.requestId()) ? null : response.requestId();
        synchronized (received) {
            if (received.size() == LOG_CAPACITY) received.removeFirst();
            received.addLast(new ReceivedRequest(clock.instant(), method, path, key, params, response.status(),
                    requestId, replayedFrom));
        }
    }

    @Override
    protected void sendInjectedFailure(HttpExchange exchange, int status) throws IOException {
        sendInjectedFailure(exchange, status, "");
    }

    /**
     * An injected failure. A 500 on a POST with an Idempotency-Key stands for an internal error of a request that
     * began executing, which Stripe saves under the key (https://docs.stripe.com/api/idempotent_requests): when the
     * request is valid and its key unused, the 500 is saved and later requests with the key and the same parameters
     * replay it. Other injected statuses (429, 502, 503, 504: the request never reached execution) are not saved.
     */
    @Override
    protected void sendInjectedFailure(HttpExchange exchange, int status, String body) throws IOException {
        String requestId = StripeIds.next("req_");
        requests.incrementAndGet();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        Response response = errorResponse(StripeError.injected(status), requestId);
        Map<String, Object> decoded = new LinkedHashMap<>();
        if (status == 500 && key != null && "POST".equals(exchange.getRequestMethod())) {
            try {
                authenticate(exchange.getRequestHeaders());
                Admitted admitted = admit(exchange, body, decoded, false);
                StoredResponse mine = new StoredResponse(admitted.fingerprint(), clock.instant());
                if (claim(key, mine) == null) {
                    mine.response = response;
                } else {
                    log.info("injected 500 not saved: Idempotency-Key {} is already in use", key);
                }
            } catch (StripeError e) {
                log.info("injected 500 not saved under Idempotency-Key {}: the request would not have executed ({})",
                        key, e.getMessage());
            }
        }
        record(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), key, decoded, response, requestId);
        send(exchange, response, requestId, key);
        log.debug("{} {} -> {} (injected)", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), status);
    }

    @Override
    protected void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        if (!exchange.getResponseHeaders().containsKey("Request-Id")) {
            exchange.getResponseHeaders().set("Request-Id", StripeIds.next("req_"));
        }
        super.sendJson(exchange, status, body);
    }

    /**
     * Sandbox controls besides the base ones: {@code GET /_sandbox/requests}, {@code GET|POST /_sandbox/rate-limit},
     * {@code GET /_sandbox/shape-violations}, {@code POST /_sandbox/payouts}, {@code GET|POST /_sandbox/webhooks}.
     */
    @Override
    @SuppressWarnings("unchecked")
    protected boolean control(HttpExchange exchange, String method, String path) throws IOException {
        switch (path) {
            case "/_sandbox/requests" -> sendJson(exchange, 200, requests());
            case "/_sandbox/payouts" -> {
                // pay out the balance: {"arrivalDate":"2025-12-23"} (default: two business days from the sandbox's today)
                Map<String, Object> body = "POST".equals(method) ? json.readValue(readBody(exchange), Map.class) : Map.of();
                java.time.LocalDate arrival = body.get("arrivalDate") instanceof String d ? java.time.LocalDate.parse(d)
                        : java.time.Instant.ofEpochSecond(StripeBalance.availableOn(clock.instant().getEpochSecond()))
                        .atZone(java.time.ZoneOffset.UTC).toLocalDate();
                try {
                    sendJson(exchange, 200, payout(arrival));
                } catch (StripeError e) {
                    sendJson(exchange, 400, Map.of("error", e.getMessage()));
                }
            }
            case "/_sandbox/disputes" -> {
                // the customer's bank disputes a charge: {"charge":"py_...","amount":100000}; close it:
                // {"dispute":"dp_...","won":true}
                Map<String, Object> body = json.readValue(readBody(exchange), Map.class);
                try {
                    if (body.get("dispute") instanceof String id) {
                        sendJson(exchange, 200, closeDispute(id, Boolean.TRUE.equals(body.get("won"))));
                    } else {
                        sendJson(exchange, 200, dispute((String) body.get("charge"), ((Number) body.get("amount")).longValue()));
                    }
                } catch (StripeError e) {
                    sendJson(exchange, 400, Map.of("error", e.getMessage()));
                }
            }
            case "/_sandbox/webhooks" -> {
                if ("POST".equals(method)) {
                    Map<String, Object> body = json.readValue(readBody(exchange), Map.class);
                    webhooks.register(new StripeWebhooks.Endpoint((String) body.get("url"), (String) body.get("secret"),
                            Boolean.TRUE.equals(body.get("duplicates")), Boolean.TRUE.equals(body.get("reorder"))));
                }
                sendJson(exchange, 200, Map.of("delivered", webhooks.deliveredCount(),
                        "failedAttempts", webhooks.failedAttemptCount()));
            }
            case "/_sandbox/rate-limit" -> {
                // {"perSecond":25} (0: every limit off), {"perEndpointPerSecond":25}, {"searchPerSecond":20}
                if ("POST".equals(method)) {
                    Map<String, Object> body = json.readValue(readBody(exchange), Map.class);
                    if (body.get("perSecond") instanceof Number n) rateLimitPerSecond(n.intValue());
                    if (body.get("perEndpointPerSecond") instanceof Number n) endpointRateLimitPerSecond(n.intValue());
                    if (body.get("searchPerSecond") instanceof Number n) searchRateLimitPerSecond(n.intValue());
                }
                sendJson(exchange, 200, Map.of("perSecond", rateLimits.global(),
                        "perEndpointPerSecond", rateLimits.perEndpoint(), "searchPerSecond", rateLimits.search()));
            }
            case "/_sandbox/shape-violations" -> sendJson(exchange, 200, new java.util.TreeSet<>(shapeViolations));
            default -> {
                return false;
            }
        }
        return true;
    }
}
