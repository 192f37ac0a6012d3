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
import java.util.Set;
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
 * <p>REST API versions: {@code /services/data/vXX.X} is served for 31.0 &lt;= XX.X &lt;= {@link #API_VERSION}; a newer
 * version is 404 NOT_FOUND, a retired one (before 31.0) 410 GONE ("API End-of-Life Policy": "If you request any
 * resource or use an operation from a retired API version, REST API returns the 410:GONE error code"), and
 * {@code GET /services/data/} lists the versions ("Versions" resource, REST API Developer Guide). Record URLs
 * ({@code attributes.url}) carry the version of the request.
 *
 * <p>Org shape: {@link #multiCurrency(boolean)} and {@link #stateAndCountryPicklists(boolean)} change the describe
 * ({@link SalesforceSchema}); switch them before loading deals.
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
    /** The sales rep who closes deals and edits records in the org's UI (LastModifiedById, commitUser). */
    public static final String SALES_REP_ID = "005Dn00000SalesRepAAA";
    /**
     * The newest REST API version the sandbox serves: Winter '27, API version 68.0, the newest the documentation names
     * ("API End-of-Life Policy", Tooling and Metadata API guides: "Versions 41.0 through 68.0: Supported"; REST API
     * Developer Guide 264.0: "Winter '27 preview (API version 68.0)").
     */
    public static final String API_VERSION = "68.0";
    /** The oldest version still served: 21.0 to 30.0 are retired since Summer '25 ("API End-of-Life Policy"). */
    static final int OLDEST_API_VERSION = 31;
    private static final DateTimeFormatter SF_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final Pattern VERSIONED = Pattern.compile("^/services/data/v(\\d+)\\.(\\d+)(/.*)?$");
    private static final Pattern SOBJECT = Pattern.compile("^/sobjects/(\\w+)/(\\w+)$");
    private static final Pattern QUERY = Pattern.compile("^/query/?$");
    private static final Pattern COLLECTIONS = Pattern.compile("^/composite/sobjects/?$");
    /** sObject Collections take at most 200 records ("Update Records Using sObject Collections"). */
    static final int COLLECTION_LIMIT = 200;

    private final Map<String, Map<String, Map<String, Object>>> records = new ConcurrentHashMap<>();
    private final SalesforceOAuth oauth = new SalesforceOAuth(this::baseUrl);
    private final AtomicInteger apiCalls = new AtomicInteger();
    private final AtomicLong commitNumber = new AtomicLong(1_000_000);
    private final AtomicInteger idSequence = new AtomicInteger();
    private final List<Map<String, Object>> writeLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Long> closingEvents = new ConcurrentHashMap<>();
    private volatile int dailyApiLimit = 15_000;
    private final PubSubSandbox pubSub = new PubSubSandbox(this::sessionValid, () -> oauth.clock().instant());
    private volatile SalesforceSchema schema = new SalesforceSchema(true, false);

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

    /** A subscription the sandbox accepted: how it asked to start (preset) and the replay id it starts after. */
    public record SubscriptionStart(com.salesforce.eventbus.protobuf.ReplayPreset preset, long after) {
    }

    /** Every subscription accepted so far, in order: its replay preset and the replay id it started after. */
    public List<SubscriptionStart> subscriptionStarts() {
        return pubSub.subscriptionStarts();
    }

    /** Change events published so far (every replay id given out), retained or purged since. */
    public int eventCount() {
        return (int) pubSub.lastReplayId();
    }

    /** The user the bridge signs in as: LastModifiedById of its API writes. */
    public String userId() {
        return USER_ID;
    }

    /**
     * How long change events are retained (default 72 hours, "Pub/Sub API: Event Message Durability"). Events older
     * than this on the sandbox clock are gone: EARLIEST starts after them, and a replay id from before them is refused.
     */
    public SalesforceSandbox eventRetention(Duration retention) {
        pubSub.retention(retention);
        return this;
    }

    public Duration eventRetention() {
        return pubSub.retention();
    }

    /** The replay id of the oldest change event still retained; 0 when none is. */
    public long earliestRetainedReplayId() {
        return pubSub.earliestRetainedReplayId();
    }

    /**
     * Whether the org has multiple currencies (default true). Without, no object has CurrencyIsoCode: queries naming
     * it answer INVALID_FIELD and {@link #loadDeal} drops it. Set before loading deals.
     */
    public synchronized SalesforceSandbox multiCurrency(boolean enabled) {
        schema = new SalesforceSchema(enabled, schema.stateAndCountryPicklists());
        return this;
    }

    /**
     * Whether the org has state and country/territory picklists (default false). With them, Account has
     * BillingCountryCode and BillingStateCode (ISO codes) beside BillingCountry and BillingState (the names), and
     * {@link #loadDeal} fills whichever of the two a seed leaves out. Set before loading deals.
     */
    public synchronized SalesforceSandbox stateAndCountryPicklists(boolean enabled) {
        schema = new SalesforceSchema(schema.multiCurrency(), enabled);
        return this;
    }

    /** Writes (PATCH and collections) the bridge made, in order: method, path, body. */
    public List<Map<String, Object>> writeLog() {
        return List.copyOf(writeLog);
    }

    /** A copy of a record; synchronized with the writes, which change records in place. */
    public synchronized Map<String, Object> record(String type, String id) {
        Map<String, Object> record = table(type).get(id);
        return record == null ? null : new LinkedHashMap<>(record);
    }

    // ---------------------------------------------------------------------------------------------- sandbox controls

    /**
     * Loads a deal (opportunity, lineItems, account as in seed-120k-deal.json). With {@code close}, the opportunity
     * is loaded in an open stage and then closed won, which emits the change event the bridge acts on. The records
     * get the org's shape: no CurrencyIsoCode in a single-currency org; with state and country picklists, the ISO
     * codes and the names both ({@link SalesforceSchema.AddressPicklists}). Every record is stamped as modified now (sandbox clock) by
     * the sales rep.
     * @return the replay id of the closing event, or 0 when not closed
     */
    @SuppressWarnings("unchecked")
    public synchronized long loadDeal(Map<String, Object> deal, boolean close) {
        SalesforceSchema describe = schema;
        Map<String, Object> account = new LinkedHashMap<>((Map<String, Object>) deal.get("account"));
        Map<String, Object> opportunity = new LinkedHashMap<>((Map<String, Object>) deal.get("opportunity"));
        List<Map<String, Object>> lines = (List<Map<String, Object>>) deal.getOrDefault("lineItems", List.of());
        String now = SF_DATETIME.format(now());
        shape("Account", account, describe);
        SalesforceSchema.AddressPicklists.apply(account, describe.stateAndCountryPicklists());
        stamp(account, now, SALES_REP_ID);
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
                shape("Product2", p, describe);
                p.put("SystemModstamp", now);
                p.put("LastModifiedDate", now);
                table("Product2").put(productId, p);
                item.put("Product2Id", productId);
            }
            item.put("OpportunityId", opportunity.get("Id"));
            if (item.get("Id") == null) item.put("Id", newId("OpportunityLineItem"));
            shape("OpportunityLineItem", item, describe);
            stamp(item, now, SALES_REP_ID);
            table("OpportunityLineItem").put((String) item.get("Id"), item);
        }
        String finalStage = (String) opportunity.getOrDefault("StageName", "Closed Won");
        boolean won = Boolean.TRUE.equals(opportunity.get("IsWon")) || "Closed Won".equals(finalStage);
        if (close) {
            opportunity.put("StageName", "Negotiation/Review");
            opportunity.put("IsWon", false);
            opportunity.put("IsClosed", false);
        }
        shape("Opportunity", opportunity, describe);
        stamp(opportunity, now, SALES_REP_ID);
        table("Opportunity").put((String) opportunity.get("Id"), opportunity);
        if (!close) {
            return 0;
        }
        return closeOpportunity((String) opportunity.get("Id"), won ? "Closed Won" : finalStage);
    }

    /** Drops from a seed record the org-shape fields this org does not have (CurrencyIsoCode, Billing*Code). */
    private static void shape(String type, Map<String, Object> record, SalesforceSchema describe) {
        for (String field : List.of("CurrencyIsoCode", "BillingCountryCode", "BillingStateCode")) {
            if (!describe.hasField(type, field)) {
                record.remove(field);
            }
        }
    }

    /** Sets the audit fields of a record just written: SystemModstamp, LastModifiedDate, LastModifiedById. */
    private static void stamp(Map<String, Object> record, String now, String user) {
        record.put("SystemModstamp", now);
        record.put("LastModifiedDate", now);
        record.put("LastModifiedById", user);
        record.putIfAbsent("CreatedDate", now);
    }

    /** Moves an opportunity to the given closed stage, as a sales rep does, and emits the change event. */
    public synchronized long closeOpportunity(String opportunityId, String stage) {
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("StageName", stage);
        changes.put("IsWon", "Closed Won".equals(stage));
        changes.put("IsClosed", !stage.startsWith("Negotiation") && !stage.startsWith("Prospecting"));
        long replayId = update("Opportunity", opportunityId, changes, SALES_REP_ID);
        if ("Closed Won".equals(stage) && replayId > 0) {
            closingEvents.put(opportunityId, replayId);
        }
        return replayId;
    }

    /** The replay id of the event that last closed this Opportunity won. */
    public long lastClosingReplayId(String opportunityId) {
        return closingEvents.getOrDefault(opportunityId, -1L);
    }

    /**
     * A sales rep edits fields of a record in the org's UI. Every record gets new audit fields; only an Opportunity
     * change emits a change event (the org selected Opportunity for Change Data Capture, and OpportunityLineItem has no
     * change events at all: "Change Event Object Support").
     * @return the replay id of the change event, or 0 when none was emitted
     */
    public synchronized long editAsSalesRep(String type, String id, Map<String, Object> changes) {
        return editAs(SALES_REP_ID, type, id, changes);
    }

    /** Another user of the org (a finance user, say) edits a record in the UI: the change event names that user. */
    public synchronized long editAs(String userId, String type, String id, Map<String, Object> changes) {
        if (table(type).get(id) == null) {
            throw new IllegalArgumentException("no " + type + " " + id);
        }
        return update(type, id, changes, userId);
    }

    /**
     * Publishes a change event with a header and no field values, as Salesforce sends GAP_* events (it knows the record
     * changed, not how), DELETE and UNDELETE, and GAP_OVERFLOW (no record ids at all).
     */
    public synchronized long publishHeaderOnlyEvent(String changeType, List<String> recordIds) {
        return pubSub.publish(ChangeEvents.encode(changeType, recordIds, Map.of(), UUID.randomUUID().toString(),
                commitNumber.incrementAndGet(), now(), SALES_REP_ID));
    }

    /**
     * Delivers an already emitted change event once more to the live subscribers (at-least-once delivery).
     * @return false when the event is not retained (never published, or older than the retention)
     */
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
            long replayId;
            try {
                replayId = loadDeal(deal, close);
            } catch (IllegalArgumentException e) {
                sendJson(exchange, 400, Map.of("error", e.getMessage()));
                return true;
            }
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
        state.put("events", eventCount());
        state.put("earliestRetainedReplayId", earliestRetainedReplayId());
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
        if ((path.equals("/services/data") || path.equals("/services/data/")) && method.equals("GET")) {
            sendJson(exchange, 200, versions());   // "You don't need authentication to retrieve the list of versions"
            return;
        }
        Matcher versioned = VERSIONED.matcher(path);
        if (!versioned.matches()) {
            sendErrors(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        int major = Integer.parseInt(versioned.group(1));
        String version = major + "." + versioned.group(2);
        if (!versioned.group(2).equals("0") || major > apiMajor()) {
            sendErrors(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        if (major < OLDEST_API_VERSION) {
            sendErrors(exchange, 410, "GONE", "API version " + version + " is retired and unavailable.");
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
        String resource = versioned.group(3) == null ? "" : versioned.group(3);
        Matcher m;
        if ((m = SOBJECT.matcher(resource)).matches()) {
            sObject(exchange, method, version, m.group(1), m.group(2));
        } else if (QUERY.matcher(resource).matches() && method.equals("GET")) {
            query(exchange, version);
        } else if (COLLECTIONS.matcher(resource).matches() && method.equals("PATCH")) {
            collections(exchange);
        } else {
            sendErrors(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
        }
    }

    private static int apiMajor() {
        return Integer.parseInt(API_VERSION.substring(0, API_VERSION.indexOf('.')));
    }

    /**
     * The Versions resource ("List Available REST API Versions", REST API Developer Guide): one entry per served
     * version, oldest first, each with its release label, its root URL and its number. Releases are three a year,
     * Winter, Spring, Summer; 32.0 was Winter '15.
     */
    static List<Map<String, String>> versions() {
        List<Map<String, String>> versions = new ArrayList<>();
        for (int v = OLDEST_API_VERSION; v <= apiMajor(); v++) {
            int offset = v - 32;   // 32.0 = Winter '15
            int year = 15 + Math.floorDiv(offset, 3);
            String season = switch (Math.floorMod(offset, 3)) {
                case 0 -> "Winter";
                case 1 -> "Spring";
                default -> "Summer";
            };
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("label", season + " '" + year);
            entry.put("url", "/services/data/v" + v + ".0");
            entry.put("version", v + ".0");
            versions.add(entry);
        }
        return versions;
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = decodeForm(readBody(exchange));
        try {
            sendJson(exchange, 200, oauth.token(form));
        } catch (SalesforceOAuth.OAuthError e) {
            sendJson(exchange, 400, Map.of("error", e.error, "error_description", e.getMessage()));
        }
    }

    private void sObject(HttpExchange exchange, String method, String version, String type, String id) throws IOException {
        SalesforceSchema describe = schema;
        if (!describe.knownObject(type)) {
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
                        if (!describe.hasField(type, f.trim())) {
                            sendErrors(exchange, 400, "INVALID_FIELD", "No such column '" + f.trim()
                                    + "' on sobject of type " + type);
                            return;
                        }
                    }
                }
                Map<String, Object> rendered;
                synchronized (this) {
                    rendered = render(describe, version, type, record, selected);
                }
                sendJson(exchange, 200, rendered);
            }
            case "PATCH" -> {
                Map<String, Object> changes = json.readValue(readBody(exchange), new TypeReference<>() {
                });
                writeLog.add(Map.of("method", method, "path", exchange.getRequestURI().getPath(), "body", changes));
                FieldError error = checkWritable(describe, type, changes);
                if (error != null) {
                    sendJson(exchange, 400, List.of(Map.of("message", error.message(), "errorCode", error.statusCode(),
                            "fields", List.of(error.field()))));
                    return;
                }
                update(type, id, changes, USER_ID);
                sendEmpty(exchange, 204);
            }
            default -> sendErrors(exchange, 405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed.");
        }
    }

    // ---------------------------------------------------------------------------------------------------- query

    private void query(HttpExchange exchange, String version) throws IOException {
        String q = decodeForm(exchange.getRequestURI().getRawQuery()).get("q");
        SalesforceSchema describe = schema;
        Soql soql;
        try {
            soql = Soql.parse(q);
        } catch (Soql.SoqlException e) {
            sendErrors(exchange, 400, e.errorCode, e.getMessage());
            return;
        }
        String type = soql.object();
        if (!describe.knownObject(type)) {
            sendErrors(exchange, 400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.");
            return;
        }
        List<Map<String, Object>> out;
        try {
            validate(describe, type, soql);
            out = new ArrayList<>();
            synchronized (this) {   // records change in place under this lock: read them under it too
                for (Map<String, Object> record : select(describe, type, table(type).values(), soql)) {
                    out.add(row(describe, version, type, record, soql));
                }
            }
        } catch (Soql.SoqlException e) {
            sendErrors(exchange, 400, e.errorCode, e.getMessage());
            return;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("totalSize", out.size());
        result.put("done", true);
        result.put("records", out);
        sendJson(exchange, 200, result);
    }

    /**
     * Checks every name the query uses against the describe, as an org does before running it: fields of the select
     * list, of the subqueries (against the child object), of WHERE and ORDER BY (INVALID_FIELD), the child
     * relationship of a subquery (INVALID_TYPE), and that each literal fits its field's type ({@link Soql#checkLiteral}).
     */
    private void validate(SalesforceSchema describe, String type, Soql soql) {
        List<String> referenced = new ArrayList<>(soql.fields());
        soql.conditions().forEach(c -> referenced.add(c.field()));
        if (soql.orderBy() != null) {
            referenced.add(soql.orderBy());
        }
        for (String field : referenced) {
            if (resolve(describe, type, field) == null) {
                throw new Soql.SoqlException("INVALID_FIELD", "No such column '" + field + "' on entity '" + type
                        + "'. If you are attempting to use a custom field, be sure to append the '__c' after the"
                        + " custom field name. Please reference your WSDL or the describe call for the appropriate names.");
            }
        }
        for (Soql.Condition condition : soql.conditions()) {
            Resolved field = resolve(describe, type, condition.field());
            for (Soql.Literal literal : condition.values()) {
                Soql.checkLiteral(field.field(), SalesforceSchema.type(field.field()), literal);
            }
        }
        for (Soql sub : soql.subqueries()) {
            Map.Entry<String, SalesforceSchema.ChildRelationship> child =
                    SalesforceSchema.childRelationship(type, sub.object());
            if (child == null) {
                throw new Soql.SoqlException("INVALID_TYPE", "Didn't understand relationship '" + sub.object()
                        + "' in FROM part of query call. If you are attempting to use a custom relationship, be sure"
                        + " to append the '__r' after the custom relationship name. Please reference your WSDL or the"
                        + " describe call for the appropriate names.");
            }
            validate(describe, child.getValue().childObject(), sub);
        }
    }

    /** The records of {@code type} among {@code candidates} that match the query, ordered and limited. */
    private List<Map<String, Object>> select(SalesforceSchema describe, String type,
                                             Iterable<Map<String, Object>> candidates, Soql soql) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> record : candidates) {
            boolean match = soql.conditions().stream().allMatch(c -> {
                Resolved field = resolve(describe, type, c.field());
                return Soql.matches(value(describe, type, record, c.field()), SalesforceSchema.type(field.field()), c);
            });
            if (match) {
                rows.add(record);
            }
        }
        Comparator<Map<String, Object>> byId = Comparator.comparing(r -> String.valueOf(r.get("Id")));
        if (soql.orderBy() != null) {
            Soql.FieldType orderType = SalesforceSchema.type(resolve(describe, type, soql.orderBy()).field());
            // nulls first in ascending order, last in descending ("ORDER BY": NULLS FIRST is the default for ASC)
            Comparator<Map<String, Object>> order = Comparator.comparing(
                    r -> Soql.comparable(value(describe, type, r, soql.orderBy()), orderType),
                    Comparator.nullsFirst(Comparator.naturalOrder()));
            rows.sort((soql.descending() ? order.reversed() : order).thenComparing(byId));
        } else {
            rows.sort(byId);
        }
        if (soql.limit() != null && rows.size() > soql.limit()) {
            rows = new ArrayList<>(rows.subList(0, soql.limit()));
        }
        return rows;
    }

    /**
     * One query result record in Salesforce's shape ("Understanding Query Results", SOQL and SOSL Reference):
     * {@code attributes} first, then the select list in its order; a parent relationship nests as an object with its
     * own {@code attributes} (or null without a parent); a subquery is a query result of its own,
     * {@code {"totalSize", "done", "records"}}, or null when the record has no children.
     */
    private Map<String, Object> row(SalesforceSchema describe, String version, String type, Map<String, Object> record,
                                    Soql soql) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("attributes", attributes(version, type, (String) record.get("Id")));
        for (Soql.SelectItem item : soql.select()) {
            if (item instanceof Soql.Column column) {
                put(describe, version, type, record, column.path(), row);
            } else if (item instanceof Soql.Subquery subquery) {
                Soql sub = subquery.query();
                Map.Entry<String, SalesforceSchema.ChildRelationship> rel =
                        SalesforceSchema.childRelationship(type, sub.object());
                String childType = rel.getValue().childObject();
                List<Map<String, Object>> children = table(childType).values().stream()
                        .filter(c -> Objects.equals(c.get(rel.getValue().field()), record.get("Id"))).toList();
                List<Map<String, Object>> childRows = new ArrayList<>();
                for (Map<String, Object> child : select(describe, childType, children, sub)) {
                    childRows.add(row(describe, version, childType, child, sub));
                }
                if (childRows.isEmpty()) {
                    row.put(rel.getKey(), null);
                } else {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("totalSize", childRows.size());
                    result.put("done", true);
                    result.put("records", childRows);
                    row.put(rel.getKey(), result);
                }
            }
        }
        return row;
    }

    // ------------------------------------------------------------------------------------------- sObject Collections

    /**
     * {@code PATCH /composite/sobjects}, as "Update Records Using sObject Collections" (REST API Developer Guide)
     * documents it: {@code {"allOrNone": bool, "records": [{"attributes": {"type": ...}, "id": ..., field: value}]}}
     * with at most 200 records; a body that is not well formed is a 400; otherwise 200 with one SaveResult
     * {@code {"id", "success", "errors": [{"statusCode", "message", "fields"}]}} per record in request order. With
     * {@code allOrNone} false each record succeeds or fails alone; with true, one failure rolls the whole request back
     * and the records that were valid fail with ALL_OR_NONE_OPERATION_ROLLED_BACK ("AllOrNoneHeader", SOAP API
     * Developer Guide: "If other records in the same call have no errors, their errors fields indicate that they were
     * rolled back due to other errors"). More than 200 records: 400 EXCEEDED_ID_LIMIT "record limit reached. cannot
     * submit more than 200 records into this call" (the code and message orgs answer; the guide names the limit).
     */
    @SuppressWarnings("unchecked")
    private void collections(HttpExchange exchange) throws IOException {
        String text = readBody(exchange);
        Map<String, Object> body;
        try {
            body = json.readValue(text, new TypeReference<>() {
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            sendErrors(exchange, 400, "JSON_PARSER_ERROR", "The request body is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        writeLog.add(Map.of("method", "PATCH", "path", exchange.getRequestURI().getPath(), "body", body));
        if (!(body.get("records") instanceof List<?> raw) || raw.stream().anyMatch(r -> !(r instanceof Map<?, ?>))) {
            sendErrors(exchange, 400, "JSON_PARSER_ERROR", "records is required: a list of sObjects");
            return;
        }
        List<Map<String, Object>> list = (List<Map<String, Object>>) raw;
        if (list.size() > COLLECTION_LIMIT) {
            sendErrors(exchange, 400, "EXCEEDED_ID_LIMIT",
                    "record limit reached. cannot submit more than 200 records into this call");
            return;
        }
        sendJson(exchange, 200, saveAll(list, Boolean.TRUE.equals(body.get("allOrNone"))));
    }

    /** Checks and updates the records of one sObject Collections call as one transaction; its SaveResults. */
    private synchronized List<Map<String, Object>> saveAll(List<Map<String, Object>> list, boolean allOrNone) {
        SalesforceSchema describe = schema;
        List<FieldError> errors = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Runnable> applies = new ArrayList<>();
        for (Map<String, Object> item : list) {
            Map<String, Object> changes = new LinkedHashMap<>(item);
            Object attributes = changes.remove("attributes");
            Object rawId = changes.remove("id");
            String id = rawId instanceof String s ? s : null;
            String type = attributes instanceof Map<?, ?> a && a.get("type") instanceof String t ? t : null;
            FieldError error;
            if (type == null) {
                error = new FieldError("INVALID_TYPE", "sObject type is required: attributes.type", null);
            } else if (!describe.knownObject(type)) {
                error = new FieldError("INVALID_TYPE", "sObject type '" + type + "' is not supported.", null);
            } else if (id == null || table(type).get(id) == null) {
                error = new FieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "Id");
                id = null;
            } else {
                error = checkWritable(describe, type, changes);
            }
            errors.add(error);
            ids.add(id);
            if (error == null) {
                String recordId = id;
                applies.add(() -> update(type, recordId, changes, USER_ID));
            }
        }
        boolean rolledBack = allOrNone && errors.stream().anyMatch(Objects::nonNull);
        if (!rolledBack) {
            applies.forEach(Runnable::run);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            FieldError error = errors.get(i);
            if (error == null && rolledBack) {
                error = new FieldError("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all"
                        + " records were valid and the request was using AllOrNone header", null);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            if (ids.get(i) != null) {
                result.put("id", ids.get(i));
            }
            result.put("success", error == null);
            result.put("errors", error == null ? List.of() : List.of(error.asJson()));
            results.add(result);
        }
        return results;
    }

    // ------------------------------------------------------------------------------------------------------ records

    /** One error of a write: Salesforce's statusCode, message and the field concerned (null when none). */
    private record FieldError(String statusCode, String message, String field) {
        Map<String, Object> asJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("statusCode", statusCode);
            json.put("message", message);
            json.put("fields", field == null ? List.of() : List.of(field));
            return json;
        }
    }

    /** Null when every field exists and may be written; else INVALID_FIELD or INVALID_FIELD_FOR_INSERT_UPDATE. */
    private static FieldError checkWritable(SalesforceSchema describe, String type, Map<String, Object> changes) {
        for (String field : changes.keySet()) {
            if (!describe.hasField(type, field)) {
                return new FieldError("INVALID_FIELD", "No such column '" + field + "' on sobject of type " + type, field);
            }
            if (SalesforceSchema.readOnly(describe.canonical(type, field))) {
                return new FieldError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: " + field
                        + ". Please check the security settings of this field and verify that it is read/write for"
                        + " your profile or permission set.", field);
            }
        }
        return null;
    }

    /**
     * Applies changes to any record. When a value changed, the record gets new audit fields (SystemModstamp,
     * LastModifiedDate on the sandbox clock, LastModifiedById = {@code user}); only an Opportunity change emits an
     * UPDATE change event, as the org selected only Opportunity for Change Data Capture.
     * @return the replay id of the change event, or 0 when none was emitted
     */
    private synchronized long update(String type, String id, Map<String, Object> changes, String user) {
        SalesforceSchema describe = schema;
        Map<String, Object> record = table(type).get(id);
        Map<String, Object> changed = new LinkedHashMap<>();
        changes.forEach((field, value) -> {
            String name = describe.canonical(type, field);
            if (!Objects.equals(normalize(record.get(name)), normalize(value))) {
                changed.put(name, value);
            }
            record.put(name, value);
        });
        if (changed.isEmpty()) {
            return 0;
        }
        Instant now = now();
        String stamp = SF_DATETIME.format(now);
        record.put("SystemModstamp", stamp);
        record.put("LastModifiedDate", stamp);
        if (describe.hasField(type, "LastModifiedById")) {
            record.put("LastModifiedById", user);
        }
        if (!"Opportunity".equals(type)) {
            return 0;
        }
        changed.put("LastModifiedDate", now);
        String transactionKey = UUID.randomUUID().toString();
        return pubSub.publish(ChangeEvents.encode("UPDATE", List.of(id), changed, transactionKey,
                commitNumber.incrementAndGet(), now, user));
    }

    /** Now on the sandbox clock ({@link #clock()}, moved by {@link #advance}). */
    private Instant now() {
        return oauth.clock().instant();
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

    /** A record's {@code attributes}: its type and its URL under the API version of the request. */
    private static Map<String, Object> attributes(String version, String type, String id) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", type);
        attributes.put("url", "/services/data/v" + version + "/sobjects/" + type + "/" + id);
        return attributes;
    }

    private Map<String, Object> render(SalesforceSchema describe, String version, String type, Map<String, Object> record,
                                       List<String> selected) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("attributes", attributes(version, type, (String) record.get("Id")));
        for (String field : describe.fields(type).stream().sorted().toList()) {
            if (selected == null || selected.stream().anyMatch(s -> s.trim().equalsIgnoreCase(field))) {
                out.put(field, record.get(field));
            }
        }
        return out;
    }

    /** A field path resolved against the describe: the lookup followed (null for a field of the object) and the field. */
    private record Resolved(Map.Entry<String, SalesforceSchema.Lookup> lookup, String field) {
    }

    /** Resolves "Field" or "Relationship.Field"; null when it does not exist. */
    private static Resolved resolve(SalesforceSchema describe, String type, String path) {
        String[] parts = path.split("\\.");
        if (parts.length == 1) {
            return describe.hasField(type, parts[0]) ? new Resolved(null, describe.canonical(type, parts[0])) : null;
        }
        Map.Entry<String, SalesforceSchema.Lookup> lookup = SalesforceSchema.lookup(type, parts[0]);
        if (parts.length != 2 || lookup == null || !describe.hasField(lookup.getValue().target(), parts[1])) {
            return null;
        }
        return new Resolved(lookup, describe.canonical(lookup.getValue().target(), parts[1]));
    }

    private Map<String, Object> parent(Map<String, Object> record, SalesforceSchema.Lookup lookup) {
        Object parentId = record.get(lookup.field());
        return parentId == null ? null : table(lookup.target()).get(String.valueOf(parentId));
    }

    private Object value(SalesforceSchema describe, String type, Map<String, Object> record, String path) {
        Resolved resolved = resolve(describe, type, path);
        if (resolved.lookup() == null) {
            return record.get(resolved.field());
        }
        Map<String, Object> target = parent(record, resolved.lookup().getValue());
        return target == null ? null : target.get(resolved.field());
    }

    @SuppressWarnings("unchecked")
    private void put(SalesforceSchema describe, String version, String type, Map<String, Object> record, String path,
                     Map<String, Object> row) {
        Resolved resolved = resolve(describe, type, path);
        if (resolved.lookup() == null) {
            row.put(resolved.field(), record.get(resolved.field()));
            return;
        }
        String relName = resolved.lookup().getKey();
        SalesforceSchema.Lookup lookup = resolved.lookup().getValue();
        Map<String, Object> target = parent(record, lookup);
        if (target == null) {
            row.put(relName, null);
            return;
        }
        Map<String, Object> nested = (Map<String, Object>) row.computeIfAbsent(relName,
                k -> new LinkedHashMap<>(Map.of("attributes", attributes(version, lookup.target(), (String) target.get("Id")))));
        nested.put(resolved.field(), target.get(resolved.field()));
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
