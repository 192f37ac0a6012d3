package dev.revenuebridge.metrics;

import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.springframework.stereotype.Component;

/**
 * Counts each call a route makes to a {@code salesforce:} endpoint (SOQL queries, sObject Collections) in
 * {@link ExternalCalls}: camel-salesforce's HTTP client is not the bridge's own, so the call is seen as a sent exchange.
 */
@Component
public class SalesforceCallsNotifier extends EventNotifierSupport {

    private final ExternalCalls calls;

    public SalesforceCallsNotifier(ExternalCalls calls) {
        this.calls = calls;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSentEvent sent
                && sent.getEndpoint().getEndpointUri().startsWith("salesforce:");
    }

    @Override
    public void notify(CamelEvent event) {
        CamelEvent.ExchangeSentEvent sent = (CamelEvent.ExchangeSentEvent) event;
        calls.record("salesforce", status(sent.getExchange()), Duration.ofMillis(sent.getTimeTaken()));
    }

    static String status(Exchange exchange) {
        Throwable failure = exchange.getException();
        if (failure == null) {
            return "2xx";
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SalesforceException e && e.getStatusCode() > 0) {
                return ExternalCalls.status(e.getStatusCode());
            }
        }
        return ExternalCalls.NO_ANSWER;
    }
}
