package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.throttle.ThrottleMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * With the Stripe sandbox enforcing test mode's 25 requests/s and the ERP sandbox a concurrency limit of 2, deals synced
 * four at a time cause no 429 at all: the bridge's own limiters (the Stripe rate limiter and the shared ERP connection pool)
 * keep it under both limits. The limiters must have had work to do, or the test proves nothing: the bridge held Stripe
 * requests back and the ERP saw its limit reached. Nor do they all ask Stripe about the same catalog products.
 */
@TestPropertySource(properties = {
        "revenue.kafka.deals-consumers=4",
        "revenue.erp.max-concurrent-requests=2"})
class ClientLimitsTest extends BridgeTestSupport {

    private static final int DEALS = 16;

    @Autowired
    ThrottleMetrics throttles;

    @AfterEach
    void restoreSandboxes() {
        INFRA.erp().concurrencyLimit(5).processingDelayMillis(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void dealsSyncedInParallelCauseNoThrottlingAnswers() {
        // the high-water mark is this test's own: another test class in this JVM may have run more requests at once
        INFRA.erp().concurrencyLimit(2).processingDelayMillis(40).resetMaxConcurrentSeen();
        int stripeRateLimitedBefore = INFRA.stripe().rateLimitedCount();
        int erpThrottledBefore = INFRA.erp().throttledCount();
        java.util.Set<String> earlierRequests = new java.util.HashSet<>();
        INFRA.stripe().requests().forEach(r -> earlierRequests.add(r.requestId()));

        List<String> opportunities = new ArrayList<>();
        for (int i = 0; i < DEALS; i++) {
            String suffix = String.format("%02d", i);
            String opportunity = "006Dn00Lmt" + suffix + "AAAAAA";
            opportunities.add(opportunity);
            INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn00Lmt" + suffix + "AAAAAA"), true);
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                opportunities.stream().allMatch(id -> {
                    Map<String, Object> opp = INFRA.salesforce().record("Opportunity", id);
                    return opp != null && "Synced".equals(opp.get("Sync_Status__c"));
                }));

        assertThat(INFRA.stripe().rateLimitedCount() - stripeRateLimitedBefore).as("Stripe 429s: %s", INFRA.stripe().requests()
                .stream().filter(r -> !earlierRequests.contains(r.requestId()) && r.status() == 429)
                .map(r -> r.method() + " " + r.path()).toList()).isZero();
        assertThat(INFRA.erp().throttledCount() - erpThrottledBefore).as("ERP 429s").isZero();
        assertThat(throttles.rejectedCount("stripe") + throttles.rejectedCount("erp")).isZero();
        assertThat(INFRA.erp().maxConcurrentSeen()).as("ERP requests in flight at once").isEqualTo(2);
        assertThat(throttles.delayedCount("stripe")).as("Stripe requests the bridge held back").isPositive();
        // this bridge is new, so it knows no catalog product yet: one deal asks Stripe about each (and creates it when
        // missing) while the other deals wait for the answer, rather than sixteen asking at once
        var productRequests = INFRA.stripe().requests().stream()
                .filter(r -> !earlierRequests.contains(r.requestId()) && r.path().startsWith("/v1/products")).toList();
        assertThat(productRequests).as("look-ups of the worked example's two catalog products").filteredOn(r -> r.method().equals("GET"))
                .hasSize(2);
        assertThat(productRequests).as("at most one create of each").filteredOn(r -> r.method().equals("POST"))
                .hasSizeLessThanOrEqualTo(2);
        Map<String, Object> metric = http.getForObject("/actuator/metrics/revenue.bridge.throttle.delayed?tag=system:stripe", Map.class);
        assertThat(metric).as("the counter ops read").containsEntry("name", "revenue.bridge.throttle.delayed");
    }
}
