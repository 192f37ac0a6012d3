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

        long first = RequestRateLimiter.acquireAll(endpoint, account).waited();
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
            assertThat(RequestRateLimiter.acquireAll(limited, unlimited).waited()).isZero();
        }
        assertThat(limited.acquire()).as("the fourth in the window waits").isPositive();
        for (int i = 0; i < 100; i++) {
            assertThat(unlimited.acquire()).isZero();
        }
    }

    @Test
    void aRequestThatReachedTheRemoteSystemLateIsCountedWhenItCanHaveArrived() throws InterruptedException {
        RequestRateLimiter endpoint = new RequestRateLimiter(1, WINDOW, Duration.ZERO);
        // the endpoint answers in 20 ms when nothing holds a request up
        RequestRateLimiter.Ticket quick = RequestRateLimiter.acquireAll(endpoint);
        Thread.sleep(20);
        quick.answered();
        Thread.sleep(WINDOW.toMillis());

        // this one was let go at once but its answer took 220 ms: it reached the remote system about 200 ms late
        RequestRateLimiter.Ticket late = RequestRateLimiter.acquireAll(endpoint);
        assertThat(late.waited()).isZero();
        Thread.sleep(220);
        late.answered();

        // the next request waits until a window after the late one's arrival, not after it was let go (80 ms from now)
        long next = endpoint.acquire();
        assertThat(next).as("waited for the late request's window").isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    }

    @Test
    void untilTheEndpointHasAnsweredARequestCountsAsItsAnswerCame() throws InterruptedException {
        RequestRateLimiter endpoint = new RequestRateLimiter(1, WINDOW, Duration.ZERO);
        RequestRateLimiter.Ticket first = RequestRateLimiter.acquireAll(endpoint);
        Thread.sleep(150);
        first.answered();   // no faster answer known: it may have arrived just now

        assertThat(endpoint.acquire()).isGreaterThanOrEqualTo(Duration.ofMillis(250).toNanos());
    }
}
