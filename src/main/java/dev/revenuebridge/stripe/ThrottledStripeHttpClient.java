package dev.revenuebridge.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.StripeException;
import com.stripe.net.HttpClient;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import dev.revenuebridge.throttle.RequestRateLimiter;
import dev.revenuebridge.throttle.ThrottleMetrics;

/**
 * The SDK's own HTTP client behind the bridge's Stripe rate limiter: every attempt, the SDK's retries included, waits
 * for room in Stripe's one-second window first, so the bridge itself stays under the account's rate
 * (revenue.stripe.max-requests-per-second). A 429 that still comes back is counted; the SDK retries it when Stripe
 * says Stripe-Should-Retry, and deal-error-handling's backoff retries what is left.
 */
final class ThrottledStripeHttpClient extends HttpClient {

    private final HttpClient delegate = new HttpURLConnectionClient();
    private final RequestRateLimiter limiter;
    private final ThrottleMetrics metrics;

    ThrottledStripeHttpClient(RequestRateLimiter limiter, ThrottleMetrics metrics) {
        this.limiter = limiter;
        this.metrics = metrics;
    }

    @Override
    public StripeResponse request(StripeRequest request) throws StripeException {
        try {
            if (limiter.acquire() > 0) {
                metrics.delayed(StripeBilling.SYSTEM);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiConnectionException("interrupted while waiting for the Stripe rate limit", e);
        }
        StripeResponse response = delegate.request(request);
        if (response.code() == 429) {
            metrics.rejected(StripeBilling.SYSTEM);
        }
        return response;
    }
}
