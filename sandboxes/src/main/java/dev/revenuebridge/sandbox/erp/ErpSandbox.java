package dev.revenuebridge.sandbox.erp;

import static dev.revenuebridge.sandbox.erp.ErpRecordView.RECORD_PATH;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.sun.net.httpserver.HttpExchange;
import dev.revenuebridge.sandbox.SandboxServer;
import dev.revenuebridge.sandbox.erp.ErpSchema.Kind;
import dev.revenuebridge.sandbox.erp.ErpSchema.Mode;
import dev.revenuebridge.sandbox.erp.ErpSchema.RecordSpec;
import dev.revenuebridge.sandbox.erp.ErpValidator.Validated;
import dev.revenuebridge.sandbox.erp.NetSuiteErrors.Failure;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A stateful fake of one NetSuite account's REST web services: the record service
 * ({@code /services/rest/record/v1}), the SuiteQL query service ({@code /services/rest/query/v1/suiteql}) and the
 * OAuth 2.0 token endpoint ({@code /services/rest/auth/oauth2/v1/token}). What it accepts, a real account configured
 * as described here accepts; where it refuses, it answers in NetSuite's problem shape ({@link NetSuiteErrors}:
 * {@code o:errorDetails} with {@code o:errorCode} and, for body errors, the JSON path {@code o:errorPath}).
 *
 * <h2>Authentication and the clock</h2>
 * <ul>
 *   <li>OAuth 2.0 client credentials with a JWT client assertion ({@link ErpOAuth}, which cites the docs): a
 *       certificate is mapped to the integration's client id with {@link #mapCertificate}; the token endpoint verifies
 *       typ, alg (PS256/384/512, ES256/384/512), kid, iss, scope, aud, iat, exp and the signature and issues an opaque
 *       access token valid for 3600 s. {@link #CLIENT_ID} and {@link #CERTIFICATE_ID} are the ids of local mode.</li>
 *   <li>Every record and query call needs {@code Authorization: Bearer <access token>} issued here and not expired,
 *       else 401 INVALID_LOGIN. There is no static token any more.</li>
 *   <li>One clock ({@link #clock(Clock)}, {@link #advance(Duration)}) gives every "now": token expiry, default
 *       transaction dates, createdDate and lastModifiedDate.</li>
 * </ul>
 *
 * <h2>Concurrency</h2>
 * Concurrent record and query requests are limited per account; one beyond the limit is refused at once with 429
 * CONCURRENCY_LIMIT_EXCEEDED (the REST answer seen in practice; the docs state only the RESTlet and SOAP answers, see
 * {@code enter}). A request holds its place from its arrival until it has answered, its injected latency and an answer
 * held past the client's timeout included, as NetSuite counts it until it completes. The token endpoint is not
 * limited. {@link #processingDelayMillis(long)} holds each admitted request, {@link #placeTime()} sums the time places
 * were held.
 *
 * <h2>Records</h2>
 * {@code POST /{type}} creates, {@code PUT /{type}/eid:{externalId}} upserts, {@code PATCH /{type}/{id|eid:x}} updates
 * (all 204 with {@code Location}); {@code GET} reads a record ({@code ?expandSubResources=true} expands sublists), a
 * sublist or a page of a collection ({@code limit}, {@code offset}, {@code q}); {@code DELETE} removes a record nothing
 * refers to. An unknown {@code eid:} is 404 NONEXISTENT_ID. On update, sublist lines merge by their key ({@code line},
 * or {@code doc} for apply and deposit payment lines); {@code ?replace=sublist} makes the sublist exactly the lines sent
 * (keyed lines kept, unkeyed lines new with new line numbers). Every type the bridge writes is strict
 * ({@link ErpSchema}): unknown fields, wrong JSON types, dangling references, missing required fields and computed
 * fields sent are refused. The rules ({@link ErpValidator}):
 * <ul>
 *   <li><b>customer</b>: companyName and subsidiary required; currency defaults to the subsidiary's; the address is
 *       the {@code addressBook} sublist of {@code addressBookAddress} subrecords (country an ISO 3166 alpha-2
 *       {@code {"id"}}), at most one default billing line; {@code defaultAddress} is computed text.</li>
 *   <li><b>salesOrder</b>: the customer's subsidiary, the subsidiary's currency; lines of quantity x rate = amount,
 *       each with revRecStartDate and revRecEndDate (end not before start) and custcol_sf_line_item_id. Status "F"
 *       Pending Billing from the start (service items need no fulfillment), "G" Billed once every line is fully
 *       billed. Per line the read-only quantityBilled and amountBilled; a billed line cannot be removed, have its item
 *       changed, or its amount (quantity) lowered below what was billed: 400 USER_ERROR naming the line.</li>
 *   <li><b>invoice</b>, <b>creditMemo</b>: item lines; computed createdFrom, total, amountRemaining, (invoice)
 *       status Open / Paid In Full, (credit memo) the read-only {@code apply} list of what it was applied to. One of a
 *       sales order (of an invoice) is made only by transform; createdFrom cannot be sent.</li>
 *   <li><b>customerPayment</b>: payment &gt; 0; exactly one of {@code undepFunds: true} or a Bank {@code account} of
 *       the payment's currency; apply lines pay this customer's invoices in the same currency, each at most its amount
 *       remaining (this payment's own earlier application excluded), in total at most the payment. Computed status
 *       Undeposited / Deposited and {@code deposit}; a deposited payment's amount, currency and undepFunds are fixed.</li>
 *   <li><b>customerRefund</b>: paid from {@code account} (Bank of its currency, or Other Current Asset); apply lines
 *       take unapplied credit of the customer's credit memos; computed total = the applied sum, &gt; 0.</li>
 *   <li><b>journalEntry</b>: lines of an existing account with exactly one of debit or credit &gt; 0; balanced; a bank
 *       account must be of the journal's subsidiary.</li>
 *   <li><b>deposit</b>: into a Bank account of its subsidiary and currency; payment lines take customer payments in
 *       Undeposited Funds, of its currency, each in one deposit only; Other Deposits and Cash Back lines need an
 *       account and an amount &gt; 0; computed total = payments + other - cash back.</li>
 *   <li><b>revRecSchedule</b>: not available (404 INVALID_RCRD_TYPE): the account runs Advanced Revenue Management.</li>
 *   <li>Reference data, read-only (403 on writes): subsidiaries, currencies, terms, service items (with their revenue
 *       recognition rule and fair value prices) and accounts.</li>
 * </ul>
 *
 * <h2>Transforms</h2>
 * {@code POST salesOrder/{id}/!transform/invoice} and {@code POST invoice/{id}/!transform/creditMemo}, 204 with the
 * new record's Location; semantics in {@code transform}.
 *
 * <h2>Advanced Revenue Management and SuiteQL</h2>
 * Saving a sales order (re)builds its revenue arrangement ({@link ErpArm}: allocation by fair value, plans by the
 * items' rules); {@link #armEnabled(boolean)} switches it off, {@link #fairValue} changes a price,
 * {@link #revenuePlans(String)} shows the plans. The query service answers the one revenue plan query the bridge
 * sends ({@code Prefer: transient} required); its lineid column is the line's custcol_sf_line_item_id (a sandbox
 * simplification).
 *
 * <h2>Control</h2>
 * Besides the base control endpoints, {@code GET|POST /_sandbox/erp/config} reads or sets
 * {@code {"concurrencyLimit":n,"processingDelayMs":n,"armEnabled":b,"advanceSeconds":n}} and
 * {@code GET /_sandbox/erp/requests} lists the write log (record writes and transforms; not token requests nor
 * queries). {@link #reset()} forgets records, tokens, arrangements and counters; the clock and the certificate
 * mappings, the account's configuration, stay.
 */
public class ErpSandbox extends SandboxServer {

    public static final String DEFAULT_ACCOUNT_ID = "TSTDRV1234567";
    public static final int DEFAULT_CONCURRENCY_LIMIT = 5;
    /** The client id of the integration record for local mode and tests. */
    public static final String CLIENT_ID = "rb-local-integration-client-id";
    /** The certificate id of the certificate mapped to {@link #CLIENT_ID} for local mode and tests. */
    public static final String CERTIFICATE_ID = "rb-local-certificate-id";
    public static final String TOKEN_PATH = ErpOAuth.TOKEN_PATH;
    public static final String SUITEQL_PATH = "/services/rest/query/v1/suiteql";

    /**
     * One write request (POST, PUT, PATCH, DELETE) as received, with the status answered. The body is null for
     * requests answered by the fault switch, which consumes it before this sandbox sees it.
     */
    public record WriteRequest(String method, String path, String body, int status) {
    }

    private static final String RESOURCE_TYPE = "application/vnd.oracle.resource+json; type=singular-resource";
    private static final String COLLECTION_TYPE = "application/vnd.oracle.resource+json; type=collection";
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final int MAX_PAGE = 1000;

    private record Reply(int status, Object body, String contentType, String location) {

        static Reply noContent(String location) { return new Reply(204, null, null, location); }

        static Reply of(Object body, String contentType) { return new Reply(200, body, contentType, null); }

        static Reply error(int status, Map<String, Object> body) {
            return new Reply(status, body, NetSuiteErrors.CONTENT_TYPE, null);
        }
    }

    private final String accountId;
    private final int initialConcurrencyLimit;
    private volatile Clock clock = Clock.systemUTC();
    private final ErpRecordStore store = new ErpRecordStore();
    private final ErpLedger ledger = new ErpLedger(store);
    private final ErpValidator validator = new ErpValidator(store, ledger, this::clock);
    private final ErpRecordView view = new ErpRecordView(store, ledger, this::baseUrl);
    private final ErpOAuth oauth = new ErpOAuth(this::clock, this::baseUrl);
    private final ErpArm arm = new ErpArm();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong busyNanos = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger validationErrors = new AtomicInteger();
    private final List<WriteRequest> writes = new CopyOnWriteArrayList<>();
    private volatile int concurrencyLimit;
    private volatile long processingDelayMillis;

    public ErpSandbox() {
        this(DEFAULT_ACCOUNT_ID, DEFAULT_CONCURRENCY_LIMIT);
    }

    public ErpSandbox(String accountId, int concurrencyLimit) {
        if (concurrencyLimit < 1) {
            throw new IllegalArgumentException("concurrencyLimit must be at least 1");
        }
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        this.initialConcurrencyLimit = concurrencyLimit;
        this.concurrencyLimit = concurrencyLimit;
        json.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        json.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    }

    @Override
    public synchronized ErpSandbox start(int port) {
        super.start(port);
        return this;
    }

    // ---- configuration and observation for tests ----

    public String accountId() { return accountId; }

    /** Sets the sandbox clock: every "now" (token expiry, default dates, timestamps) reads it. Kept across reset. */
    public ErpSandbox clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public Clock clock() { return clock; }

    /** Moves the sandbox clock forward (or back, for a negative duration). */
    public ErpSandbox advance(Duration duration) {
        this.clock = Clock.offset(clock, duration);
        return this;
    }

    /**
     * Maps a certificate to the integration record with {@code clientId} (NetSuite: Setup > Integration > OAuth 2.0
     * Client Credentials (M2M) Setup): assertions with {@code kid = certificateId} and {@code iss = clientId} are
     * verified with {@code publicKey}. Kept across reset, as the account's configuration.
     */
    public ErpSandbox mapCertificate(String clientId, String certificateId, PublicKey publicKey) {
        oauth.mapCertificate(clientId, certificateId, publicKey);
        return this;
    }

    /** Issues an access token directly, as if the token endpoint had (for the sandbox's own tests). */
    public String issueAccessToken() { return oauth.issue(); }

    /** Access tokens issued (by the token endpoint or {@link #issueAccessToken()}) since the last reset. */
    public int tokensIssued() { return oauth.issuedCount(); }

    /** Switches Advanced Revenue Management: with it off, saving an order builds no revenue arrangement. */
    public ErpSandbox armEnabled(boolean enabled) {
        arm.enabled(enabled);
        return this;
    }

    public boolean armEnabled() { return arm.enabled(); }

    /** Sets an item's fair value price in one currency (e.g. "EUR"), for orders saved from now on. */
    public ErpSandbox fairValue(String itemId, String currencySymbol, BigDecimal price) {
        store.fairValue(itemId, currencySymbol, price);
        return this;
    }

    /**
     * The revenue plans of a sales order's arrangement, one per line in line order: {line, lineId, item, amount,
     * fairValue, allocation, rule, periods: {"YYYY-MM": amount}}. Empty when none was built.
     */
    public List<Map<String, Object>> revenuePlans(String salesOrderId) {
        return arm.plans(salesOrderId).stream().map(ErpArm.Plan::plain).toList();
    }

    /** Sets the number of requests admitted at once; takes effect for the next request. */
    public ErpSandbox concurrencyLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("concurrency limit must be at least 1");
        }
        this.concurrencyLimit = limit;
        return this;
    }

    public int concurrencyLimit() { return concurrencyLimit; }

    /** How long each admitted record request is held (counting towards the concurrency limit) before it is served. */
    public ErpSandbox processingDelayMillis(long millis) {
        this.processingDelayMillis = Math.max(0, millis);
        return this;
    }

    public long processingDelayMillis() { return processingDelayMillis; }

    /** Requests answered on the record API, including refused and fault-injected ones. */
    public int requestCount() { return requests.get(); }

    public int throttledCount() { return throttled.get(); }

    /**
     * The time record and query requests have held the account's concurrent places, summed over requests (a place
     * held 2 s by each of 3 requests is 6 s): the limit allows {@code concurrencyLimit} place-seconds a second.
     */
    public Duration placeTime() { return Duration.ofNanos(busyNanos.get()); }

    public int maxConcurrentSeen() { return maxConcurrent.get(); }

    /** Starts a new high-water mark of requests in flight (from those in flight now): a test measures its own. */
    public ErpSandbox resetMaxConcurrentSeen() {
        maxConcurrent.set(inFlight.get());
        return this;
    }

    public int validationErrorCount() { return validationErrors.get(); }

    public List<WriteRequest> writeLog() { return List.copyOf(writes); }

    /** The records of a type in their plain form (references as {id, refName}), ordered by internal id. */
    public List<Map<String, Object>> records(String type) {
        String name = spec(type).name();
        return store.atomically(() -> store.all(name).stream().map(view::plain).toList());
    }

    public Optional<Map<String, Object>> byExternalId(String type, String externalId) {
        String name = spec(type).name();
        return store.atomically(() -> store.findByExternalId(name, externalId).map(view::plain));
    }

    public Optional<Map<String, Object>> byId(String type, String internalId) {
        String name = spec(type).name();
        return store.atomically(() -> store.find(name, internalId).map(view::plain));
    }

    @Override
    protected String name() { return "erp"; }

    @Override
    public Object state() {
        return store.atomically(() -> {
            Map<String, Object> records = new LinkedHashMap<>();
            for (String type : store.createdTypes()) {
                records.put(type, store.all(type).stream().filter(r -> !r.seeded()).map(view::plain).toList());
            }
            Map<String, Object> counters = new LinkedHashMap<>();
            counters.put("requests", requests.get());
            counters.put("throttled", throttled.get());
            counters.put("maxConcurrent", maxConcurrent.get());
            counters.put("validationErrors", validationErrors.get());
            counters.put("tokensIssued", oauth.issuedCount());
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("accountId", accountId);
            state.put("records", records);
            state.put("counters", counters);
            return state;
        });
    }

    @Override
    public void reset() {
        store.reset();
        arm.reset();
        oauth.reset();
        requests.set(0);
        throttled.set(0);
        busyNanos.set(0);
        maxConcurrent.set(0);
        validationErrors.set(0);
        writes.clear();
        concurrencyLimit = initialConcurrencyLimit;
        processingDelayMillis = 0;
    }

    @Override
    protected boolean control(HttpExchange exchange, String method, String path) throws IOException {
        switch (path) {
            case "/_sandbox/erp/config" -> {
                if ("POST".equals(method)) {
                    Map<?, ?> body = json.readValue(readBody(exchange), Map.class);
                    if (body.get("concurrencyLimit") instanceof Number n) concurrencyLimit(n.intValue());
                    if (body.get("processingDelayMs") instanceof Number n) processingDelayMillis(n.longValue());
                    if (body.get("armEnabled") instanceof Boolean b) armEnabled(b);
                    if (body.get("advanceSeconds") instanceof Number n) advance(Duration.ofSeconds(n.longValue()));
                }
                sendJson(exchange, 200, Map.of("concurrencyLimit", concurrencyLimit,
                        "processingDelayMs", processingDelayMillis, "armEnabled", arm.enabled(),
                        "now", clock.instant().toString()));
                return true;
            }
            case "/_sandbox/erp/requests" -> {
                sendJson(exchange, 200, writeLog());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    protected void sendInjectedFailure(HttpExchange exchange, int status) throws IOException {
        if (TOKEN_PATH.equals(exchange.getRequestURI().getPath())) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", status >= 500 ? "server_error" : "invalid_request");
            error.put("error_description", "The request was refused (sandbox fault switch).");
            sendJson(exchange, status, error);
            return;
        }
        requests.incrementAndGet();
        logWrite(exchange, null, status);
        send(exchange, Reply.error(status, NetSuiteErrors.injected(status)));
    }

    // ---- the record API ----

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        if (TOKEN_PATH.equals(exchange.getRequestURI().getPath())) {
            tokenEndpoint(exchange);
            return;
        }
        requests.incrementAndGet();
        String body = readBody(exchange);
        Reply reply;
        try {
            reply = admit(exchange, body);
        } catch (Failure f) {
            reply = Reply.error(f.status(), f.body());
        } catch (RuntimeException e) {
            log.error("erp sandbox failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            reply = Reply.error(500, NetSuiteErrors.problem(500, NetSuiteErrors.UNEXPECTED_ERROR,
                    "An unexpected error occurred: " + e, null));
        }
        if (reply.status() == 400) {
            validationErrors.incrementAndGet();
        }
        logWrite(exchange, body, reply.status());
        send(exchange, reply);
    }

    /**
     * The OAuth 2.0 token endpoint ({@link ErpOAuth}). It does not count toward the concurrency limit (NetSuite
     * governs web services and RESTlet requests, "Concurrency Governance and Session Management",
     * subsect_1559222360), is not a record request (not in {@link #requestCount()} nor the write log) and counts in
     * {@link #tokensIssued()}.
     */
    private void tokenEndpoint(HttpExchange exchange) throws IOException {
        String body = readBody(exchange);
        if (!"POST".equals(exchange.getRequestMethod())) {
            sendJson(exchange, 405, Map.of("error", "invalid_request", "error_description", "Use POST."));
            return;
        }
        try {
            Map<String, Object> token = oauth.token(exchange.getRequestHeaders().getFirst("Content-Type"),
                    decodeForm(body));
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            sendJson(exchange, 200, token);
        } catch (ErpOAuth.OAuthError e) {
            log.info("erp sandbox refuses a token request: {} {}", e.code(), e.getMessage());
            sendJson(exchange, 400, e.body());
        }
    }

    private Reply admit(HttpExchange exchange, String body) {
        String path = exchange.getRequestURI().getPath();
        boolean suiteql = SUITEQL_PATH.equals(path);
        if (!path.startsWith(RECORD_PATH + "/") && !suiteql) {
            throw new Failure(404, NetSuiteErrors.NONEXISTENT_ID, "The requested resource " + path
                    + " does not exist.", null);
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || !oauth.valid(auth.substring(7).trim())) {
            throw new Failure(401, NetSuiteErrors.INVALID_LOGIN, NetSuiteErrors.INVALID_LOGIN_DETAIL, null);
        }
        pause();
        if (suiteql) {
            return suiteql(exchange, body);
        }
        return route(exchange.getRequestMethod(), exchange.getRequestURI(), body);
    }

    /**
     * A record or query request takes one of the account's concurrent places from its arrival until it has answered:
     * its processing (the injected latency, {@link #processingDelayMillis}) and an answer held past the client's
     * timeout count, as NetSuite counts each REST request toward the account limit until it completes ("Concurrency
     * Governance and Session Management", subsect_1559222360: a request that takes more than 15 minutes times out),
     * whether or not the client still waits for it. The token endpoint and the sandbox's controls take no place.
     * <p>
     * NetSuite Help "Errors Related to Concurrency Violations" (bridgehead_1525252812) documents the answers of
     * RESTlets (HTTP 400, SSS_REQUEST_LIMIT_EXCEEDED) and of SOAP web services (ExceededConcurrentRequestLimitFault
     * / WS_REQUEST_BLOCKED, ExceededRequestLimitFault / WS_CONCUR_SESSION_DISALLWD) but not that of the REST
     * record and query services. The REST services answer 429 Too Many Requests with o:errorCode
     * CONCURRENCY_LIMIT_EXCEEDED in practice (observed, not documented); the sandbox answers so, at once.
     */
    @Override
    protected Runnable enter(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.startsWith(RECORD_PATH + "/") && !SUITEQL_PATH.equals(path)) {
            return super.enter(exchange);
        }
        if (!tryAcquire()) {
            requests.incrementAndGet();
            throttled.incrementAndGet();
            String body = readBody(exchange);
            logWrite(exchange, body, 429);
            send(exchange, Reply.error(429, NetSuiteErrors.problem(429, NetSuiteErrors.CONCURRENCY_LIMIT_EXCEEDED,
                    NetSuiteErrors.CONCURRENCY_DETAIL, null)));
            return null;
        }
        long admitted = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);
        Runnable release = () -> {
            if (held.compareAndSet(true, false)) {
                busyNanos.addAndGet(System.nanoTime() - admitted);
                inFlight.decrementAndGet();
            }
        };
        place.set(release);
        return () -> {
            release.run();
            place.remove();
        };
    }

    /**
     * The place of the request this thread serves ({@link #enter}), given back once, when its answer goes out (a
     * thread serves one request at a time; the JDK's exchange attributes are shared by the context's exchanges).
     */
    private final ThreadLocal<Runnable> place = new ThreadLocal<>();

    /**
     * Admits a request if fewer than the limit are in flight. A compare-and-set counter rather than a Semaphore,
     * so that the limit can change at runtime without losing count of requests already admitted.
     */
    private boolean tryAcquire() {
        while (true) {
            int current = inFlight.get();
            if (current >= concurrencyLimit) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                maxConcurrent.accumulateAndGet(current + 1, Math::max);
                return true;
            }
        }
    }

    private void pause() {
        long delay = processingDelayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Reply route(String method, URI uri, String body) {
        String[] segments = Arrays.stream(uri.getPath().substring(RECORD_PATH.length() + 1).split("/"))
                .filter(s -> !s.isEmpty()).toArray(String[]::new);
        if (segments.length == 0) {
            throw NetSuiteErrors.unknownRecordType("");
        }
        RecordSpec spec = ErpSchema.find(segments[0]).orElseThrow(() -> NetSuiteErrors.unknownRecordType(segments[0]));
        Map<String, String> query = decodeForm(uri.getRawQuery());
        if (spec.mode() == Mode.UNAVAILABLE) {
            throw NetSuiteErrors.unknownRecordType(segments[0]);
        }
        if (segments.length == 4 && "!transform".equals(segments[2])) {
            if (!"POST".equals(method)) throw NetSuiteErrors.methodNotAllowed(method, uri.getPath());
            return transform(spec, segments[1], segments[3], body);
        }
        if (WRITES.contains(method) && spec.mode() == Mode.READ_ONLY) {
            throw NetSuiteErrors.readOnly(spec.name());
        }
        return switch (segments.length) {
            case 1 -> switch (method) {
                case "GET" -> list(spec, query);
                case "POST" -> create(spec, parseObject(body));
                default -> throw NetSuiteErrors.methodNotAllowed(method, uri.getPath());
            };
            case 2 -> switch (method) {
                case "GET" -> Reply.of(store.atomically(() -> view.resource(locate(spec, segments[1]),
                        Boolean.parseBoolean(query.get("expandSubResources")))), RESOURCE_TYPE);
                case "PUT" -> upsert(spec, segments[1], parseObject(body), replaced(spec, query), uri);
                case "PATCH" -> patch(spec, segments[1], parseObject(body), replaced(spec, query));
                case "DELETE" -> delete(spec, segments[1]);
                default -> throw NetSuiteErrors.methodNotAllowed(method, uri.getPath());
            };
            case 3, 4 -> {
                if (!"GET".equals(method)) throw NetSuiteErrors.methodNotAllowed(method, uri.getPath());
                yield subResource(spec, segments);
            }
            default -> throw NetSuiteErrors.notFound();
        };
    }

    private Reply create(RecordSpec spec, Map<String, Object> body) {
        ErpRecord saved = store.atomically(() -> {
            Validated v = validator.create(spec, store.nextId(), body);
            checkExternalIdFree(spec, v.externalId(), null);
            Instant now = now();
            ErpRecord record = new ErpRecord(spec.name(), store.nextId(), v.externalId(), v.fields(), now, now, false);
            store.put(record);
            saved(record);
            return record;
        });
        return Reply.noContent(view.href(saved.type(), saved.id()));
    }

    /**
     * {@code POST /{type}/{id}/!transform/{toType}} (NetSuite Help "Transforming Records", section_157901123882:
     * "you use the POST method to send a record transformation request ... If the transformation is performed
     * successfully, an HTTP 204 - No Content response is returned"; "In the request body, you can also specify data
     * for additional fields of the record"). The sandbox supports the two transforms the bridge uses:
     * <ul>
     *   <li>salesOrder to invoice: body fields externalId, tranDate, dueDate, memo, tranId, otherRefNum and
     *       {@code item.items} lines {orderLine, quantity, amount, description}. With item lines exactly those order
     *       lines are billed with those quantities and amounts (the rate is computed as amount / quantity); without
     *       them every line's unbilled remainder is billed. Entity, subsidiary, currency, terms, each line's item and
     *       custcol_sf_line_item_id come from the order; createdFrom is the order. The order must not be pending
     *       approval or fully billed; no line may be billed beyond its amount (nor, for a positive line, beyond its
     *       quantity); a line with a negative amount (a proration credit) may be billed while its cumulative billed
     *       amount stays between its amount and 0, and the invoice total stays &gt;= 0.</li>
     *   <li>invoice to creditMemo: body fields externalId, tranDate, memo and {@code item.items} lines {orderLine (the
     *       invoice's line number), amount, quantity (default 1), description}; without lines every line's
     *       uncredited remainder is credited. What is credited per invoice line never exceeds that line's amount.
     *       The credit memo is applied to its invoice's amount remaining; the rest stays unapplied.</li>
     * </ul>
     * A body externalId already used by another record of the target type is 400 USER_ERROR.
     */
    private Reply transform(RecordSpec source, String key, String toType, String rawBody) {
        RecordSpec target = ErpSchema.find(toType).orElseThrow(() -> NetSuiteErrors.unknownRecordType(toType));
        boolean billing = ErpSchema.SALES_ORDER.equals(source.name()) && ErpSchema.INVOICE.equals(target.name());
        boolean crediting = ErpSchema.INVOICE.equals(source.name()) && ErpSchema.CREDIT_MEMO.equals(target.name());
        if (!billing && !crediting) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_PARAMETER, "The transformation of " + source.name()
                    + " into " + target.name() + " is not supported.", null);
        }
        Map<String, Object> body = rawBody == null || rawBody.isBlank() ? Map.of() : parseObject(rawBody);
        Set<String> bodyFields = billing ? Set.of("tranDate", "dueDate", "memo", "tranId", "otherRefNum")
                : Set.of("tranDate", "memo");
        ErpRecord saved = store.atomically(() -> {
            ErpRecord from = locate(source, key);
            ErpValidator.TransformBody t = validator.transformBody(target, body, bodyFields);
            String id = store.nextId();
            Map<String, Object> fields = new LinkedHashMap<>();
            for (String name : List.of("entity", "subsidiary", "currency")) {
                if (from.get(name) != null) fields.put(name, from.get(name));
            }
            if (billing && from.get("terms") != null) fields.put("terms", from.get("terms"));
            if (billing && from.get("otherRefNum") != null) fields.put("otherRefNum", from.get("otherRefNum"));
            fields.putAll(t.fields());
            fields.put("createdFrom", new ErpRecord.Ref(source.name(), from.id()));
            if (billing) {
                ErpRecord.Choice status = (ErpRecord.Choice) from.get("orderStatus");
                if (status != null && "A".equals(status.id())) {
                    throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. "
                            + "You can not initialize invoice: sales order " + from.id() + " is pending approval.", null);
                }
                if (ledger.fullyBilled(from)) {
                    throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. "
                            + "You can not initialize invoice: invalid reference " + from.id() + ". Sales order "
                            + from.id() + " has been fully billed.", null);
                }
            }
            fields.put(ErpSchema.ITEM_SUBLIST, transformLines(from, t.lines(), billing));
            ErpValidator.Validated v = validator.transformed(target, id, fields);
            String externalId = t.externalId();
            checkExternalIdFree(target, externalId, null);
            Instant now = now();
            ErpRecord record = new ErpRecord(target.name(), id, externalId, v.fields(), now, now, false);
            store.put(record);
            return record;
        });
        return Reply.noContent(view.href(saved.type(), saved.id()));
    }

    /** The lines of a transformed record, from the source's lines and the lines of the request body. */
    private List<Map<String, Object>> transformLines(ErpRecord from, List<Map<String, Object>> sent, boolean billing) {
        List<Map<String, Object>> sourceLines = from.lines(ErpSchema.ITEM_SUBLIST);
        List<Map<String, Object>> out = new ArrayList<>();
        if (sent == null) {
            for (Map<String, Object> line : sourceLines) {
                BigDecimal amount = ErpLedger.money(line.get("amount"));
                BigDecimal quantity = (BigDecimal) line.get("quantity");
                BigDecimal done = ErpLedger.ZERO;
                BigDecimal doneQuantity = BigDecimal.ZERO;
                if (billing) {
                    ErpLedger.Billed b = ledger.billed(from.id(), line.get("line"), null);
                    done = b.amount();
                    doneQuantity = b.quantity();
                } else {
                    for (ErpRecord memo : store.all(ErpSchema.CREDIT_MEMO)) {
                        if (!new ErpRecord.Ref(ErpSchema.INVOICE, from.id()).equals(memo.ref("createdFrom"))) continue;
                        for (Map<String, Object> l : memo.lines(ErpSchema.ITEM_SUBLIST)) {
                            if (Objects.equals(l.get("orderLine"), line.get("line"))) done = done.add(ErpLedger.money(l.get("amount")));
                        }
                    }
                }
                BigDecimal rest = amount.subtract(done);
                if (rest.signum() == 0 || (!billing && rest.signum() < 0)) continue;
                BigDecimal restQuantity = quantity.subtract(doneQuantity);
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("orderLine", line.get("line"));
                l.put("quantity", done.signum() == 0 ? quantity : billing && restQuantity.signum() > 0 ? restQuantity
                        : BigDecimal.ONE);
                l.put("amount", rest);
                out.add(l);
            }
            if (out.isEmpty()) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. "
                        + "Nothing is left to " + (billing ? "bill" : "credit") + " on " + from.type() + " " + from.id()
                        + ".", null);
            }
        } else {
            if (sent.isEmpty()) {
                throw NetSuiteErrors.missingValue(ErpSchema.ITEM_SUBLIST, "Items");
            }
            for (Map<String, Object> line : sent) out.add(new LinkedHashMap<>(line));
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Map<String, Object> line = out.get(i);
            Object number = line.get("orderLine");
            String path = ErpSchema.ITEM_SUBLIST + ".items[" + i + "].";
            Map<String, Object> source = sourceLines.stream().filter(l -> Objects.equals(l.get("line"), number))
                    .findFirst().orElseThrow(() -> NetSuiteErrors.invalidValue(path + "orderLine", "Invalid value for "
                            + "field orderLine: " + from.type() + " " + from.id() + " has no line " + number + "."));
            BigDecimal quantity = line.get("quantity") instanceof BigDecimal q ? q
                    : billing ? (BigDecimal) source.get("quantity") : BigDecimal.ONE;
            if (quantity.signum() <= 0) {
                throw NetSuiteErrors.invalidValue(path + "quantity", "Invalid value for field quantity: "
                        + quantity.toPlainString() + ". The quantity must be greater than 0.");
            }
            BigDecimal amount = line.get("amount") instanceof BigDecimal a ? a.setScale(2, RoundingMode.HALF_UP)
                    : quantity.multiply((BigDecimal) source.get("rate")).setScale(2, RoundingMode.HALF_UP);
            BigDecimal rate = amount.divide(quantity, 8, RoundingMode.HALF_UP).stripTrailingZeros();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("line", i + 1);
            l.put("item", source.get("item"));
            l.put("quantity", quantity);
            l.put("rate", rate.scale() < 2 ? rate.setScale(2) : rate);
            l.put("amount", amount);
            Object description = line.get("description") != null ? line.get("description") : source.get("description");
            if (description != null) l.put("description", description);
            l.put("orderLine", number);
            if (source.get("custcol_sf_line_item_id") != null) {
                l.put("custcol_sf_line_item_id", source.get("custcol_sf_line_item_id"));
            }
            lines.add(l);
        }
        return lines;
    }

    /**
     * {@code POST /services/rest/query/v1/suiteql?limit=&offset=} with {@code {"q": "..."}} (NetSuite Help "Using
     * SuiteQL with SuiteTalk REST Web Services", section_158394344595, whose request carries the header
     * {@code Prefer: transient}; "Executing SuiteQL Queries Through REST Web Services", section_157909186990: paging by
     * limit and offset as in collection paging, at most 1000 a page). A request without {@code Prefer: transient} is
     * 400 (o:errorHeader Prefer). Only the revenue plan query is understood ({@link ErpArm}); values come back as
     * strings, as SuiteQL returns them.
     */
    private Reply suiteql(HttpExchange exchange, String rawBody) {
        URI uri = exchange.getRequestURI();
        if (!"POST".equals(exchange.getRequestMethod())) {
            throw NetSuiteErrors.methodNotAllowed(exchange.getRequestMethod(), uri.getPath());
        }
        String prefer = exchange.getRequestHeaders().getFirst("Prefer");
        if (prefer == null || Arrays.stream(prefer.split("[,;]")).noneMatch(p -> "transient".equalsIgnoreCase(p.trim()))) {
            throw NetSuiteErrors.badHeader("Prefer", "Invalid header value for Prefer: a SuiteQL query needs the "
                    + "header Prefer: transient.");
        }
        Map<String, String> query = decodeForm(uri.getRawQuery());
        int limit = intParam(query, "limit", MAX_PAGE, 1, MAX_PAGE);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        Map<String, Object> body = parseObject(rawBody);
        for (String key : body.keySet()) {
            if (!"q".equals(key)) throw NetSuiteErrors.invalidField(key);
        }
        if (!(body.get("q") instanceof String q) || q.isBlank()) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_PARAMETER, "Invalid search query. The body "
                    + "needs the query as \"q\".", "q");
        }
        String orderId = ErpArm.orderIdOf(q);
        List<Map<String, Object>> rows = store.atomically(() -> arm.rows(orderId));
        int total = rows.size();
        List<Map<String, Object>> page = rows.subList(Math.min(offset, total), Math.min(offset + limit, total));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("links", List.of());
        out.put("count", page.size());
        out.put("hasMore", offset + page.size() < total);
        out.put("items", page);
        out.put("offset", offset);
        out.put("totalResults", total);
        return Reply.of(out, COLLECTION_TYPE);
    }

    private Reply upsert(RecordSpec spec, String key, Map<String, Object> body, Set<String> replace, URI uri) {
        if (!key.startsWith("eid:")) {
            throw NetSuiteErrors.methodNotAllowed("PUT", uri.getPath() + " (upsert needs an external ID: eid:...)");
        }
        String externalId = key.substring(4);
        if (externalId.isBlank()) {
            throw NetSuiteErrors.notFound();
        }
        ErpRecord saved = store.atomically(() -> {
            Optional<ErpRecord> existing = store.findByExternalId(spec.name(), externalId);
            Validated v = existing.map(e -> validator.update(spec, e, body, replace))
                    .orElseGet(() -> validator.create(spec, store.nextId(), body));
            if (v.externalId() != null && !v.externalId().equals(externalId)) {
                throw NetSuiteErrors.invalidValue("externalId", "Invalid value for field externalId: " + v.externalId()
                        + " differs from the external ID " + externalId + " in the request URL.");
            }
            return save(spec, existing, externalId, v);
        });
        return Reply.noContent(view.href(saved.type(), saved.id()));
    }

    private Reply patch(RecordSpec spec, String key, Map<String, Object> body, Set<String> replace) {
        ErpRecord saved = store.atomically(() -> {
            ErpRecord existing = locate(spec, key);
            Validated v = validator.update(spec, existing, body, replace);
            checkExternalIdFree(spec, v.externalId(), existing.id());
            return save(spec, Optional.of(existing), v.externalId(), v);
        });
        return Reply.noContent(view.href(saved.type(), saved.id()));
    }

    private ErpRecord save(RecordSpec spec, Optional<ErpRecord> existing, String externalId, Validated v) {
        Instant now = now();
        ErpRecord record = existing
                .map(e -> new ErpRecord(spec.name(), e.id(), externalId, v.fields(), e.created(), now, false))
                .orElseGet(() -> new ErpRecord(spec.name(), store.nextId(), externalId, v.fields(), now, now, false));
        store.put(record);
        saved(record);
        return record;
    }

    /** What follows a save: a sales order's revenue arrangement is (re)built. */
    private void saved(ErpRecord record) {
        if (ErpSchema.SALES_ORDER.equals(record.type())) {
            arm.rebuild(record, store);
        }
    }

    private Reply delete(RecordSpec spec, String key) {
        store.atomically(() -> {
            ErpRecord existing = locate(spec, key);
            if (store.isReferenced(spec.name(), existing.id())) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. This "
                        + "record cannot be deleted because it has dependent records.", null);
            }
            arm.remove(existing.id());
            return store.remove(spec.name(), existing.id());
        });
        return Reply.noContent(null);
    }

    private Reply list(RecordSpec spec, Map<String, String> query) {
        int limit = intParam(query, "limit", MAX_PAGE, 1, MAX_PAGE);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        var filter = ErpQuery.parse(spec, query.get("q"));
        return store.atomically(() -> {
            List<ErpRecord> matches = store.all(spec.name()).stream()
                    .filter(r -> filter.test(view.plain(r))).toList();
            return Reply.of(view.collection(spec.name(), matches, offset, limit, query.get("q")), COLLECTION_TYPE);
        });
    }

    private Reply subResource(RecordSpec spec, String[] segments) {
        boolean isSublist = spec.field(segments[2]).map(f -> f.kind() == Kind.SUBLIST).orElse(false);
        if (!isSublist) {
            throw NetSuiteErrors.notFound();
        }
        ErpRecord record = store.atomically(() -> view.decorate(locate(spec, segments[1])));
        if (segments.length == 3) {
            return Reply.of(view.sublist(record, segments[2]), COLLECTION_TYPE);
        }
        return record.lines(segments[2]).stream()
                .filter(l -> String.valueOf(l.get("line")).equals(segments[3]))
                .findFirst()
                .map(l -> Reply.of(view.line(record, segments[2], l), RESOURCE_TYPE))
                .orElseThrow(NetSuiteErrors::notFound);
    }

    // ---- helpers ----

    private ErpRecord locate(RecordSpec spec, String key) {
        Optional<ErpRecord> found = key.startsWith("eid:")
                ? store.findByExternalId(spec.name(), key.substring(4))
                : store.find(spec.name(), key);
        return found.orElseThrow(NetSuiteErrors::notFound);
    }

    private void checkExternalIdFree(RecordSpec spec, String externalId, String ownId) {
        if (externalId == null) {
            return;
        }
        store.findByExternalId(spec.name(), externalId).filter(other -> !other.id().equals(ownId)).ifPresent(other -> {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. A "
                    + spec.name() + " record with external ID " + externalId + " already exists (internal ID "
                    + other.id() + ").", "externalId");
        });
    }

    /** The sublists named in {@code ?replace=}; their lines are replaced rather than merged. */
    private static Set<String> replaced(RecordSpec spec, Map<String, String> query) {
        String raw = query.get("replace");
        if (raw == null || raw.isBlank()) {
            return Set.of();
        }
        Set<String> names = Arrays.stream(raw.split(",")).map(String::trim).collect(Collectors.toSet());
        for (String name : names) {
            if (spec.field(name).map(f -> f.kind() != Kind.SUBLIST).orElse(true)) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_PARAMETER, "Invalid query parameter value for "
                        + "replace: " + name + " is not a sublist of " + spec.name() + ".", "replace");
            }
        }
        return names;
    }

    private static int intParam(Map<String, String> query, String name, int fallback, int min, int max) {
        String raw = query.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_PARAMETER, "Invalid query parameter value for " + name
                + ": " + raw + ". Provide a whole number from " + min + " to " + max + ".", name);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_CONTENT,
                    "Error while accessing a resource. The request body is empty; a JSON object is expected.", null);
        }
        Object parsed;
        try {
            parsed = json.readValue(body, Object.class);
        } catch (JsonProcessingException e) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_CONTENT,
                    "Error while accessing a resource. The request body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (!(parsed instanceof Map<?, ?>)) {
            throw NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_CONTENT,
                    "Error while accessing a resource. The request body must be a JSON object.", null);
        }
        return (Map<String, Object>) parsed;
    }

    private void logWrite(HttpExchange exchange, String body, int status) {
        String method = exchange.getRequestMethod();
        if (WRITES.contains(method) && !SUITEQL_PATH.equals(exchange.getRequestURI().getPath())) { // a query reads
            URI uri = exchange.getRequestURI();
            String path = uri.getRawQuery() == null ? uri.getPath() : uri.getPath() + "?" + uri.getRawQuery();
            writes.add(new WriteRequest(method, path, body, status));
        }
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        // the request's place is free once its answer is ready, before the client can read it and send the next one
        Runnable release = place.get();
        if (release != null) {
            release.run();
        }
        if (reply.location() != null) {
            exchange.getResponseHeaders().set("Location", reply.location());
        }
        if (reply.body() == null) {
            sendEmpty(exchange, reply.status());
            return;
        }
        byte[] bytes = json.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static RecordSpec spec(String type) {
        return ErpSchema.find(type).orElseThrow(() -> new IllegalArgumentException("unknown ERP record type " + type));
    }
}
