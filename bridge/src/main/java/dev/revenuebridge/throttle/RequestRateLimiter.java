package dev.revenuebridge.throttle;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * At most {@code limit} requests in any window of {@code window}: the rate limit as the remote system counts it
 * (Stripe's is a sliding window of one second). A caller over the limit waits until the oldest request of the window
 * has left it. A small margin is added to the window so that network jitter cannot squeeze a window's worth of
 * requests into less than the remote system's window.
 */
public final class RequestRateLimiter {

    private final Deque<Long> sent = new ArrayDeque<>();
    private final int limit;
    private final long windowNanos;

    /**
     * @param limit  requests allowed per window; 0 or less means no limit
     * @param window the remote system's window, e.g. one second
     * @param margin added to the window on our side, e.g. 50 ms
     */
    public RequestRateLimiter(int limit, java.time.Duration window, java.time.Duration margin) {
        this.limit = limit;
        this.windowNanos = window.plus(margin).toNanos();
    }

    public int limit() { return limit; }

    /**
     * Waits, if need be, until one more request fits in the window, and counts it as sent.
     * @return how long the caller waited, in nanoseconds (0 when it was not throttled)
     */
    public long acquire() throws InterruptedException {
        return acquireAll(this);
    }

    /**
     * Waits until one more request fits in every window at once (an endpoint's and the account's), then counts it in
     * all of them at that same instant. Taking them one after the other would count the request in the first window
     * while it still waits for the second, and so send a first window's worth of requests later than counted, together
     * with the next window's: more than the limit in one of the remote system's windows.
     * @return how long the caller waited, in nanoseconds (0 when it was not throttled)
     */
    public static long acquireAll(RequestRateLimiter... limiters) throws InterruptedException {
        long waited = 0;
        while (true) {
            long wait = 0;
            synchronized (RequestRateLimiter.class) {
                long now = System.nanoTime();
                for (RequestRateLimiter limiter : limiters) {
                    wait = Math.max(wait, limiter.waitAt(now));
                }
                if (wait == 0) {
                    for (RequestRateLimiter limiter : limiters) {
                        limiter.countAt(now);
                    }
                    return waited;
                }
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(wait, 1_000));
            waited += wait;
        }
    }

    /** How long until one more request fits (0: now), the window emptied of what left it by {@code now}. */
    private long waitAt(long now) {
        if (limit <= 0) {
            return 0;
        }
        while (!sent.isEmpty() && now - sent.peekFirst() >= windowNanos) {
            sent.pollFirst();
        }
        return sent.size() < limit ? 0 : windowNanos - (now - sent.peekFirst());
    }

    private void countAt(long now) {
        if (limit > 0) {
            sent.addLast(now);
        }
    }
}
