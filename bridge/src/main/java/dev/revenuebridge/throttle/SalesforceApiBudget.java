package dev.revenuebridge.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The bridge's share of the org's Salesforce API allocation. Every REST call of the routes passes {@link #acquire()}
 * first (a bean step in front of each {@code salesforce:} endpoint), which
 * <ul>
 *   <li>paces calls to at most {@code revenue.salesforce.max-requests-per-second};</li>
 *   <li>keeps the calls of the last 24 hours (Salesforce counts a rolling 24 h) within
 *       {@code revenue.salesforce.daily-api-budget}: past it, the call is refused with
 *       {@link ApiBudgetExhaustedException}, a technical failure that is retried with backoff and then dead-lettered,
 *       so that the integration never eats the API requests the org's users and other integrations need.</li>
 * </ul>
 * Salesforce's own signal, {@code REQUEST_LIMIT_EXCEEDED} (HTTP 403), is retried with the same backoff and counted.
 */
@Component("salesforceApiBudget")
public class SalesforceApiBudget {

    /** Past the bridge's share of the daily API allocation. */
    public static class ApiBudgetExhaustedException extends RuntimeException {
        public ApiBudgetExhaustedException(String message) {
            super(message);
        }
    }

    private static final String SYSTEM = "salesforce";
    private final RequestRateLimiter pace;
    private final long dailyBudget;
    private final ThrottleMetrics metrics;
    private final Clock clock;
    private final TreeMap<Instant, Long> callsPerHour = new TreeMap<>();

    public SalesforceApiBudget(@Value("${revenue.salesforce.max-requests-per-second:20}") int maxRequestsPerSecond,
                               @Value("${revenue.salesforce.daily-api-budget:0}") long dailyBudget,
                               ThrottleMetrics metrics, Clock clock) {
        this.pace = new RequestRateLimiter(maxRequestsPerSecond, Duration.ofSeconds(1), Duration.ofMillis(50));
        this.dailyBudget = dailyBudget;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Called before each Salesforce REST call: waits for the pace, refuses past the daily budget. */
    public void acquire() throws InterruptedException {
        if (dailyBudget > 0) {
            long used = reserve();
            if (used < 0) {
                metrics.delayed(SYSTEM);
                throw new ApiBudgetExhaustedException("the bridge has used its Salesforce API budget of " + dailyBudget
                        + " requests in the last 24 hours (revenue.salesforce.daily-api-budget); the call waits for the"
                        + " budget to free up");
            }
        }
        if (pace.acquire() > 0) {
            metrics.delayed(SYSTEM);
        }
    }

    /** Calls counted in the last 24 hours. */
    public synchronized long usedInLast24Hours() {
        Instant now = clock.instant();
        callsPerHour.headMap(now.minus(Duration.ofHours(24)).truncatedTo(ChronoUnit.HOURS), false).clear();
        return callsPerHour.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Counts one call and returns the calls so far, or -1 when the budget is spent (the call is not counted). */
    private synchronized long reserve() {
        long used = usedInLast24Hours();
        if (used >= dailyBudget) {
            return -1;
        }
        callsPerHour.merge(clock.instant().truncatedTo(ChronoUnit.HOURS), 1L, Long::sum);
        return used + 1;
    }

    public Map<String, Object> describe() {
        return Map.of("dailyBudget", dailyBudget, "usedInLast24Hours", usedInLast24Hours(),
                "maxRequestsPerSecond", pace.limit());
    }

    /** Salesforce's "too many API requests" answer: 403 with errorCode REQUEST_LIMIT_EXCEEDED. */
    public static boolean isRequestLimitExceeded(SalesforceException e) {
        if (e.getErrors() == null) {
            return false;
        }
        for (RestError error : e.getErrors()) {
            if ("REQUEST_LIMIT_EXCEEDED".equals(error.getErrorCode())) {
                return true;
            }
        }
        return false;
    }
}
