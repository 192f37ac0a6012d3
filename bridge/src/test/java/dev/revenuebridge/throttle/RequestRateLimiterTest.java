package dev.revenuebridge.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestRateLimiterTest {

    static final Duration WINDOW = Duration.ofMillis(300);

    @Test
    void aRequestIsCountedInItsEndpointsWindowOnlyWhenTheAccountsWindowAlsoHasRoom() throws InterruptedException {
        RequestRateLimiter endpoint = new RequestRateLimiter(1, WINDOW, Duration.ZERO);
        RequestRateLimiter account = new RequestRateLimiter(1, WINDOW, Duration.ZERO);
        account.acquire();   // another endpoint's request fills the account's window

        long first = RequestRateLimiter.acquireAll(endpoint, account);
        long second = endpoint.acquire();

        assertThat(first).as("waited for the account's window").isPositive();
        // counted in the endpoint's window when it was sent (after the wait), not when it began to wait: the next
        // request to the endpoint waits a whole window from then
        assertThat(second).isGreaterThanOrEqualTo(WINDOW.toNanos() / 2);
    }

    @Test
    void requestsUnderTheLimitDoNotWaitAndNoLimitNeverWaits() throws InterruptedException {
        RequestRateLimiter limited = new RequestRateLimiter(3, WINDOW, Duration.ZERO);
        RequestRateLimiter unlimited = new RequestRateLimiter(0, WINDOW, Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            assertThat(RequestRateLimiter.acquireAll(limited, unlimited)).isZero();
        }
        assertThat(limited.acquire()).as("the fourth in the window waits").isPositive();
        for (int i = 0; i < 100; i++) {
            assertThat(unlimited.acquire()).isZero();
        }
    }
}
