package dev.revenuebridge.throttle;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * At most {@code limit} requests in any window of {@code window}: the rate limit as the remote system counts it
 * (Stripe's is a sliding window of one second). A caller over the limit waits until the oldest request of the window
 * has left it. A small margin is added to the window so that network jitter cannot squeeze a window's worth of
 * requests into less than the remote system's window.
 * <p>
 * A request is counted when it is let go, but it reaches the remote system later, and much later when the machine is
 * short of CPU (a thread that may send waits to be scheduled): counted at the moment it was let go, a request that
 * arrived late shares the remote system's window with the next window's requests, and one of them is refused. So once
 * its answer is back ({@link Ticket#answered()}) a request is counted again at the latest moment it can have arrived,
 * as far as the answers tell: its answer's arrival less the fastest answer of the last {@value #ANSWERS} (the remote
 * system's own time and the way back). A request sent without delay stays where it was counted; a late one moves
 * later in the window, and the requests after it wait for it.
 */
public final class RequestRateLimiter {

    /** How many recent answer times give the fastest answer. */
    static final int ANSWERS = 32;

    /** A request's place in a window: when it is taken to have reached the remote system. */
    private static final class Sent {
        long at;

        Sent(long at) {
            this.at = at;
        }
    }

    private final List<Sent> sent = new ArrayList<>();
    private final int limit;
    private final long windowNanos;
    private final long[] answers = new long[ANSWERS];
    private int answered;

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

    /** A request counted in its windows: how long it waited, and the way to tell when its answer came. */
    public static final class Ticket {
        private final RequestRateLimiter[] limiters;
        private final Sent[] places;
        private final long sentAt;
        private final long waited;

        private Ticket(RequestRateLimiter[] limiters, Sent[] places, long sentAt, long waited) {
            this.limiters = limiters;
            this.places = places;
            this.sentAt = sentAt;
            this.waited = waited;
        }

        /** How long the request waited for room, in nanoseconds (0 when it was not throttled). */
        public long waited() { return waited; }

        /** The request's answer (or failure) came now: counts it at the latest moment it can have arrived. */
        public void answered() {
            answeredAt(System.nanoTime());
        }

        void answeredAt(long now) {
            long took = now - sentAt;
            synchronized (RequestRateLimiter.class) {
                // the first limiter is the request's own endpoint: its answers tell how long the way back takes
                RequestRateLimiter own = limiters[0];
                long fastest = Math.min(took, own.fastestAnswer());
                own.answers[own.answered++ % ANSWERS] = took;
                long arrivedBy = now - fastest;
                for (Sent place : places) {
                    if (place != null && arrivedBy > place.at) {
                        place.at = arrivedBy;
                    }
                }
            }
        }
    }

    /**
     * Waits, if need be, until one more request fits in the window, and counts it as sent.
     * @return how long the caller waited, in nanoseconds (0 when it was not throttled)
     */
    public long acquire() throws InterruptedException {
        return acquireAll(this).waited();
    }

    /**
     * Waits until one more request fits in every window at once (an endpoint's and the account's), then counts it in
     * all of them at that same instant. Taking them one after the other would count the request in the first window
     * while it still waits for the second, and so send a first window's worth of requests later than counted, together
     * with the next window's: more than the limit in one of the remote system's windows. The first limiter is the
     * request's own (its endpoint's): its recent answers tell when a late request arrived ({@link Ticket#answered()}).
     */
    public static Ticket acquireAll(RequestRateLimiter... limiters) throws InterruptedException {
        long waited = 0;
        while (true) {
            long wait = 0;
            synchronized (RequestRateLimiter.class) {
                long now = System.nanoTime();
                for (RequestRateLimiter limiter : limiters) {
                    wait = Math.max(wait, limiter.waitAt(now));
                }
                if (wait == 0) {
                    Sent[] places = new Sent[limiters.length];
                    for (int i = 0; i < limiters.length; i++) {
                        places[i] = limiters[i].countAt(now);
                    }
                    return new Ticket(limiters, places, now, waited);
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
        long soonest = Long.MAX_VALUE;
        for (Iterator<Sent> i = sent.iterator(); i.hasNext(); ) {
            long age = now - i.next().at;
            if (age >= windowNanos) {
                i.remove();
            } else {
                soonest = Math.min(soonest, windowNanos - age);
            }
        }
        return sent.size() < limit ? 0 : soonest;
    }

    private Sent countAt(long now) {
        if (limit <= 0) {
            return null;
        }
        Sent place = new Sent(now);
        sent.add(place);
        return place;
    }

    /** The fastest of the recent answers; before any, none is known to be fast (a request counts as it is answered). */
    private long fastestAnswer() {
        if (answered == 0) {
            return 0;
        }
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < Math.min(answered, ANSWERS); i++) {
            fastest = Math.min(fastest, answers[i]);
        }
        return fastest;
    }
}
