package dev.revenuebridge.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * Calls to the external systems, by system ({@code stripe}, {@code erp}, {@code salesforce}) and status: {@code 2xx},
 * {@code 3xx}, {@code 4xx}, {@code 429} (over the system's limit), {@code 5xx}, or {@code error} (no answer: a timeout,
 * a refused connection). On /actuator/prometheus as {@code revenue_bridge_external_calls_seconds} (count, sum, max).
 * Every attempt counts, retries included.
 */
@Component("externalCalls")
public class ExternalCalls {

    public static final String NO_ANSWER = "error";

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    public ExternalCalls(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The status class of an HTTP status code (429 on its own: it means the bridge went over a limit). */
    public static String status(int code) {
        if (code == 429) {
            return "429";
        }
        return code >= 100 && code < 600 ? (code / 100) + "xx" : NO_ANSWER;
    }

    public void record(String system, String status, Duration took) {
        timers.computeIfAbsent(system + "|" + status, k -> Timer.builder("revenue.bridge.external.calls")
                .description("calls to Stripe, the ERP and Salesforce, by system and status")
                .tag("system", system).tag("status", status).register(registry)).record(took);
    }

}
