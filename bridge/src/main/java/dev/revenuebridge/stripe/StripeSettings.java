package dev.revenuebridge.stripe;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the bridge reaches Stripe.
 * @param apiKey secret key (sk_live_... or sk_test_...), from the environment (STRIPE_API_KEY)
 * @param apiBase API root; the sandbox in local mode and tests
 * @param maxNetworkRetries retries the SDK makes itself on connection errors and Stripe-Should-Retry answers
 * @param connectTimeoutMillis TCP connect timeout
 * @param readTimeoutMillis response timeout
 * @param maxRequestsPerSecond the bridge's own limit on requests to Stripe; Stripe allows 100/s in live mode and 25/s
 *                             in test mode, which is the default for sk_test_/rk_test_ keys (100 otherwise)
 * @param maxRequestsPerSecondPerEndpoint the bridge's limit on requests per second to one endpoint (an operation such
 *                             as GET /v1/customers/{id}, whatever the id); Stripe's default per endpoint is 25
 *                             (https://docs.stripe.com/rate-limits); 0 = none
 * @param maxSearchRequestsPerSecond the bridge's limit on requests per second to all /search endpoints together;
 *                             Stripe's Search API allows 20 read requests per second; 0 = none
 */
@ConfigurationProperties("revenue.stripe")
public record StripeSettings(String apiKey, String apiBase, Integer maxNetworkRetries, Integer connectTimeoutMillis,
                             Integer readTimeoutMillis, Integer maxRequestsPerSecond,
                             Integer maxRequestsPerSecondPerEndpoint, Integer maxSearchRequestsPerSecond) {

    public StripeSettings {
        apiBase = apiBase == null ? "https://api.stripe.com" : apiBase;
        maxNetworkRetries = maxNetworkRetries == null ? 2 : maxNetworkRetries;
        connectTimeoutMillis = connectTimeoutMillis == null ? 5_000 : connectTimeoutMillis;
        readTimeoutMillis = readTimeoutMillis == null ? 30_000 : readTimeoutMillis;
        if (maxRequestsPerSecond == null) {
            boolean testMode = apiKey != null && (apiKey.startsWith("sk_test_") || apiKey.startsWith("rk_test_"));
            maxRequestsPerSecond = testMode ? 25 : 100;
        }
        maxRequestsPerSecondPerEndpoint = maxRequestsPerSecondPerEndpoint == null ? 25 : maxRequestsPerSecondPerEndpoint;
        maxSearchRequestsPerSecond = maxSearchRequestsPerSecond == null ? 20 : maxSearchRequestsPerSecond;
    }
}
