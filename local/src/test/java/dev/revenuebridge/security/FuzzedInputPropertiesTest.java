package dev.revenuebridge.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.revenuebridge.ingest.ChangeEventReader;
import dev.revenuebridge.sandbox.stripe.StripeWebhooks;
import dev.revenuebridge.support.BridgeInfrastructure;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bounded fuzzing of everything the bridge reads from outside: mutated copies of the worked example posted to the
 * deal-desk preview, webhook deliveries (garbage, forged and validly signed garbage), ops API requests with odd ids and
 * bodies, and change events of every shape. Never a 5xx, never a stack trace in an answer, never a stopped route:
 * a clear 4xx, or (change events) a refusal the ingest route keeps as a dead letter.
 */
@PropertyDefaults(tries = 60)
class FuzzedInputPropertiesTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static ConfigurableApplicationContext bridge;
    static String ops;
    static String application;
    static JsonNode example;

    @BeforeContainer
    static void start() throws Exception {
        String name = "fuzz_" + ProcessHandle.current().pid();
        bridge = INFRA.startBridge(name, INFRA.createDatabase(name), Map.of());
        ops = "http://localhost:" + bridge.getBean(OpsPort.class).port();
        application = "http://localhost:" + BridgeInfrastructure.port(bridge);
        try (InputStream in = FuzzedInputPropertiesTest.class.getResourceAsStream("/deals/seed-120k-deal.json")) {
            example = JSON.readTree(in);
        }
    }

    @AfterContainer
    static void stop() {
        if (bridge != null) {
            assertThat(stoppedRoutes()).as("routes stopped by fuzzed input").isEmpty();
            bridge.close();
        }
    }

    // ----------------------------------------------------------------------------------------------- the preview

    @Property(seed = "20261203")
    void aMutatedDealIsAnsweredWithAClearReason(@ForAll("mutatedDeals") String body) throws Exception {
        HttpResponse<String> answer = send(ops + "/api/preview", "POST", body, "viewer", Map.of());
        assertClear(answer, body);
        if (answer.statusCode() == 400) {
            assertThat(answer.body()).as("a 400 names its reasons").contains("\"problems\"");
        }
    }

    @Provide
    Arbitrary<String> mutatedDeals() {
        Arbitrary<List<Mutation>> mutations = mutation().list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(mutations, Arbitraries.integers().between(0, 100), Arbitraries.integers().between(0, 9))
                .as((list, cut, truncate) -> {
                    JsonNode deal = example.deepCopy();
                    for (Mutation m : list) {
                        deal = m.apply(deal);
                    }
                    String text = deal.toString();
                    // one body in ten is truncated somewhere
                    return truncate == 0 ? text.substring(0, text.length() * cut / 100) : text;
                });
    }

    /** One change to a deal's JSON tree at a random place. */
    record Mutation(int place, int kind, String text, long number) {
        JsonNode apply(JsonNode root) {
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            JsonNode target = containers.get(Math.floorMod(place, containers.size()));
            if (target instanceof ObjectNode object && object.size() > 0) {
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                String field = names.get(Math.floorMod(place / 7, names.size()));
                switch (kind) {
                    case 0 -> object.remove(field);
                    case 1 -> object.put(field, text);
                    case 2 -> object.put(field, number);
                    case 3 -> object.put(field, new java.math.BigDecimal("1e" + (300 + Math.floorMod(number, 100))));
                    case 4 -> object.putNull(field);
                    case 5 -> object.set(field, JsonNodeFactory.instance.arrayNode().add(text));
                    case 6 -> object.set(field, JsonNodeFactory.instance.objectNode().put(text, number));
                    case 7 -> object.put(field, -Math.abs(number) - 1);
                    default -> object.put(field, number % 2 == 0);
                }
            } else if (target instanceof ArrayNode array) {
                if (kind % 2 == 0 && array.size() > 0) {
                    array.remove(Math.floorMod(place, array.size()));
                } else {
                    array.add(kind % 3 == 0 ? JsonNodeFactory.instance.textNode(text) : array.size() > 0
                            ? array.get(0).deepCopy() : JsonNodeFactory.instance.nullNode());
                }
            }
            return root;
        }

        private static void collect(JsonNode node, List<JsonNode> out) {
            if (node.isContainerNode()) {
                out.add(node);
                node.forEach(child -> collect(child, out));
            }
        }
    }

    private static Arbitrary<Mutation> mutation() {
        Arbitrary<String> texts = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("", " ", "null", "2026-02-30", "9999-99-99", "NaN", "-1", "1e999", "Closed Won",
                        "006Dn00000SeedAAA", "<script>", "'; DROP TABLE deal_sync; --", "\u0000", "\uD83D\uDCB0"),
                Arbitraries.strings().ofLength(5000));
        return Combinators.combine(Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 8),
                texts, Arbitraries.longs()).as(Mutation::new);
    }

    // ---------------------------------------------------------------------------------------------- the webhook

    @Property(seed = "20261203")
    void aWebhookDeliveryThatIsNotStripesIsRefused(@ForAll("garbage") String body, @ForAll("signatures") String signature)
            throws Exception {
        HttpResponse<String> answer = send(application + "/webhooks/stripe", "POST", body, null,
                signature == null ? Map.of() : Map.of("Stripe-Signature", signature));
        assertClear(answer, body);
        assertThat(answer.statusCode()).as("unsigned or forged").isIn(400, 413, 415);
    }

    @Property(tries = 25, seed = "20261203")
    void aValidlySignedButOddEventNeverBreaksTheCashSide(@ForAll("oddEvents") String event) throws Exception {
        String signature = StripeWebhooks.signatureHeader(event, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET,
                Instant.now().getEpochSecond());
        HttpResponse<String> answer = send(application + "/webhooks/stripe", "POST", event, null,
                Map.of("Stripe-Signature", signature));
        assertClear(answer, event);
        assertThat(stoppedRoutes()).isEmpty();
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300), Arbitraries.of("", "{}", "[]", "null",
                "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}", "{\"id\":", "\u0000\u0001"));
    }

    @Provide
    Arbitrary<String> signatures() {
        // printable ASCII: an HTTP client sends nothing else in a header (the server is fuzzed, not the client)
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().withCharRange('!', '~').ofMinLength(1)
                        .ofMaxLength(200),
                Arbitraries.of("t=1,v1=abc", "t=abc,v1=", "v1=" + "0".repeat(64), "t=" + Instant.now().getEpochSecond()
                        + ",v1=" + "f".repeat(64), ",,,", "t=-1,v1=00"));
    }

    @Provide
    Arbitrary<String> oddEvents() {
        Arbitrary<String> types = Arbitraries.of("invoice.finalized", "invoice.paid", "invoice_payment.paid",
                "charge.refunded", "charge.dispute.created", "payout.paid", "customer.subscription.created",
                "subscription_schedule.updated", "made.up.type");
        Arbitrary<Object> objects = Arbitraries.oneOf(Arbitraries.just(Map.of()),
                Arbitraries.just(Map.of("id", "in_fuzz", "object", "invoice")),
                Arbitraries.just(Map.of("id", 42, "object", List.of())),
                Arbitraries.just(Map.of("id", "po_fuzz", "object", "payout", "amount", "lots", "currency", 7)),
                Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s));
        return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20), types, objects)
                .as((id, type, object) -> {
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("id", "evt_fuzz_" + id);
                    event.put("object", "event");
                    event.put("type", type);
                    event.put("created", Instant.now().getEpochSecond());
                    event.put("data", Map.of("object", object));
                    try {
                        return JSON.writeValueAsString(event);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    // ----------------------------------------------------------------------------------------------- the ops API

    @Property(seed = "20261203")
    void anOpsRequestWithOddIdsOrBodiesIsAnsweredClearly(@ForAll("opsRequests") List<String> request) throws Exception {
        HttpResponse<String> answer = send(ops + request.get(1), request.get(0), request.get(2), request.get(3), Map.of());
        assertClear(answer, request.toString());
    }

    @Provide
    Arbitrary<List<String>> opsRequests() {
        Arbitrary<String> ids = Arbitraries.oneOf(Arbitraries.strings().alpha().numeric().ofMaxLength(30),
                Arbitraries.of("-1", "0", "99999999999999999999", "1.5", "006Dn00000SeedAAA", "%00", "..", "%2e%2e"),
                Arbitraries.longs().map(String::valueOf));
        Arbitrary<String> bodies = Arbitraries.oneOf(Arbitraries.of("", "{}", "null", "[]", "{\"comment\":null}",
                "{\"reason\":" + "\"x\"".repeat(2) + "}", "{\"comment\":\"" + "c".repeat(10_000) + "\"}"),
                Arbitraries.strings().ofMaxLength(100));
        return Combinators.combine(Arbitraries.of("GET", "POST"),
                        Arbitraries.of("/api/deals/", "/api/dead-letters/", "/api/dead-letters/%s/replay",
                                "/api/dead-letters/%s/discard", "/api/approvals/", "/api/exceptions?status="),
                        ids, bodies, Arbitraries.of("viewer", "operator", "finance"))
                .as((method, path, id, body, user) -> List.of(method,
                        path.contains("%s") ? path.formatted(encode(id)) : path + encode(id), body, user));
    }

    // --------------------------------------------------------------------------------------------- change events

    @Property(tries = 300, seed = "20261203")
    void aChangeEventOfAnyShapeIsReadOrRefusedPlainly(@ForAll("changeEvents") Map<String, Object> event) {
        ChangeEventReader reader = bridge.getBean(ChangeEventReader.class);
        try {
            List<Map<String, Object>> events = reader.dealEvents(event, "AAAAAAAAAAE=");
            assertThat(events).allSatisfy(e -> assertThat(e).containsKeys("opportunityId", "changeType"));
        } catch (IllegalArgumentException refused) {
            // the ingest route keeps such an event as a dead letter, with this message
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Map<String, Object>> changeEvents() {
        Arbitrary<Object> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i), Arbitraries.just(null), Arbitraries.just(true),
                Arbitraries.just(List.of()), Arbitraries.just(Map.of()));
        Arbitrary<Object> bitmaps = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just("0x"),
                Arbitraries.of("0x01", "0xFF", "0xZZ", "1-0x01", "99-0x", "-0x1", "0x" + "F".repeat(100), "garbage")
                        .list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s));
        Arbitrary<Object> recordIds = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just("006Dn00000SeedAAA"),
                Arbitraries.strings().ofMaxLength(20).list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.just(List.of(1, 2)));
        Arbitrary<Object> changeTypes = Arbitraries.oneOf(Arbitraries.of("CREATE", "UPDATE", "DELETE", "GAP_UPDATE",
                "GAP_OVERFLOW", "").map(s -> (Object) s), values);
        return Combinators.combine(changeTypes, recordIds, bitmaps, bitmaps, values, values,
                        Arbitraries.integers().between(0, 5))
                .as((type, ids, changed, nulled, isWon, stage, shape) -> {
                    Map<String, Object> event = new LinkedHashMap<>();
                    if (shape == 0) {
                        event.put("ChangeEventHeader", type);    // a header that is not a record
                    } else if (shape != 1) {
                        Map<String, Object> header = new LinkedHashMap<>();
                        header.put("entityName", "Opportunity");
                        header.put("changeType", type);
                        header.put("recordIds", ids);
                        header.put("changedFields", changed);
                        header.put("nulledFields", nulled);
                        header.put("commitTimestamp", shape == 2 ? "yesterday" : Instant.now().toEpochMilli());
                        header.put("commitNumber", shape == 3 ? List.of() : 7L);
                        event.put("ChangeEventHeader", header);
                    }
                    event.put("IsWon", isWon);
                    event.put("StageName", stage);
                    return event;
                });
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private static void assertClear(HttpResponse<String> answer, String input) {
        String shown = input.length() > 300 ? input.substring(0, 300) + "…" : input;
        assertThat(answer.statusCode()).as("answer to %s: %s", shown, answer.body()).isLessThan(500);
        assertThat(answer.body()).as("no stack trace in the answer to %s", shown)
                .doesNotContain("\tat ").doesNotContain("Exception:").doesNotContain("\"trace\"");
    }

    private static List<String> stoppedRoutes() {
        CamelContext camel = bridge.getBean(CamelContext.class);
        List<String> stopped = new ArrayList<>();
        for (Route route : camel.getRoutes()) {
            var status = camel.getRouteController().getRouteStatus(route.getRouteId());
            boolean meantToWait = route.getRouteId().equals("salesforce-opportunity-ingest-from-earliest");
            if (!meantToWait && (status == null || !status.isStarted())) {
                stopped.add(route.getRouteId() + " " + status);
            }
        }
        return stopped;
    }

    private static HttpResponse<String> send(String url, String method, String body, String user,
                                             Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null || method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json");
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String id) {
        return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
