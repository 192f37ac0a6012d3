package dev.revenuebridge.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.throttle.RequestRateLimiter;
import dev.revenuebridge.throttle.ThrottleMetrics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The endpoint a Stripe request counts against for the per-endpoint rate limit (https://docs.stripe.com/rate-limits). */
class StripeEndpointNormalizationTest {

    @Test
    void replacesIdsByAPlaceholder() {
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/customers/cus_NffrFeUfNV2Hib"))
                .isEqualTo("GET /v1/customers/{id}");
        assertThat(ThrottledStripeHttpClient.endpoint("POST", "/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/finalize"))
                .isEqualTo("POST /v1/invoices/{id}/finalize");
        assertThat(ThrottledStripeHttpClient.endpoint("POST", "/v1/invoices/in_1MtHb/mark_uncollectible"))
                .isEqualTo("POST /v1/invoices/{id}/mark_uncollectible");
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/subscription_schedules/sub_sched_1Mr3YdLkdIwHu7ix"))
                .isEqualTo("GET /v1/subscription_schedules/{id}");
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/customers/cus_1/balance_transactions/cbtxn_9Xa"))
                .isEqualTo("GET /v1/customers/{id}/balance_transactions/{id}");
        assertThat(ThrottledStripeHttpClient.endpoint("delete", "/v1/products/PLAT-SUB"))
                .as("a custom id, by its position").isEqualTo("DELETE /v1/products/{id}");
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/checkout/sessions/cs_test_a1B2c3"))
                .isEqualTo("GET /v1/checkout/sessions/{id}");
    }

    @Test
    void keepsResourcesListsAndSearchesLiteral() {
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/customers")).isEqualTo("GET /v1/customers");
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/balance_transactions")).isEqualTo("GET /v1/balance_transactions");
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/customers/search")).isEqualTo("GET /v1/customers/search");
        assertThat(ThrottledStripeHttpClient.endpoint("GET", "/v1/invoice_payments")).isEqualTo("GET /v1/invoice_payments");
    }

    @Test
    void searchesShareOneLimiterAndEndpointsHaveTheirOwn() {
        ThrottledStripeHttpClient client = new ThrottledStripeHttpClient(
                new RequestRateLimiter(100, Duration.ofSeconds(1), Duration.ofMillis(50)), 25, 20, new ThrottleMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
                new dev.revenuebridge.metrics.ExternalCalls(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        assertThat(client.endpointLimiter("GET /v1/customers/search"))
                .isSameAs(client.endpointLimiter("GET /v1/invoices/search"));
        assertThat(client.endpointLimiter("GET /v1/customers/search").limit()).isEqualTo(20);
        assertThat(client.endpointLimiter("GET /v1/customers/{id}").limit()).isEqualTo(25);
        assertThat(client.endpointLimiter("GET /v1/customers/{id}")).isNotSameAs(client.endpointLimiter("GET /v1/customers"));
    }

    @Test
    void settingsDefaultToStripesDocumentedLimits() {
        StripeSettings settings = new StripeSettings("sk_test_x", null, null, null, null, null, null, null);
        assertThat(settings.maxRequestsPerSecond()).isEqualTo(25);
        assertThat(settings.maxRequestsPerSecondPerEndpoint()).isEqualTo(25);
        assertThat(settings.maxSearchRequestsPerSecond()).isEqualTo(20);
    }
}
