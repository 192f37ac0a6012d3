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
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * A stateful fake of one NetSuite account's REST record API ({@code /services/rest/record/v1}).
 * <ul>
 *   <li>Every record call needs {@code Authorization: Bearer <token>}, else 401 INVALID_LOGIN.</li>
 *   <li>Concurrent requests per account are limited: one beyond the limit is refused at once with 429
 *       CONCURRENCY_LIMIT_EXCEEDED. {@link #processingDelayMillis(long)} holds each admitted request for a while so
 *       that concurrency can be exercised (the base class's injected latency runs before admission).</li>
 *   <li>{@code POST /{type}} creates, {@code PUT /{type}/eid:{externalId}} upserts, {@code PATCH /{type}/{id|eid:x}}
 *       updates (all 204 with {@code Location}); {@code GET} reads a record, a sublist or a page of a collection
 *       ({@code limit}, {@code offset}, {@code q}); {@code DELETE} removes a record without dependants.</li>
 *   <li>Bodies are validated as NetSuite would ({@link ErpValidator}); errors come in NetSuite's problem shape
 *       ({@link NetSuiteErrors}).</li>
 * </ul>
 * Besides the base control endpoints, {@code GET|POST /_sandbox/erp/config} reads or sets
 * {@code {"concurrencyLimit":n,"processingDelayMs":n}} and {@code GET /_sandbox/erp/requests} lists the write log.
 */
public class ErpSandbox extends SandboxServer {

    public static final String DEFAULT_ACCOUNT_ID = "TSTDRV1234567";
    public static final String DEFAULT_TOKEN = "erp-local-token";
    public static final int DEFAULT_CONCURRENCY_LIMIT = 5;

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
    private final String bearerToken;
    private final int initialConcurrencyLimit;
    private final ErpRecordStore store = new ErpRecordStore();
    private final ErpValidator validator = new ErpValidator(store);
    private final ErpRecordView view = new ErpRecordView(store, this::baseUrl);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger validationErrors = new AtomicInteger();
    private final List<WriteRequest> writes = new CopyOnWriteArrayList<>();
    private volatile int concurrencyLimit;
    private volatile long processingDelayMillis;

    public ErpSandbox() {
        this(DEFAULT_ACCOUNT_ID, DEFAULT_TOKEN, DEFAULT_CONCURRENCY_LIMIT);
    }

    public ErpSandbox(String accountId, String bearerToken, int concurrencyLimit) {
        if (concurrencyLimit < 1) {
            throw new IllegalArgumentException("concurrencyLimit must be at least 1");
        }
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        this.bearerToken = Objects.requireNonNull(bearerToken, "bearerToken");
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

    public String bearerToken() { return bearerToken; }

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

    public int maxConcurrentSeen() { return maxConcurrent.get(); }

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
        requests.set(0);
        throttled.set(0);
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
                }
                sendJson(exchange, 200, Map.of("concurrencyLimit", concurrencyLimit,
                        "processingDelayMs", processingDelayMillis));
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
        requests.incrementAndGet();
        logWrite(exchange, null, status);
        send(exchange, Reply.error(status, NetSuiteErrors.injected(status)));
    }

    // ---- the record API ----

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
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

    private Reply admit(HttpExchange exchange, String body) {
        String path = exchange.getRequestURI().getPath();
        if (!path.startsWith(RECORD_PATH + "/")) {
            throw new Failure(404, NetSuiteErrors.NONEXISTENT_ID, "The requested resource " + path
                    + " does not exist.", null);
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                || !auth.substring(7).trim().equals(bearerToken)) {
            throw new Failure(401, NetSuiteErrors.INVALID_LOGIN, NetSuiteErrors.INVALID_LOGIN_DETAIL, null);
        }
        if (!tryAcquire()) {
            throttled.incrementAndGet();
            throw new Failure(429, NetSuiteErrors.CONCURRENCY_LIMIT_EXCEEDED, NetSuiteErrors.CONCURRENCY_DETAIL, null);
        }
        try {
            pause();
            return route(exchange.getRequestMethod(), exchange.getRequestURI(), body);
        } finally {
            inFlight.decrementAndGet();
        }
    }

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
                case "GET" -> Reply.of(view.resource(locate(spec, segments[1]),
                        Boolean.parseBoolean(query.get("expandSubResources"))), RESOURCE_TYPE);
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
            return record;
        });
        return Reply.noContent(view.href(saved.type(), saved.id()));
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
        return record;
    }

    private Reply delete(RecordSpec spec, String key) {
        store.atomically(() -> {
            ErpRecord existing = locate(spec, key);
            if (store.isReferenced(spec.name(), existing.id())) {
                throw NetSuiteErrors.badRequest(NetSuiteErrors.USER_ERROR, "Error while accessing a resource. This "
                        + "record cannot be deleted because it has dependent records.", null);
            }
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
        ErpRecord record = locate(spec, segments[1]);
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
        if (WRITES.contains(method)) {
            URI uri = exchange.getRequestURI();
            String path = uri.getRawQuery() == null ? uri.getPath() : uri.getPath() + "?" + uri.getRawQuery();
            writes.add(new WriteRequest(method, path, body, status));
        }
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
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

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static RecordSpec spec(String type) {
        return ErpSchema.find(type).orElseThrow(() -> new IllegalArgumentException("unknown ERP record type " + type));
    }
}
