package dev.revenuebridge.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.junit.jupiter.api.Test;

class SalesforceApiBudgetTest {

    private Instant now = Instant.parse("2025-12-19T17:05:00Z");
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    @Test
    void callsPastTheDailyBudgetAreRefusedUntilTheRolling24HoursFreeThemUp() throws Exception {
        ThrottleMetrics metrics = new ThrottleMetrics(new SimpleMeterRegistry());
        SalesforceApiBudget budget = new SalesforceApiBudget(0, 3, metrics, clock);
        budget.acquire();
        now = now.plus(Duration.ofHours(2));
        budget.acquire();
        budget.acquire();
        assertThatThrownBy(budget::acquire).isInstanceOf(SalesforceApiBudget.ApiBudgetExhaustedException.class)
                .hasMessageContaining("budget of 3 requests in the last 24 hours");
        assertThat(metrics.delayedCount("salesforce")).isEqualTo(1);

        now = now.plus(Duration.ofHours(23));   // the first call's hour has left the 24 h window
        budget.acquire();
        assertThat(budget.usedInLast24Hours()).isEqualTo(3);
        assertThatThrownBy(budget::acquire).isInstanceOf(SalesforceApiBudget.ApiBudgetExhaustedException.class);
    }

    @Test
    void requestLimitExceededIsSalesforcesThrottleSignalAndOtherForbiddenAnswersAreNot() {
        SalesforceException limit = new SalesforceException(
                List.of(new RestError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")), 403);
        SalesforceException access = new SalesforceException(
                List.of(new RestError("INSUFFICIENT_ACCESS", "insufficient access rights on object id")), 403);
        assertThat(RemoteThrottleSignals.throttledSystem(limit)).isEqualTo("salesforce");
        assertThat(RemoteThrottleSignals.throttledSystem(access)).isNull();
        assertThat(RemoteThrottleSignals.throttledSystem(new RuntimeException("wrapped", limit))).isEqualTo("salesforce");
    }
}
