package dev.revenuebridge.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault switch every sandbox carries: added latency, a status code answered instead of the real response
 * (for the next N requests, or for every request while it is on), dropped connections, and chaos: each request, with
 * a given probability, answered with one of a set of statuses, dropped, or held past the client's timeout and then
 * processed anyway (so that the client never learns the outcome of a request that did happen).
 * Switched over HTTP at {@code POST /_sandbox/faults} or directly from tests.
 */
public final class Faults {

    private volatile long latencyMillis;
    private volatile int status;                 // 0 = no injected status
    private final AtomicInteger failNext = new AtomicInteger();   // remaining requests to fail with `status`
    private volatile boolean failAlways;         // every request fails with `status` (an outage)
    private final AtomicInteger dropNext = new AtomicInteger();   // remaining requests whose connection is dropped
    private final AtomicInteger injected = new AtomicInteger();

    private volatile Chaos chaos;                // null = no chaos
    private final Map<String, AtomicInteger> chaosCounts = new java.util.concurrent.ConcurrentHashMap<>();

    /** What to do with the request at hand. */
    public enum Action { PASS, FAIL, DROP, SLOW }

    /** The decision for one request: the action, and the status to answer for FAIL. */
    public record Fault(Action action, int status) {
        static final Fault PASS = new Fault(Action.PASS, 0);
    }

    /**
     * Random faults: each request, with {@code probability}, gets one of {@code statuses}, a dropped connection, or a
     * delay of {@code slowMillis} (after which it is processed), chosen with equal weight. Seeded, so a run repeats.
     */
    public record Chaos(double probability, List<Integer> statuses, long slowMillis, Random random) {
        public Chaos(double probability, List<Integer> statuses, long slowMillis, long seed) {
            this(probability, List.copyOf(statuses), slowMillis, new Random(seed));
        }
    }

    public Fault next() {
        if (dropNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            injected.incrementAndGet();
            return new Fault(Action.DROP, 0);
        }
        if (status != 0 && (failAlways || failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0)) {
            injected.incrementAndGet();
            return new Fault(Action.FAIL, status);
        }
        Chaos c = chaos;
        if (c != null) {
            Fault fault;
            synchronized (c) {
                if (c.random().nextDouble() >= c.probability()) {
                    return Fault.PASS;
                }
                int pick = c.random().nextInt(c.statuses().size() + 2);
                fault = pick < c.statuses().size() ? new Fault(Action.FAIL, c.statuses().get(pick))
                        : pick == c.statuses().size() ? new Fault(Action.DROP, 0) : new Fault(Action.SLOW, 0);
            }
            injected.incrementAndGet();
            chaosCounts.computeIfAbsent(fault.action() == Action.FAIL ? String.valueOf(fault.status())
                    : fault.action().name().toLowerCase(java.util.Locale.ROOT), k -> new AtomicInteger()).incrementAndGet();
            return fault;
        }
        return Fault.PASS;
    }

    public long slowMillis() {
        Chaos c = chaos;
        return c == null ? 0 : c.slowMillis();
    }

    /** Chaos faults injected so far, by kind ("503", "drop", "slow", ...). */
    public Map<String, Integer> chaosCounts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        chaosCounts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public Faults chaos(Chaos chaos) { this.chaos = chaos; return this; }

    public long latencyMillis() { return latencyMillis; }
    public int status() { return status; }
    public int injectedCount() { return injected.get(); }

    public Faults latency(long millis) { this.latencyMillis = millis; return this; }
    public Faults failNext(int count, int status) { this.status = status; this.failNext.set(count); return this; }
    public Faults outage(int status) { this.status = status; this.failAlways = true; return this; }
    /** Ends an {@link #outage(int)}, leaving chaos and latency as they are. */
    public Faults endOutage() { this.failAlways = false; return this; }
    public Faults dropNext(int count) { this.dropNext.set(count); return this; }

    public Faults clear() {
        latencyMillis = 0;
        status = 0;
        failAlways = false;
        failNext.set(0);
        dropNext.set(0);
        chaos = null;
        return this;
    }

    /**
     * Applies a JSON body such as {"latencyMs":200,"status":503,"failNext":3,"outage":false,"dropNext":1}, or chaos:
     * {"chaos":{"probability":0.05,"statuses":[500,503,429],"slowMs":1500,"seed":42}}.
     */
    public void apply(Map<String, Object> body) {
        clear();
        if (body.get("latencyMs") instanceof Number n) latency(n.longValue());
        int code = body.get("status") instanceof Number n ? n.intValue() : 0;
        if (Boolean.TRUE.equals(body.get("outage")) && code != 0) outage(code);
        if (body.get("failNext") instanceof Number n && code != 0) failNext(n.intValue(), code);
        if (body.get("dropNext") instanceof Number n) dropNext(n.intValue());
        if (body.get("chaos") instanceof Map<?, ?> c) {
            double probability = c.get("probability") instanceof Number n ? n.doubleValue() : 0.05;
            List<Integer> statuses = c.get("statuses") instanceof List<?> l
                    ? l.stream().map(v -> ((Number) v).intValue()).toList() : List.of(500, 503, 429);
            long slow = c.get("slowMs") instanceof Number n ? n.longValue() : 35_000;
            long seed = c.get("seed") instanceof Number n ? n.longValue() : System.nanoTime();
            chaos(new Chaos(probability, statuses, slow, seed));
        }
    }

    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>(Map.of("latencyMs", latencyMillis, "status", status,
                "failNext", failNext.get(), "outage", failAlways, "dropNext", dropNext.get(), "injected", injected.get()));
        Chaos c = chaos;
        if (c != null) {
            out.put("chaos", Map.of("probability", c.probability(), "statuses", c.statuses(), "slowMs", c.slowMillis()));
        }
        out.put("chaosInjected", chaosCounts());
        return out;
    }
}
