package dev.revenuebridge.sandbox.stripe;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stripe's rate limiters as https://docs.stripe.com/rate-limits documents them: a global limit (25 requests per second
 * in test mode and sandboxes, 100 in live mode), a default limit per endpoint of 25 requests per second (each named
 * operation is its own endpoint: GET /v1/customers/{customer} counts the same whatever the id), and 20 read requests
 * per second for the Search API, which the sandbox counts for all /search endpoints together. Requests limited per
 * endpoint also count against the global limit, as on Stripe. 0 switches a limit off.
 */
final class StripeRateLimits {

    /** https://docs.stripe.com/rate-limits: test mode / sandbox. */
    static final int GLOBAL_TEST_MODE = 25;
    /** https://docs.stripe.com/rate-limits: "API endpoints have a default limit of 25 requests per second". */
    static final int PER_ENDPOINT = 25;
    /** https://docs.stripe.com/rate-limits: "Search API: 20 read operations per second". */
    static final int SEARCH = 20;

    private static final String SEARCH_KEY = "search";

    private final SlidingWindow global = new SlidingWindow(GLOBAL_TEST_MODE);
    private final Map<String, SlidingWindow> endpoints = new ConcurrentHashMap<>();
    private volatile int perEndpoint = PER_ENDPOINT;
    private volatile int search = SEARCH;

    /**
     * Sets the global limit; 0 switches every limit off (global, per endpoint, search), as benchmarks need, until a
     * global limit is set again (the per-endpoint and search settings are kept meanwhile).
     */
    void global(int perSecond) {
        global.limit(perSecond);
        endpoints.clear();
    }

    int global() { return global.limit(); }

    void perEndpoint(int perSecond) {
        perEndpoint = Math.max(0, perSecond);
        endpoints.clear();
    }

    int perEndpoint() { return perEndpoint; }

    void search(int perSecond) {
        search = Math.max(0, perSecond);
        endpoints.clear();
    }

    int search() { return search; }

    /** Whether the global window has room for one more request (and counts it). */
    boolean admitGlobal() { return global.admit(); }

    /** Whether the endpoint's window (the search window for a /search operation) has room for one more request. */
    boolean admitEndpoint(String operation) {
        if (global.limit() == 0) return true;
        boolean isSearch = operation.endsWith("/search");
        int limit = isSearch ? search : perEndpoint;
        if (limit == 0) return true;
        return endpoints.computeIfAbsent(isSearch ? SEARCH_KEY : operation, k -> new SlidingWindow(limit)).admit();
    }

    /** Admits at most {@code limit} requests in any one-second window (0 = unlimited). */
    static final class SlidingWindow {
        private final Deque<Long> admitted = new ArrayDeque<>();
        private int limit;

        SlidingWindow(int limit) { this.limit = Math.max(0, limit); }

        synchronized void limit(int perSecond) {
            this.limit = Math.max(0, perSecond);
            admitted.clear();
        }

        synchronized int limit() { return limit; }

        synchronized boolean admit() {
            if (limit == 0) return true;
            long now = System.nanoTime();
            while (!admitted.isEmpty() && now - admitted.peekFirst() >= 1_000_000_000L) admitted.pollFirst();
            if (admitted.size() >= limit) return false;
            admitted.addLast(now);
            return true;
        }
    }
}
