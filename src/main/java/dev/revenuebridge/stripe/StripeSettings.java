package dev.revenuebridge.stripe;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the bridge reaches Stripe.
 * @param apiKey secret key (sk_live_... or sk_test_...), from the environment (STRIPE_API_KEY)
 * @param apiBase API root; the sandbox in local mode and tests
 * @param maxNetworkRetries retries the SDK makes itself on connection errors and Stripe-Should-Retry answers
 * @param connectTimeoutMillis TCP connect timeout
 * @param readTimeoutMillis response timeout
 */
@ConfigurationProperties("revenue.stripe")
public record StripeSettings(String apiKey, String apiBase, Integer maxNetworkRetries, Integer connectTimeoutMillis,
                             Integer readTimeoutMillis) {

    public StripeSettings {
        apiBase = apiBase == null ? "https://api.stripe.com" : apiBase;
        maxNetworkRetries = maxNetworkRetries == null ? 2 : maxNetworkRetries;
        connectTimeoutMillis = connectTimeoutMillis == null ? 5_000 : connectTimeoutMillis;
        readTimeoutMillis = readTimeoutMillis == null ? 30_000 : readTimeoutMillis;
    }
}
