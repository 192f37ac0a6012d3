package dev.revenuebridge.throttle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * Throttling, counted per external system ({@code stripe}, {@code erp}, {@code salesforce}):
 * <ul>
 *   <li>{@code revenue.bridge.throttle.delayed}: requests the bridge's own limiter held back to stay under the system's
 *       limit (expected under load, harmless);</li>
 *   <li>{@code revenue.bridge.throttle.rejected}: answers in which the system itself said "too many" (Stripe and ERP 429,
 *       Salesforce REQUEST_LIMIT_EXCEEDED); each is retried with backoff. Above zero, the configured limits are
 *       higher than the account's.</li>
 * </ul>
 * Both are on /actuator/prometheus as {@code revenue_bridge_throttle_delayed_total} and {@code revenue_bridge_throttle_rejected_total}.
 */
@Component("throttleMetrics")
public class ThrottleMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    public ThrottleMetrics(MeterRegistry registry) {
        this.registry = registry;
        // every system's series exists from the start (at 0), for the alerts and the dashboard
        for (String system : java.util.List.of("stripe", "erp", "salesforce")) {
            delayedCount(system);
            rejectedCount(system);
        }
    }

    public void delayed(String system) {
        counter("revenue.bridge.throttle.delayed", system, "requests held back by the bridge's own limiter").increment();
    }

    public void rejected(String system) {
        counter("revenue.bridge.throttle.rejected", system, "requests the system refused as over its limit").increment();
    }

    public double delayedCount(String system) {
        return counter("revenue.bridge.throttle.delayed", system, "requests held back by the bridge's own limiter").count();
    }

    public double rejectedCount(String system) {
        return counter("revenue.bridge.throttle.rejected", system, "requests the system refused as over its limit").count();
    }

    private Counter counter(String name, String system, String description) {
        return counters.computeIfAbsent(name + "|" + system, k -> Counter.builder(name).tag("system", system)
                .description(description).register(registry));
    }
}
