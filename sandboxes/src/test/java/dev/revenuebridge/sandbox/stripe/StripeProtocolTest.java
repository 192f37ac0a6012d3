package dev.revenuebridge.sandbox.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.ApiException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's protocol layer: SDK-derived validation, one API version, idempotency, rate limits, model shapes. */
class StripeProtocolTest {

    private static final String KEY = "sk_test_protocol";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-12-19T17:04:11Z");

    private final HttpClient http = HttpClient.newHttpClient();
    private StripeSandbox sandbox;
    private StripeClient client;

    @BeforeEach
    void start() {
        sandbox = new StripeSandbox().start(0);
        sandbox.clock(Clock.fixed(NOW, ZoneOffset.UTC));
        client = new StripeClient.StripeClientBuilder().setApiKey(KEY).setApiBase(sandbox.baseUrl())
                .setMaxNetworkRetries(0).build();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    // ---------------------------------------------------------------- requests validated from the SDK

    @Test
    void everyRegisteredEndpointHasAStripeJavaParamsClass() {
        assertThat(sandbox.operations()).isNotEmpty();
        for (String operation : sandbox.operations()) {
            Class<?> params = StripeSdkParams.paramsClass(operation);
            assertThat(params).as("params class of " + operation + " in StripeSdkParams.OPERATIONS").isNotNull();
            assertThat(SdkParamSchema.fields(params)).as(operation).isNotNull();
        }
        for (String operation : StripeSdkParams.REQUIRED.keySet()) {
            assertThat(StripeSdkParams.OPERATIONS).as("a required-parameter rule names a known operation").containsKey(operation);
        }
    }

    @Test
    void readsParametersTypesEnumsAndUnionsFromTheSdk() {
        Map<String, SdkParamSchema.Kind> subscription = SdkParamSchema.fields(com.stripe.param.SubscriptionCreateParams.class);
        assertThat(subscription).containsKeys("customer", "items", "cancel_at", "metadata", "collection_method")
                .doesNotContainKey("extraParams");
        assertThat(subscription.get("items")).isInstanceOf(SdkParamSchema.ListOf.class);
        assertThat(subscription.get("collection_method")).isEqualTo(
                new SdkParamSchema.Enumerated(List.of("charge_automatically", "send_invoice")));
        // cancel_at: setCancelAt(Long) or setCancelAt(CancelAt)
        assertThat(subscription.get("cancel_at")).isInstanceOfSatisfying(SdkParamSchema.Union.class, u ->
                assertThat(u.alternatives()).hasSize(2).first().isEqualTo(new SdkParamSchema.Scalar(SdkParamSchema.ScalarType.INTEGER)));
        // metadata: setMetadata(Map) or setMetadata(EmptyParam)
        assertThat(subscription.get("metadata")).isInstanceOfSatisfying(SdkParamSchema.Union.class,
                u -> assertThat(u.unsettable()).isTrue());
    }

    @Test
    void refusesWhatTheSdkDoesNotSendWithStripesErrors() throws Exception {
        Customer customer = client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());

        JsonNode unknown = error(post("/v1/customers", "name=Acme&address[planet]=Mars", null));
        assertThat(unknown.path("code").asText()).isEqualTo("parameter_unknown");
        assertThat(unknown.path("message").asText()).isEqualTo("Received unknown parameter: address[planet]");

        // an invoice item's price moved to pricing[price] in API 2025-03-31.basil: the dahlia SDK has no "price"
        JsonNode legacy = error(post("/v1/invoiceitems", "customer=" + customer.getId() + "&price=price_x", null));
        assertThat(legacy.path("param").asText()).isEqualTo("price");
        assertThat(legacy.path("code").asText()).isEqualTo("parameter_unknown");

        JsonNode union = error(post("/v1/subscriptions", "customer=cus_x&items[0][price]=p&cancel_at=soon", null));
        assertThat(union.path("code").asText()).isEqualTo("parameter_invalid_integer");
        assertThat(union.path("param").asText()).isEqualTo("cancel_at");

        JsonNode enumeration = error(post("/v1/subscriptions", "customer=cus_x&items[0][price]=p"
                + "&payment_settings[payment_method_types][0]=carrier_pigeon", null));
        assertThat(enumeration.path("param").asText()).isEqualTo("payment_settings[payment_method_types][0]");
        assertThat(enumeration.path("message").asText()).startsWith("Invalid payment_settings[payment_method_types][0]: must be one of ")
                .contains("card").contains(", or ");

        JsonNode array = error(post("/v1/subscriptions", "customer=cus_x&items[0][price]=p&expand=latest_invoice", null));
        assertThat(array.path("message").asText()).isEqualTo("Invalid array");

        // "" unsets where the SDK has an EmptyParam setter (update), and is refused where it has none (create)
        assertThat(error(post("/v1/customers", "description=", null)).path("code").asText()).isEqualTo("parameter_invalid_empty");
        HttpResponse<String> unset = post("/v1/customers/" + customer.getId(), "description=", null);
        assertThat(unset.statusCode()).isEqualTo(200);

        JsonNode missing = error(post("/v1/subscriptions", "customer=cus_x&items[0][price_data][currency]=usd"
                + "&items[0][price_data][product]=P&items[0][price_data][recurring][interval_count]=1", null));
        assertThat(missing.path("code").asText()).isEqualTo("parameter_missing");
        assertThat(missing.path("param").asText()).isEqualTo("items[0][price_data][recurring][interval]");
        assertThat(error(post("/v1/invoiceitems", "amount=100&currency=usd", null)).path("param").asText()).isEqualTo("customer");
        assertThat(sandbox.objects("subscriptions")).isEmpty();
    }

    @Test
    void enforcesStripesMetadataLimits() throws Exception {
        StringBuilder many = new StringBuilder("name=Acme");
        for (int i = 0; i < 51; i++) many.append("&metadata[k").append(i).append("]=v");
        JsonNode tooMany = error(post("/v1/customers", many.toString(), null));
        assertThat(tooMany.path("param").asText()).isEqualTo("metadata");
        assertThat(tooMany.path("message").asText()).contains("50 keys");

        JsonNode longKey = error(post("/v1/customers", "metadata[" + "k".repeat(41) + "]=v", null));
        assertThat(longKey.path("message").asText()).contains("40 characters");
        JsonNode longValue = error(post("/v1/customers", "metadata[k]=" + "v".repeat(501), null));
        assertThat(longValue.path("message").asText()).contains("500 characters");
        assertThat(post("/v1/customers", "metadata[" + "k".repeat(40) + "]=" + "v".repeat(500), null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void routesLiteralSegmentsBeforeParametersAndAnswers404ForUnknownUrls() throws Exception {
        HttpResponse<String> search = get("/v1/customers/search?query=" + java.net.URLEncoder.encode("name:'x'",
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(search.body()).path("object").asText()).isEqualTo("search_result");

        HttpResponse<String> unknown = get("/v1/customers/cus_x/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown).path("message").asText()).startsWith("Unrecognized request URL (GET: /v1/customers/cus_x/nothing).");
        assertThat(post("/v1/balance_transactions", "", null).statusCode()).as("a method no endpoint answers").isEqualTo(404);
    }

    // ---------------------------------------------------------------- one API version

    @Test
    void speaksOnlyTheApiVersionStripeJavaPins() throws Exception {
        Customer customer = client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());
        assertThat(customer.getLastResponse().headers().firstValue("Stripe-Version")).hasValue(Stripe.API_VERSION);
        assertThat(StripeSandbox.API_VERSION).isEqualTo("2026-07-29.dahlia");

        HttpResponse<String> none = get("/v1/customers");
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.headers().firstValue("Stripe-Version")).hasValue(Stripe.API_VERSION);

        HttpResponse<String> old = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/customers"))
                .header("Authorization", "Bearer " + KEY).header("Stripe-Version", "2023-08-16").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(old.statusCode()).isEqualTo(400);
        assertThat(old.headers().firstValue("Stripe-Version")).hasValue(Stripe.API_VERSION);
        assertThat(error(old).path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error(old).path("message").asText()).contains("2023-08-16").contains(Stripe.API_VERSION)
                .contains("speaks only");
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void replaysTheFirstResultWithItsRequestId() throws Exception {
        HttpResponse<String> first = post("/v1/customers", "name=Acme&metadata[a]=1", "key-1");
        HttpResponse<String> again = post("/v1/customers", "metadata[a]=1&name=Acme", "key-1");

        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(again.headers().firstValue("Original-Request")).isEqualTo(first.headers().firstValue("Request-Id"));
        assertThat(again.headers().firstValue("Request-Id")).isNotEqualTo(first.headers().firstValue("Request-Id"));
        assertThat(sandbox.idempotentReplayCount()).isEqualTo(1);
        assertThat(sandbox.requests()).extracting(StripeSandbox.ReceivedRequest::replayed).containsExactly(false, true);
        assertThat(sandbox.requests().get(1).replayedFrom()).isEqualTo(first.headers().firstValue("Request-Id").orElseThrow());

        JsonNode mismatch = error(post("/v1/customers", "name=Other", "key-1"));
        assertThat(mismatch.path("type").asText()).isEqualTo("idempotency_error");
        assertThat(mismatch.path("message").asText()).contains("same parameters").contains("key-1");
        assertThat(sandbox.objects("customers")).hasSize(1);
    }

    @Test
    void prunesAKeyAfter24HoursOfTheSandboxClock() throws Exception {
        assertThat(post("/v1/customers", "name=Acme", "key-day").statusCode()).isEqualTo(200);

        sandbox.clock(Clock.fixed(NOW.plus(Duration.ofHours(24)).minusSeconds(1), ZoneOffset.UTC));
        assertThat(error(post("/v1/customers", "name=Other", "key-day")).path("type").asText())
                .as("still remembered a second before 24 hours").isEqualTo("idempotency_error");

        sandbox.clock(Clock.fixed(NOW.plus(Duration.ofHours(24)).plusSeconds(1), ZoneOffset.UTC));
        HttpResponse<String> fresh = post("/v1/customers", "name=Other", "key-day");
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(fresh.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(sandbox.objects("customers")).hasSize(2);
    }

    @Test
    void savesAnInjected500UnderTheKeyButNotOtherInjectedStatuses() throws Exception {
        sandbox.faults().failNext(1, 500);
        HttpResponse<String> failed = post("/v1/customers", "name=Acme", "key-500");
        assertThat(failed.statusCode()).isEqualTo(500);

        HttpResponse<String> replay = post("/v1/customers", "name=Acme", "key-500");
        assertThat(replay.statusCode()).as("Stripe returns the saved 500 to a retry with the same key").isEqualTo(500);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.body()).isEqualTo(failed.body());
        assertThat(error(post("/v1/customers", "name=Other", "key-500")).path("type").asText()).isEqualTo("idempotency_error");
        assertThat(sandbox.objects("customers")).isEmpty();

        // through the SDK: its retries carry the same key, so they get the 500 back
        sandbox.faults().failNext(1, 500);
        RequestOptions key = RequestOptions.builder().setIdempotencyKey("key-sdk-500").build();
        assertThatThrownBy(() -> client.v1().customers().create(CustomerCreateParams.builder().setName("A").build(), key))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatusCode()).isEqualTo(500));
        assertThatThrownBy(() -> client.v1().customers().create(CustomerCreateParams.builder().setName("A").build(), key))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatusCode()).isEqualTo(500));

        for (int status : List.of(429, 502, 503, 504)) {
            sandbox.faults().failNext(1, status);
            assertThat(post("/v1/customers", "name=Acme", "key-" + status).statusCode()).isEqualTo(status);
            HttpResponse<String> retried = post("/v1/customers", "name=Acme", "key-" + status);
            assertThat(retried.statusCode()).as("after an injected " + status).isEqualTo(200);
            assertThat(retried.headers().firstValue("Idempotent-Replayed")).isEmpty();
        }
        assertThat(sandbox.objects("customers")).hasSize(4);

        // an injected 500 on a request that would have failed validation is not saved: it never began executing
        sandbox.faults().failNext(1, 500);
        assertThat(post("/v1/customers", "nonsense=1", "key-invalid").statusCode()).isEqualTo(500);
        assertThat(post("/v1/customers", "name=Acme", "key-invalid").statusCode()).isEqualTo(200);
    }

    @Test
    void doesNotSaveValidationErrorsOrRateLimitedRequests() throws Exception {
        assertThat(post("/v1/customers", "nonsense=1", "key-v").statusCode()).isEqualTo(400);
        assertThat(post("/v1/customers", "name=Acme", "key-v").headers().firstValue("Idempotent-Replayed")).isEmpty();

        sandbox.rateLimitPerSecond(1);
        get("/v1/customers");
        assertThat(post("/v1/customers", "name=Acme", "key-429").statusCode()).isEqualTo(429);
        Thread.sleep(1_100);
        HttpResponse<String> admitted = post("/v1/customers", "name=Acme", "key-429");
        assertThat(admitted.statusCode()).isEqualTo(200);
        assertThat(admitted.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    // ---------------------------------------------------------------- rate limits

    @Test
    void limitsEachEndpointAndAllSearchesTogether() throws Exception {
        sandbox.rateLimitPerSecond(1_000).endpointRateLimitPerSecond(3).searchRateLimitPerSecond(2);
        List<Integer> customers = new ArrayList<>();
        for (int i = 0; i < 5; i++) customers.add(get("/v1/customers").statusCode());
        assertThat(customers).containsExactly(200, 200, 200, 429, 429);
        assertThat(get("/v1/products").statusCode()).as("another endpoint has its own window").isEqualTo(200);
        assertThat(get("/v1/customers/cus_a").statusCode()).isEqualTo(404);
        assertThat(get("/v1/customers/cus_b").statusCode()).isEqualTo(404);
        assertThat(get("/v1/customers/cus_c").statusCode()).isEqualTo(404);
        HttpResponse<String> sameTemplate = get("/v1/customers/cus_d");
        assertThat(sameTemplate.statusCode()).as("one endpoint whatever the id").isEqualTo(429);
        assertThat(error(sameTemplate).path("code").asText()).isEqualTo("rate_limit");
        assertThat(sameTemplate.headers().firstValue("Stripe-Should-Retry")).hasValue("true");

        String query = "?query=" + java.net.URLEncoder.encode("name:'x'", java.nio.charset.StandardCharsets.UTF_8);
        assertThat(get("/v1/customers/search" + query).statusCode()).isEqualTo(200);
        assertThat(get("/v1/products/search" + query).statusCode()).isEqualTo(200);
        assertThat(get("/v1/invoices/search" + query).statusCode()).as("the search limit is shared").isEqualTo(429);
    }

    @Test
    void rateLimitZeroSwitchesEveryLimitOff() throws Exception {
        sandbox.endpointRateLimitPerSecond(1).searchRateLimitPerSecond(1).rateLimitPerSecond(0);
        for (int i = 0; i < 30; i++) assertThat(get("/v1/customers").statusCode()).isEqualTo(200);
        assertThat(sandbox.rateLimitedCount()).isZero();

        sandbox.rateLimitPerSecond(25);
        assertThat(get("/v1/customers").statusCode()).isEqualTo(200);
        assertThat(get("/v1/customers").statusCode()).as("the endpoint limit is back with the global one").isEqualTo(429);

        HttpResponse<String> control = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/_sandbox/rate-limit"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"perSecond\":25,\"perEndpointPerSecond\":25,\"searchPerSecond\":20}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(control.body()).path("perEndpointPerSecond").asInt()).isEqualTo(25);
        assertThat(JSON.readTree(control.body()).path("searchPerSecond").asInt()).isEqualTo(20);
    }

    // ---------------------------------------------------------------- response shapes

    @Test
    void shapeCheckerAcceptsDeclaredKeysAndReportsUndeclaredOnesWithTheirPath() {
        Map<String, Object> customer = map("id", "cus_1", "object", "customer", "name", "Acme",
                "metadata", map("anything", "goes"));
        assertThat(StripeModelShape.violations(customer)).isEmpty();

        Map<String, Object> invoice = map("id", "in_1", "object", "invoice",
                "parent", map("type", "subscription_details",
                        "subscription_details", map("subscription", "sub_1", "foo", "bar")),
                "subscription", "sub_1");
        assertThat(StripeModelShape.violations(invoice))
                .containsExactlyInAnyOrder("invoice.parent.subscription_details.foo", "invoice.subscription");

        Map<String, Object> expanded = map("id", "in_2", "object", "invoice",
                "customer", map("id", "cus_1", "object", "customer", "bogus", true),
                "lines", map("object", "list", "data", List.of(map("id", "il_1", "object", "line_item", "price", "p")),
                        "has_more", false, "url", "/v1/invoices/in_2/lines"));
        assertThat(StripeModelShape.violations(expanded))
                .containsExactlyInAnyOrder("invoice.customer.bogus", "invoice.lines.data.price");
        assertThat(StripeModelShape.violations(map("id", "in_3", "object", "invoice", "customer", "cus_1"))).isEmpty();

        Map<String, Object> list = map("object", "list", "data", List.of(map("id", "cus_2", "object", "customer", "x", 1)),
                "has_more", false, "url", "/v1/customers");
        assertThat(StripeModelShape.violations(list)).containsExactly("customer.x");

        Map<String, Object> event = map("id", "evt_1", "object", "event", "type", "invoice.created", "created", 1L,
                "data", map("object", map("id", "in_4", "object", "invoice", "wrong", 1)), "livemode", false);
        assertThat(StripeModelShape.violations(event)).containsExactly("invoice.wrong");
    }

    @Test
    void collectsShapeViolationsOfWhatItSendsAndForgetsThemOnReset() throws Exception {
        client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());
        assertThat(sandbox.shapeViolations()).allSatisfy(v -> assertThat(v).doesNotStartWith("customer."));
        sandbox.reset();
        assertThat(sandbox.shapeViolations()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return out;
    }

    private HttpResponse<String> post(String path, String form, String idempotencyKey) throws IOException, InterruptedException {
        return new RawStripeHttp(sandbox.baseUrl(), KEY).post(path, form, idempotencyKey);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return new RawStripeHttp(sandbox.baseUrl(), KEY).get(path);
    }

    private static JsonNode error(HttpResponse<String> response) throws IOException {
        return RawStripeHttp.error(response);
    }
}
