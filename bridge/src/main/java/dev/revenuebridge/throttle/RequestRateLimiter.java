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
        if (limit <= 0) {
            return 0;
        }
        long waited = 0;
        while (true) {
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                while (!sent.isEmpty() && now - sent.peekFirst() >= windowNanos) {
                    sent.pollFirst();
                }
                if (sent.size() < limit) {
                    sent.addLast(now);
                    return waited;
                }
                wait = windowNanos - (now - sent.peekFirst());
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(wait, 1_000));
            waited += wait;
        }
    }
}
