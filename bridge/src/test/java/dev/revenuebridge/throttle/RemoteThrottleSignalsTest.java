package dev.revenuebridge.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * Which failures are a remote system refusing the request itself (kept as a dead letter, not retried): found through
 * the causes, because a split or multicast wraps the exception its step threw.
 */
class RemoteThrottleSignalsTest {

    private final RemoteThrottleSignals signals = new RemoteThrottleSignals(new ThrottleMetrics(new SimpleMeterRegistry()));

    @Test
    void anErpFourHundredIsPermanentEvenInsideASplitButItsConcurrencyLimitIsNot() {
        assertThat(signals.isPermanentErpRejection(failed(wrapped(http(400))))).isTrue();
        assertThat(signals.isPermanentErpRejection(failed(http(404)))).isTrue();
        assertThat(signals.isPermanentErpRejection(failed(wrapped(http(429))))).isFalse();
        assertThat(signals.isPermanentErpRejection(failed(wrapped(http(503))))).isFalse();
        assertThat(signals.isPermanentErpRejection(failed(new IllegalStateException("no HTTP answer")))).isFalse();
    }

    @Test
    void aSalesforceFourHundredIsPermanentEvenInsideASplit() {
        assertThat(signals.isPermanentSalesforceRejection(failed(wrapped(new SalesforceException("bad field", 400))))).isTrue();
        assertThat(signals.isPermanentSalesforceRejection(failed(new SalesforceException("server", 500)))).isFalse();
        assertThat(signals.isPermanentSalesforceRejection(failed(wrapped(new SalesforceException("too many", 429))))).isFalse();
    }

    private static HttpOperationFailedException http(int status) {
        return new HttpOperationFailedException("http://erp/record", status, "status " + status, null, Map.of(), "{}");
    }

    private static Exception wrapped(Exception cause) {
        return new CamelExchangeException("Multicast processing failed for number 0", null, cause);
    }

    private static Exchange failed(Exception failure) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        return exchange;
    }
}
