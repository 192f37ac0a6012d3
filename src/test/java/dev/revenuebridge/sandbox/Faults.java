package dev.revenuebridge.sandbox;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault switch every sandbox carries: added latency, a status code answered instead of the real response
 * (for the next N requests, or for every request while it is on), and dropped connections.
 * Switched over HTTP at {@code POST /_sandbox/faults} or directly from tests.
 */
public final class Faults {

    private volatile long latencyMillis;
    private volatile int status;                 // 0 = no injected status
    private final AtomicInteger failNext = new AtomicInteger();   // remaining requests to fail with `status`
    private volatile boolean failAlways;         // every request fails with `status` (an outage)
    private final AtomicInteger dropNext = new AtomicInteger();   // remaining requests whose connection is dropped
    private final AtomicInteger injected = new AtomicInteger();

    /** What to do with the request at hand. */
    public enum Action { PASS, FAIL, DROP }

    public Action next() {
        if (dropNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            injected.incrementAndGet();
            return Action.DROP;
        }
        if (status != 0 && (failAlways || failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0)) {
            injected.incrementAndGet();
            return Action.FAIL;
        }
        return Action.PASS;
    }

    public long latencyMillis() { return latencyMillis; }
    public int status() { return status; }
    public int injectedCount() { return injected.get(); }

    public Faults latency(long millis) { this.latencyMillis = millis; return this; }
    public Faults failNext(int count, int status) { this.status = status; this.failNext.set(count); return this; }
    public Faults outage(int status) { this.status = status; this.failAlways = true; return this; }
    public Faults dropNext(int count) { this.dropNext.set(count); return this; }

    public Faults clear() {
        latencyMillis = 0;
        status = 0;
        failAlways = false;
        failNext.set(0);
        dropNext.set(0);
        return this;
    }

    /** Applies a JSON body such as {"latencyMs":200,"status":503,"failNext":3,"outage":false,"dropNext":1}. */
    public void apply(Map<String, Object> body) {
        clear();
        if (body.get("latencyMs") instanceof Number n) latency(n.longValue());
        int code = body.get("status") instanceof Number n ? n.intValue() : 0;
        if (Boolean.TRUE.equals(body.get("outage")) && code != 0) outage(code);
        if (body.get("failNext") instanceof Number n && code != 0) failNext(n.intValue(), code);
        if (body.get("dropNext") instanceof Number n) dropNext(n.intValue());
    }

    public Map<String, Object> describe() {
        return Map.of("latencyMs", latencyMillis, "status", status, "failNext", failNext.get(),
                "outage", failAlways, "dropNext", dropNext.get(), "injected", injected.get());
    }
}
