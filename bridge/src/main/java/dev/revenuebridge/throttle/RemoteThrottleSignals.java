package dev.revenuebridge.throttle;

import com.stripe.exception.RateLimitException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.springframework.stereotype.Component;

/**
 * Runs before each redelivery of a failed deal (onRedeliveryRef of the retry clause in deal-error-handling): when the
 * failure is a system's own "too many requests" signal, it is counted against that system. The wait itself is the
 * retry policy's exponential backoff.
 */
@Component("remoteThrottleSignals")
public class RemoteThrottleSignals implements Processor {

    private final ThrottleMetrics metrics;

    public RemoteThrottleSignals(ThrottleMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        String system = throttledSystem(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        if (system != null) {
            metrics.rejected(system);
        }
    }

    /** For onWhen: the failure at hand is a system's "too many requests" answer (to be retried, not dead-lettered). */
    public boolean isThrottleSignal(Exchange exchange) {
        Throwable failure = failure(exchange);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RateLimitException) {
                return true;
            }
        }
        return throttledSystem(failure) != null;
    }

    /**
     * For onWhen: the ERP refused the request itself (a 4xx other than 429: our request's fault), found anywhere in the
     * failure's causes (a split or multicast wraps it), so it is kept as a dead letter instead of retried.
     */
    public boolean isPermanentErpRejection(Exchange exchange) {
        Throwable failure = failure(exchange);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http) {
                return http.getStatusCode() >= 400 && http.getStatusCode() < 500 && http.getStatusCode() != 429;
            }
        }
        return false;
    }

    /**
     * For onWhen: Salesforce refused the request itself (a 4xx that is not its "too many requests" signal), found
     * anywhere in the failure's causes, so it is kept as a dead letter instead of retried.
     */
    public boolean isPermanentSalesforceRejection(Exchange exchange) {
        Throwable failure = failure(exchange);
        if (throttledSystem(failure) != null) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SalesforceException sf) {
                return sf.getStatusCode() >= 400 && sf.getStatusCode() < 500;
            }
        }
        return false;
    }

    /** The failure at hand: the exchange's exception, or the one an onException caught. */
    private static Throwable failure(Exchange exchange) {
        return exchange.getException() != null
                ? exchange.getException() : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** stripe, erp or salesforce when the failure is that system's throttle signal; null otherwise. */
    static String throttledSystem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http && http.getStatusCode() == 429) {
                return "erp";
            }
            if (t instanceof SalesforceException sf
                    && (sf.getStatusCode() == 429 || SalesforceApiBudget.isRequestLimitExceeded(sf))) {
                return "salesforce";
            }
            if (t instanceof RateLimitException) {
                // counted where it is received (ThrottledStripeHttpClient), with the SDK's own retries
                return null;
            }
        }
        return null;
    }
}
