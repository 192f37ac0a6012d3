package dev.revenuebridge.sandbox.salesforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import dev.revenuebridge.sandbox.SandboxServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Salesforce org on loopback: OAuth 2.0 token endpoint, REST sObjects (GET, PATCH), SOQL query, composite sObject
 * Collections, and Opportunity Change Data Capture over the Pub/Sub API ({@link PubSubSandbox}, its own TLS port).
 * Every update of an Opportunity, the bridge's own write-backs included, emits a change event, as a real org does.
 *
 * <p>Sign-in ({@link SalesforceOAuth}): the JWT bearer flow, verified with the certificate mapped by
 * {@link #mapCertificate}; the username-password flow only when {@link #passwordGrantEnabled switched on}; client
 * credentials. Sessions time out on the sandbox clock ({@link #advance}, {@link #sessionTimeout(Duration)}); REST then
 * answers 401 INVALID_SESSION_ID and the Pub/Sub API refuses new calls with the token.
 *
 * <p>Sandbox controls: {@code POST /_sandbox/deals} loads a deal shaped like shared/examples/seed-120k-deal.json and
 * closes it (emits the change event), {@code POST /_sandbox/opportunities/{id}/close},
 * {@code POST /_sandbox/events/{replayId}/redeliver}, {@code GET /_sandbox/state}, {@code /_sandbox/faults}.
 */
public class SalesforceSandbox extends SandboxServer {

    public static final String ORG_ID = "00DDn00000SandbxAAA";
    public static final String USER_ID = "005Dn00000BridgeAAA";
    public static final String CLIENT_ID = "revenue-bridge-local";
    public static final String CLIENT_SECRET = "local-secret";
    public static final String USERNAME = "integration@revenue-bridge.local";
    public static final String PASSWORD = "local-password";
    private static final DateTimeFormatter SF_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final Pattern SOBJECT = Pattern.compile("^/services/data/v(\\d+\\.\\d)/sobjects/(\\w+)/(\\w+)$");
    private static final Pattern QUERY = Pattern.compile("^/services/data/v(\\d+\\.\\d)/query/?$");
    private static final Pattern COLLECTIONS = Pattern.compile("^/services/data/v(\\d+\\.\\d)/composite/sobjects/?$");

    private final Map<String, Map<String, Map<String, Object>>> records = new ConcurrentHashMap<>();
    private final SalesforceOAuth oauth = new SalesforceOAuth(this::baseUrl);
    private final AtomicInteger apiCalls = new AtomicInteger();
    private final AtomicLong commitNumber = new AtomicLong(1_000_000);
    private final AtomicInteger idSequence = new AtomicInteger();
    private final List<Map<String, Object>> writeLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Long> closingEvents = new ConcurrentHashMap<>();
    private volatile int dailyApiLimit = 15_000;
    private final PubSubSandbox pubSub = new PubSubSandbox(this::sessionValid);

    @Override
    protected String name() {
        return "salesforce";
    }

    /** Starts the REST server on {@code port} and the Pub/Sub API on {@code pubSubPort} (0 = free ports). */
    public SalesforceSandbox start(int port, int pubSubPort) {
        super.start(port);
        pubSub.start(pubSubPort);
        return this;
    }

    public int pubSubPort() {
        return pubSub.port();
    }

    /** The org's Pub/Sub certificate is self-signed: this writes a trust store for it to a file the JVM can use. */
    public static Path writeTrustStore(Path directory) throws IOException {
        Path file = directory.resolve("salesforce-sandbox-truststore.p12");
        try (InputStream in = PubSubSandbox.truststore()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Points this JVM's default trust store at the sandbox certificate (call before Camel starts). */
    public static void trustSandboxCertificate() {
        try {
            Path file = writeTrustStore(Files.createTempDirectory("sf-sandbox-tls"));
            System.setProperty("javax.net.ssl.trustStore", file.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", PubSubSandbox.STORE_PASSWORD);
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ sign-in and sessions

    /** Maps the connected app's certificate (its public key): JWT bearer assertions must be signed with its key. */
    public SalesforceSandbox mapCertificate(PublicKey publicKey) {
        oauth.mapCertificate(publicKey);
        return this;
    }

    /** Switches the username-password flow on; off by default, as in orgs made since Summer '23. */
    public SalesforceSandbox passwordGrantEnabled(boolean enabled) {
        oauth.passwordGrantEnabled(enabled);
        return this;
    }

    /** Pre-authorizes (or revokes the approval of) a user for the connected app; {@link #USERNAME} is approved. */
    public SalesforceSandbox preAuthorize(String username, boolean approved) {
        oauth.preAuthorize(username, approved);
        return this;
    }

    /** How long a session lasts after its last use (default 2 hours, an org's default session timeout). */
    public SalesforceSandbox sessionTimeout(Duration timeout) {
        oauth.sessionTimeout(timeout);
        return this;
    }

    public Duration sessionTimeout() {
        return oauth.sessionTimeout();
    }

    /** The clock skew allowed on a JWT's exp (default 2 minutes, beyond the documented 3-minute lifetime). */
    public SalesforceSandbox clockSkew(Duration skew) {
        oauth.clockSkew(skew);
        return this;
    }

    /** Sets the sandbox clock (sessions expire on it). Default: the system clock. */
    public SalesforceSandbox clock(Clock clock) {
        oauth.clock(clock);
        return this;
    }

    public Clock clock() {
        return oauth.clock();
    }

    /**
     * Moves the sandbox clock forward: sessions age. The clients' clock (the JWT's exp is checked against it) stays
     * where it was, as camel-salesforce signs with the JVM's real clock.
     */
    public SalesforceSandbox advance(Duration duration) {
        oauth.advance(duration);
        pubSub.expireSessions();   // an open change event stream of a timed-out session ends too
        return this;
    }

    /** Tokens issued by the token endpoint so far (every grant type): a sign-in again shows as one more. */
    public int tokenGrants() {
        return oauth.grants();
    }

    /** Tokens issued for one grant type: {@code urn:ietf:params:oauth:grant-type:jwt-bearer}, {@code password}, ... */
    public int tokenGrants(String grantType) {
        return oauth.grants(grantType);
    }

    /**
     * Whether an access token is a live session now (issued, not revoked, not timed out), without counting as use.
     * The Pub/Sub API checks each call's {@code accesstoken} with it; a hook for ending open streams of a timed-out
     * session.
     */
    public boolean sessionValid(String accessToken) {
        return oauth.valid(accessToken);
    }

    public void dailyApiLimit(int limit) {
        this.dailyApiLimit = limit;
    }

    public int apiCalls() {
        return apiCalls.get();
    }

    public int subscriberCount() {
        return pubSub.subscriberCount();
    }

    public int eventCount() {
        return pubSub.events().size();
    }

    /** Writes (PATCH and collections) the bridge made, in order: method, path, body. */
    public List<Map<String, Object>> writeLog() {
        return List.copyOf(writeLog);
    }

    public Map<String, Object> record(String type, String id) {
        Map<String, Object> record = table(type).get(id);
        return record == null ? null : new LinkedHashMap<>(record);
    }

    // ---------------------------------------------------------------------------------------------- sandbox controls

    /**
     * Loads a deal (opportunity, lineItems, account as in seed-120k-deal.json). With {@code close}, the opportunity
     * is loaded in an open stage and then closed won, which emits the change event the bridge acts on.
     * @return the replay id of the closing event, or 0 when not closed
     */
    @SuppressWarnings("unchecked")
    public synchronized long loadDeal(Map<String, Object> deal, boolean close) {
        Map<String, Object> account = new LinkedHashMap<>((Map<String, Object>) deal.get("account"));
        Map<String, Object> opportunity = new LinkedHashMap<>((Map<String, Object>) deal.get("opportunity"));
        List<Map<String, Object>> lines = (List<Map<String, Object>>) deal.getOrDefault("lineItems", List.of());
        String now = SF_DATETIME.format(Instant.now());
        account.putIfAbsent("SystemModstamp", now);
        table("Account").put((String) account.get("Id"), account);
        for (Map<String, Object> line : lines) {
            Map<String, Object> item = new LinkedHashMap<>(line);
            Map<String, Object> product = (Map<String, Object>) item.remove("Product2");
            if (product != null) {
                String code = (String) product.get("ProductCode");
                String productId = table("Product2").values().stream()
                        .filter(p -> Objects.equals(p.get("ProductCode"), code)).map(p -> (String) p.get("Id"))
                        .findFirst().orElseGet(() -> newId("Product2"));
                Map<String, Object> p = new LinkedHashMap<>(product);
                p.put("Id", productId);
                p.put("IsActive", true);
                table("Product2").put(productId, p);
                item.put("Product2Id", productId);
            }
            item.put("OpportunityId", opportunity.get("Id"));
            if (item.get("Id") == null) item.put("Id", newId("OpportunityLineItem"));
            table("OpportunityLineItem").put((String) item.get("Id"), item);
        }
        String finalStage = (String) opportunity.getOrDefault("StageName", "Closed Won");
        boolean won = Boolean.TRUE.equals(opportunity.get("IsWon")) || "Closed Won".equals(finalStage);
        if (close) {
            opportunity.put("StageName", "Negotiation/Review");
            opportunity.put("IsWon", false);
            opportunity.put("IsClosed", false);
        }
        opportunity.put("SystemModstamp", now);
        opportunity.put("LastModifiedDate", now);
        table("Opportunity").put((String) opportunity.get("Id"), opportunity);
        if (!close) {
            return 0;
        }
        return closeOpportunity((String) opportunity.get("Id"), won ? "Closed Won" : finalStage);
    }

    /** Moves an opportunity to the given closed stage, as a sales rep does, and emits the change event. */
    public synchronized long closeOpportunity(String opportunityId, String stage) {
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("StageName", stage);
        changes.put("IsWon", "Closed Won".equals(stage));
        changes.put("IsClosed", !stage.startsWith("Negotiation") && !stage.startsWith("Prospecting"));
        long replayId = update("Opportunity", opportunityId, changes, "005Dn00000SalesRepAAA");
        if ("Closed Won".equals(stage) && replayId > 0) {
            closingEvents.put(opportunityId, replayId);
        }
        return replayId;
    }

    /** The replay id of the event that last closed this Opportunity won. */
    public long lastClosingReplayId(String opportunityId) {
        return closingEvents.getOrDefault(opportunityId, -1L);
    }

    /** A sales rep edits fields of a record in the org's UI: the change emits a change event as any update does. */
    public synchronized long editAsSalesRep(String type, String id, Map<String, Object> changes) {
        if (table(type).get(id) == null) {
            throw new IllegalArgumentException("no " + type + " " + id);
        }
        return update(type, id, changes, "005Dn00000SalesRepAAA");
    }

    /**
     * Publishes a change event with a header and no field values, as Salesforce sends GAP_* events (it knows the record
     * changed, not how), DELETE and UNDELETE, and GAP_OVERFLOW (no record ids at all).
     */
    public synchronized long publishHeaderOnlyEvent(String changeType, List<String> recordIds) {
        return pubSub.publish(ChangeEvents.encode(changeType, recordIds, Map.of(), UUID.randomUUID().toString(),
                commitNumber.incrementAndGet(), Instant.now(), "005Dn00000SalesRepAAA"));
    }

    /** Delivers an already emitted change event once more to the live subscribers (at-least-once delivery). */
    public boolean redeliver(long replayId) {
        return pubSub.redeliver(replayId);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected boolean control(HttpExchange exchange, String method, String path) throws IOException {
        if ("POST".equals(method) && path.equals("/_sandbox/deals")) {
            Map<String, Object> deal = json.readValue(readBody(exchange), new TypeReference<>() {
            });
            if (!(deal.get("opportunity") instanceof Map<?, ?> opp) || opp.get("Id") == null
                    || !(deal.get("account") instanceof Map<?, ?> acc) || acc.get("Id") == null) {
                sendJson(exchange, 400, Map.of("error", "a deal needs opportunity.Id and account.Id"));
                return true;
            }
            boolean close = !"false".equals(decodeForm(exchange.getRequestURI().getRawQuery()).get("close"));
            long replayId = loadDeal(deal, close);
            sendJson(exchange, 201, Map.of("opportunityId", ((Map<String, Object>) deal.get("opportunity")).get("Id"),
                    "replayId", replayId));
            return true;
        }
        Matcher close = Pattern.compile("^/_sandbox/opportunities/(\\w+)/close$").matcher(path);
        if ("POST".equals(method) && close.matches()) {
            if (!table("Opportunity").containsKey(close.group(1))) {
                sendJson(exchange, 404, Map.of("error", "no opportunity " + close.group(1)));
                return true;
            }
            String stage = decodeForm(exchange.getRequestURI().getRawQuery()).getOrDefault("stage", "Closed Won");
            sendJson(exchange, 200, Map.of("replayId", closeOpportunity(close.group(1), stage)));
            return true;
        }
        Matcher redeliver = Pattern.compile("^/_sandbox/events/(\\d+)/redeliver$").matcher(path);
        if ("POST".equals(method) && redeliver.matches()) {
            boolean done = redeliver(Long.parseLong(redeliver.group(1)));
            sendJson(exchange, done ? 200 : 404, Map.of("redelivered", done));
            return true;
        }
        return false;
    }

    @Override
    public Object state() {
        Map<String, Object> state = new LinkedHashMap<>();
        records.forEach((type, table) -> state.put(type, table.values().stream()
                .sorted(Comparator.comparing(r -> String.valueOf(r.get("Id")))).toList()));
        state.put("events", pubSub.events().size());
        state.put("subscribers", pubSub.subscriberCount());
        state.put("apiCalls", apiCalls.get());
        state.put("writes", writeLog);
        return state;
    }

    @Override
    public synchronized void reset() {
        records.clear();
        writeLog.clear();
        apiCalls.set(0);
    }

    @Override
    protected void sendInjectedFailure(HttpExchange exchange, int status) throws IOException {
        String code = switch (status) {
            case 401 -> "INVALID_SESSION_ID";
            case 403 -> "REQUEST_LIMIT_EXCEEDED";
            case 503 -> "SERVER_UNAVAILABLE";
            default -> "UNKNOWN_EXCEPTION";
        };
        sendErrors(exchange, status, code, "Injected failure: " + code);
    }

    // ----------------------------------------------------------------------------------------------------- protocol

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/services/oauth2/token") && method.equals("POST")) {
            token(exchange);
            return;
        }
        if (path.equals("/services/oauth2/revoke")) {
            String body = readBody(exchange);
            String token = decodeForm(exchange.getRequestURI().getRawQuery()).get("token");
            oauth.revoke(token != null ? token : decodeForm(body).get("token"));
            sendEmpty(exchange, 200);
            return;
        }
        if (!path.startsWith("/services/data/")) {
            sendErrors(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !oauth.use(auth.substring(7))) {
            sendErrors(exchange, 401, "INVALID_SESSION_ID", "Session expired or invalid");
            return;
        }
        int used = apiCalls.incrementAndGet();
        exchange.getResponseHeaders().set("Sforce-Limit-Info", "api-usage=" + used + "/" + dailyApiLimit);
        if (used > dailyApiLimit) {
            sendErrors(exchange, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
            return;
        }
        Matcher m;
        if ((m = SOBJECT.matcher(path)).matches()) {
            sObject(exchange, method, m.group(2), m.group(3));
        } else if ((m = QUERY.matcher(path)).matches() && method.equals("GET")) {
            query(exchange);
        } else if ((m = COLLECTIONS.matcher(path)).matches() && method.equals("PATCH")) {
            collections(exchange);
        } else {
            sendErrors(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = decodeForm(readBody(exchange));
        try {
            sendJson(exchange, 200, oauth.token(form));
        } catch (SalesforceOAuth.OAuthError e) {
            sendJson(exchange, 400, Map.of("error", e.error, "error_description", e.getMessage()));
        }
    }

    private void sObject(HttpExchange exchange, String method, String type, String id) throws IOException {
        if (!SalesforceSchema.knownObject(type)) {
            sendErrors(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        Map<String, Object> record = table(type).get(id);
        if (record == null) {
            sendErrors(exchange, 404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: " + id);
            return;
        }
        switch (method) {
            case "GET" -> {
                String fields = decodeForm(exchange.getRequestURI().getRawQuery()).get("fields");
                List<String> selected = fields == null ? null : List.of(fields.split(","));
                if (selected != null) {
                    for (String f : selected) {
                        if (!SalesforceSchema.hasField(type, f.trim())) {
                            sendErrors(exchange, 400, "INVALID_FIELD", "No such column '" + f.trim()
                                    + "' on sobject of type " + type);
                            return;
                        }
                    }
                }
                sendJson(exchange, 200, render(type, record, selected));
            }
            case "PATCH" -> {
                Map<String, Object> changes = json.readValue(readBody(exchange), new TypeReference<>() {
                });
                writeLog.add(Map.of("method", method, "path", exchange.getRequestURI().getPath(), "body", changes));
                String error = checkWritable(type, changes);
                if (error != null) {
                    sendErrors(exchange, 400, error.startsWith("Unable") ? "INVALID_FIELD_FOR_INSERT_UPDATE" : "INVALID_FIELD", error);
                    return;
                }
                update(type, id, changes, USER_ID);
                sendEmpty(exchange, 204);
            }
            default -> sendErrors(exchange, 405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed.");
        }
    }

    private void query(HttpExchange exchange) throws IOException {
        String q = decodeForm(exchange.getRequestURI().getRawQuery()).get("q");
        Soql soql;
        try {
            soql = Soql.parse(q);
        } catch (Soql.SoqlException e) {
            sendErrors(exchange, 400, e.errorCode, e.getMessage());
            return;
        }
        String type = soql.object();
        if (!SalesforceSchema.knownObject(type)) {
            sendErrors(exchange, 400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.");
            return;
        }
        List<String> referenced = new ArrayList<>(soql.fields());
        soql.conditions().forEach(c -> referenced.add(c.field()));
        for (String field : referenced) {
            if (resolvePath(type, field) == null) {
                sendErrors(exchange, 400, "INVALID_FIELD", "No such column '" + field + "' on entity '" + type
                        + "'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.");
                return;
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> record : table(type).values()) {
            boolean match = soql.conditions().stream().allMatch(c -> c.values().stream()
                    .anyMatch(v -> Objects.equals(String.valueOf(value(type, record, c.field())), v)));
            if (match) {
                rows.add(record);
            }
        }
        if (soql.orderBy() != null) {
            Comparator<Map<String, Object>> order = Comparator.comparing(r -> String.valueOf(value(type, r, soql.orderBy())));
            rows.sort(soql.descending() ? order.reversed() : order);
        } else {
            rows.sort(Comparator.comparing(r -> String.valueOf(r.get("Id"))));
        }
        if (soql.limit() != null && rows.size() > soql.limit()) {
            rows = rows.subList(0, soql.limit());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> record : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("attributes", attributes(type, (String) record.get("Id")));
            for (String field : soql.fields()) {
                put(type, record, field, row);
            }
            out.add(row);
        }
        sendJson(exchange, 200, Map.of("totalSize", out.size(), "done", true, "records", out));
    }

    @SuppressWarnings("unchecked")
    private void collections(HttpExchange exchange) throws IOException {
        Map<String, Object> body = json.readValue(readBody(exchange), new TypeReference<>() {
        });
        writeLog.add(Map.of("method", "PATCH", "path", exchange.getRequestURI().getPath(), "body", body));
        List<Map<String, Object>> list = (List<Map<String, Object>>) body.getOrDefault("records", List.of());
        if (list.size() > 200) {
            sendErrors(exchange, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call");
            return;
        }
        boolean allOrNone = Boolean.TRUE.equals(body.get("allOrNone"));
        List<Map<String, Object>> results = new ArrayList<>();
        List<Runnable> applies = new ArrayList<>();
        for (Map<String, Object> item : list) {
            Map<String, Object> changes = new LinkedHashMap<>(item);
            Map<String, Object> attributes = (Map<String, Object>) changes.remove("attributes");
            String id = (String) changes.remove("id");
            String type = attributes == null ? null : (String) attributes.get("type");
            String error = type == null ? "attributes.type is required" : !SalesforceSchema.knownObject(type)
                    ? "sObject type '" + type + "' is not supported." : table(type).get(id) == null
                    ? "invalid cross reference id" : checkWritable(type, changes);
            if (error == null) {
                applies.add(() -> update(type, id, changes, USER_ID));
                results.add(Map.of("id", id, "success", true, "errors", List.of()));
            } else {
                results.add(Map.of("success", false, "errors", List.of(Map.of("statusCode",
                        error.contains("cross reference") ? "INVALID_CROSS_REFERENCE_KEY" : "INVALID_FIELD",
                        "message", error, "fields", List.of()))));
            }
        }
        boolean anyFailed = results.stream().anyMatch(r -> !Boolean.TRUE.equals(r.get("success")));
        if (!(allOrNone && anyFailed)) {
            applies.forEach(Runnable::run);
        }
        sendJson(exchange, 200, results);
    }

    // ------------------------------------------------------------------------------------------------------ records

    private String checkWritable(String type, Map<String, Object> changes) {
        for (String field : changes.keySet()) {
            if (!SalesforceSchema.hasField(type, field)) {
                return "No such column '" + field + "' on sobject of type " + type;
            }
            if (SalesforceSchema.READ_ONLY.contains(SalesforceSchema.canonical(type, field))) {
                return "Unable to create/update fields: " + field
                        + ". Please check the security settings of this field and verify that it is read/write for your profile or permission set.";
            }
        }
        return null;
    }

    /** Applies changes and, for an Opportunity whose values changed, emits an UPDATE change event. */
    private synchronized long update(String type, String id, Map<String, Object> changes, String user) {
        Map<String, Object> record = table(type).get(id);
        Map<String, Object> changed = new LinkedHashMap<>();
        changes.forEach((field, value) -> {
            String name = SalesforceSchema.canonical(type, field);
            if (!Objects.equals(normalize(record.get(name)), normalize(value))) {
                changed.put(name, value);
            }
            record.put(name, value);
        });
        if (changed.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        record.put("SystemModstamp", SF_DATETIME.format(now));
        record.put("LastModifiedDate", SF_DATETIME.format(now));
        if (!"Opportunity".equals(type)) {
            return 0;
        }
        changed.put("LastModifiedDate", now);
        String transactionKey = UUID.randomUUID().toString();
        return pubSub.publish(ChangeEvents.encode("UPDATE", List.of(id), changed, transactionKey,
                commitNumber.incrementAndGet(), now, user));
    }

    private static Object normalize(Object value) {
        if (value instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros();
        }
        return value;
    }

    private Map<String, Map<String, Object>> table(String type) {
        return records.computeIfAbsent(type, t -> new ConcurrentHashMap<>());
    }

    private String newId(String type) {
        String prefix = SalesforceSchema.KEY_PREFIX.get(type);
        String body = String.format(Locale.ROOT, "Dn%010d", idSequence.incrementAndGet());
        return prefix + body + "AAA";
    }

    private Map<String, Object> attributes(String type, String id) {
        return Map.of("type", type, "url", "/services/data/v56.0/sobjects/" + type + "/" + id);
    }

    private Map<String, Object> render(String type, Map<String, Object> record, List<String> selected) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("attributes", attributes(type, (String) record.get("Id")));
        for (String field : SalesforceSchema.FIELDS.get(type).stream().sorted().toList()) {
            if (selected == null || selected.stream().anyMatch(s -> s.trim().equalsIgnoreCase(field))) {
                out.put(field, record.get(field));
            }
        }
        return out;
    }

    /** Resolves "Field" or "Relationship.Field" against the describe; null when it does not exist. */
    private String[] resolvePath(String type, String path) {
        String[] parts = path.split("\\.");
        if (parts.length == 1) {
            return SalesforceSchema.hasField(type, parts[0]) ? parts : null;
        }
        Map<String, String[]> rels = SalesforceSchema.RELATIONSHIPS.getOrDefault(type, Map.of());
        String[] rel = rels.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(parts[0]))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (parts.length != 2 || rel == null || !SalesforceSchema.hasField(rel[1], parts[1])) {
            return null;
        }
        return parts;
    }

    private Object value(String type, Map<String, Object> record, String path) {
        String[] parts = path.split("\\.");
        if (parts.length == 1) {
            return record.get(SalesforceSchema.canonical(type, parts[0]));
        }
        String[] rel = relationship(type, parts[0]);
        Map<String, Object> target = table(rel[1]).get((String) record.get(rel[0]));
        return target == null ? null : target.get(SalesforceSchema.canonical(rel[1], parts[1]));
    }

    private String[] relationship(String type, String name) {
        return SalesforceSchema.RELATIONSHIPS.get(type).entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private void put(String type, Map<String, Object> record, String path, Map<String, Object> row) {
        String[] parts = path.split("\\.");
        if (parts.length == 1) {
            String name = SalesforceSchema.canonical(type, parts[0]);
            row.put(name, record.get(name));
            return;
        }
        String[] rel = relationship(type, parts[0]);
        String relName = SalesforceSchema.RELATIONSHIPS.get(type).entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(parts[0])).map(Map.Entry::getKey).findFirst().orElseThrow();
        Map<String, Object> target = table(rel[1]).get((String) record.get(rel[0]));
        if (target == null) {
            row.put(relName, null);
            return;
        }
        Map<String, Object> nested = (Map<String, Object>) row.computeIfAbsent(relName,
                k -> new LinkedHashMap<>(Map.of("attributes", attributes(rel[1], (String) target.get("Id")))));
        String field = SalesforceSchema.canonical(rel[1], parts[1]);
        nested.put(field, target.get(field));
    }

    private void sendErrors(HttpExchange exchange, int status, String errorCode, String message) throws IOException {
        sendJson(exchange, status, List.of(Map.of("message", message, "errorCode", errorCode, "fields", List.of())));
    }

    @Override
    public synchronized void close() {
        pubSub.close();
        super.close();
    }
}
