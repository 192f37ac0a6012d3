package dev.revenuebridge.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.sun.net.httpserver.HttpServer;
import dev.revenuebridge.metrics.ExternalCalls;
import dev.revenuebridge.throttle.ThrottleMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge's Stripe HTTP client sends what the SDK's own sends (https://docs.stripe.com/api/authentication,
 * https://docs.stripe.com/api/idempotent_requests, https://docs.stripe.com/api/versioning) and reads Stripe's answers
 * and error shapes (https://docs.stripe.com/api/errors) as the SDK does, with the client user agent built once.
 */
class StripeConnectionClientTest {

    record Seen(String method, String path, Map<String, List<String>> headers, String body) { }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            boolean missing = exchange.getRequestURI().getPath().endsWith("/cus_missing");
            String answer = missing
                    ? "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\",\"param\":\"id\","
                    + "\"message\":\"No such customer: 'cus_missing'\"}}"
                    : "{\"id\":\"cus_Q1w2e3r4t5\",\"object\":\"customer\",\"name\":\"Acme\"}";
            exchange.getResponseHeaders().add("Request-Id", "req_abc123");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(missing ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private StripeClient client(String apiBase) {
        StripeSettings settings = new StripeSettings("sk_test_123", apiBase, 0, 1_000, 2_000, 100, 100, 100);
        return StripeClients.create(settings, new ThrottleMetrics(new SimpleMeterRegistry()),
                new ExternalCalls(new SimpleMeterRegistry()));
    }

    @Test
    void sendsTheSdksHeadersAndBodyAndReadsTheAnswer() throws Exception {
        StripeClient stripe = client("http://127.0.0.1:" + server.getAddress().getPort());

        Customer created = stripe.customers().create(CustomerCreateParams.builder().setName("Acme").build(),
                RequestOptions.builder().setIdempotencyKey("rb-001-customer").build());
        stripe.customers().retrieve("cus_Q1w2e3r4t5");

        assertThat(created.getId()).isEqualTo("cus_Q1w2e3r4t5");
        assertThat(created.getLastResponse().requestId()).isEqualTo("req_abc123");
        assertThat(seen).hasSize(2);
        Seen post = seen.get(0);
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.path()).isEqualTo("/v1/customers");
        assertThat(post.body()).isEqualTo("name=Acme");
        assertThat(header(post, "Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(header(post, "Authorization")).isEqualTo("Bearer sk_test_123");
        assertThat(header(post, "Idempotency-Key")).isEqualTo("rb-001-customer");
        assertThat(header(post, "Stripe-Version")).isEqualTo(com.stripe.Stripe.API_VERSION);
        assertThat(header(post, "User-Agent")).startsWith("Stripe/v1 JavaBindings/" + com.stripe.Stripe.VERSION);
        assertThat(header(post, "X-Stripe-Client-User-Agent"))
                .contains("\"bindings.version\":\"" + com.stripe.Stripe.VERSION + "\"").contains("\"lang\":\"Java\"");
        Seen get = seen.get(1);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.path()).isEqualTo("/v1/customers/cus_Q1w2e3r4t5");
        assertThat(get.body()).isEmpty();
        assertThat(header(get, "X-Stripe-Client-User-Agent")).isEqualTo(header(post, "X-Stripe-Client-User-Agent"));
    }

    @Test
    void readsStripesErrorShape() {
        StripeClient stripe = client("http://127.0.0.1:" + server.getAddress().getPort());

        assertThatThrownBy(() -> stripe.customers().retrieve("cus_missing"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getRequestId()).isEqualTo("req_abc123");
                    assertThat(e.getMessage()).contains("No such customer: 'cus_missing'");
                });
    }

    @Test
    void aConnectionThatFailsIsAnApiConnectionException() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        StripeClient stripe = client("http://127.0.0.1:" + closedPort);

        assertThatThrownBy(() -> stripe.customers().retrieve("cus_Q1w2e3r4t5"))
                .isInstanceOf(ApiConnectionException.class)
                .hasMessageContaining("/v1/customers/cus_Q1w2e3r4t5");
    }

    private static String header(Seen request, String name) {
        return request.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> String.join(",", e.getValue())).findFirst().orElse(null);
    }
}
