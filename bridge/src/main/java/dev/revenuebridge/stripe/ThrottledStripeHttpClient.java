package dev.revenuebridge.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.StripeException;
import com.stripe.net.HttpClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import dev.revenuebridge.throttle.RequestRateLimiter;
import dev.revenuebridge.throttle.ThrottleMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The HTTP client (StripeConnectionClient, the SDK's own but for one header built once) behind the bridge's Stripe rate limiters. Stripe limits requests per second globally and,
 * besides, per endpoint (25/s by default) and for the Search API (20 read requests/s), see
 * https://docs.stripe.com/rate-limits; an endpoint is a named operation, so GET /v1/customers/{id} counts the same
 * whatever the id. Every attempt, the SDK's retries included, waits for room in its endpoint's one-second window (the
 * shared search window for a /search endpoint) and in the global one at once, so the bridge stays under the account's
 * rates (revenue.stripe.max-requests-per-second, -per-endpoint, max-search-requests-per-second). A 429 that still
 * comes back is counted; the SDK retries it when Stripe says Stripe-Should-Retry, and deal-error-handling's backoff
 * retries what is left.
 */
final class ThrottledStripeHttpClient extends HttpClient {

    /** The placeholder of an id in an endpoint's template. */
    static final String ID = "{id}";
    private static final String SEARCH = "search";
    /** A Stripe object id: a lowercase prefix (cus_, in_, sub_sched_) and a random part with a digit or capital. */
    private static final Pattern STRIPE_ID = Pattern.compile("[a-z]{2,}(_[a-z]+)*_(?=[A-Za-z0-9]*[0-9A-Z])[A-Za-z0-9]{6,}");
    /** Path prefixes that namespace a resource (/v1/checkout/sessions/{id}), so ids sit one segment later. */
    private static final Set<String> NAMESPACES = Set.of("test_helpers", "checkout", "billing_portal", "billing", "tax",
            "terminal", "issuing", "radar", "reporting", "sigma", "identity", "treasury", "financial_connections",
            "climate", "apps", "forwarding", "entitlements");

    private final HttpClient delegate = new StripeConnectionClient();
    private final RequestRateLimiter global;
    private final int perEndpoint;
    private final int search;
    private final Map<String, RequestRateLimiter> endpoints = new ConcurrentHashMap<>();
    private final ThrottleMetrics metrics;
    private final dev.revenuebridge.metrics.ExternalCalls calls;

    /**
     * @param global      the account's limit over all endpoints
     * @param perEndpoint requests per second to one endpoint (0: none)
     * @param search      requests per second to all /search endpoints together (0: none)
     */
    ThrottledStripeHttpClient(RequestRateLimiter global, int perEndpoint, int search, ThrottleMetrics metrics,
                              dev.revenuebridge.metrics.ExternalCalls calls) {
        this.calls = calls;
        this.global = global;
        this.perEndpoint = perEndpoint;
        this.search = search;
        this.metrics = metrics;
    }

    @Override
    public StripeResponse request(StripeRequest request) throws StripeException {
        RequestRateLimiter.Ticket ticket;
        try {
            // both windows at once: counted in the endpoint's while waiting for the account's, a request would reach
            // Stripe later than counted (the search 429s of the first benchmark)
            ticket = RequestRateLimiter.acquireAll(endpointLimiter(endpoint(request.method().name(),
                    request.url().getPath())), global);
            if (ticket.waited() > 0) {
                metrics.delayed(StripeBilling.SYSTEM);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiConnectionException("interrupted while waiting for the Stripe rate limit", e);
        }
        long started = System.nanoTime();
        StripeResponse response;
        try {
            response = delegate.request(request);
        } catch (StripeException | RuntimeException e) {
            ticket.answered();
            calls.record(StripeBilling.SYSTEM, dev.revenuebridge.metrics.ExternalCalls.NO_ANSWER,
                    Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
        // a request that reached Stripe late (the machine short of CPU) is counted when it can have arrived
        ticket.answered();
        calls.record(StripeBilling.SYSTEM, dev.revenuebridge.metrics.ExternalCalls.status(response.code()),
                Duration.ofNanos(System.nanoTime() - started));
        if (response.code() == 429) {
            metrics.rejected(StripeBilling.SYSTEM);
        }
        return response;
    }

    /** The limiter of an endpoint: its own, or the one all searches share. */
    RequestRateLimiter endpointLimiter(String endpoint) {
        boolean isSearch = endpoint.endsWith("/" + SEARCH);
        // searches come in bursts (every new deal starts with one): a wider margin against their arrival jitter costs
        // nothing, the account's limit binds long before search's
        return endpoints.computeIfAbsent(isSearch ? SEARCH : endpoint, k -> new RequestRateLimiter(
                isSearch ? search : perEndpoint, Duration.ofSeconds(1), Duration.ofMillis(isSearch ? 200 : 50)));
    }

    /**
     * The endpoint a request counts against: "METHOD /v1/template", ids replaced by {@value #ID}. After /v1 (and a
     * namespace such as checkout) Stripe paths alternate resource and id (/v1/customers/{id}/balance_transactions/{id},
     * /v1/invoices/{id}/finalize), except the literal "search"; a segment that looks like a Stripe id (cus_..., in_...)
     * is an id wherever it is. Custom ids (a product's "PLAT-SUB") are recognized by their position.
     */
    static String endpoint(String method, String path) {
        String[] segments = path.split("/");
        StringBuilder out = new StringBuilder(method.toUpperCase(java.util.Locale.ROOT)).append(' ');
        int resourceStart = -1;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (i > 0) out.append('/');
            if (segment.isEmpty()) continue;
            if (resourceStart < 0) {
                out.append(segment);
                if (segment.matches("v\\d+")) resourceStart = i + 1;
                continue;
            }
            if (i == resourceStart && NAMESPACES.contains(segment)) {
                resourceStart++;
                out.append(segment);
                continue;
            }
            boolean idPosition = (i - resourceStart) % 2 == 1 && !segment.equals(SEARCH);
            out.append(idPosition || STRIPE_ID.matcher(segment).matches() ? ID : segment);
        }
        return out.toString();
    }
}
