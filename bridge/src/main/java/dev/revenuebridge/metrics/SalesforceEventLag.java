package dev.revenuebridge.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.Body;
import org.springframework.stereotype.Component;

/**
 * How far behind Salesforce the bridge is: {@code revenue_bridge_salesforce_event_lag_seconds}, the time between the
 * commit of the last change event processed and its processing (on the replica that holds the subscription; NaN before
 * the first event). A subscription that stopped is seen in {@code revenue_bridge_salesforce_replay_position_age_seconds}.
 */
@Component("salesforceEventLag")
public class SalesforceEventLag {

    private final Clock clock;
    private volatile double lagSeconds = Double.NaN;

    public SalesforceEventLag(MeterRegistry registry) {
        // elapsed time against Salesforce's commit times: real time, not the bridge's business clock (revenue.clock.*)
        this.clock = Clock.systemUTC();
        Gauge.builder("revenue.bridge.salesforce.event.lag", this, l -> l.lagSeconds).baseUnit("seconds")
                .description("from the commit of the last Salesforce change event processed to its processing")
                .register(registry);
    }

    /** A change event was processed (its ChangeEventHeader carries the commit time, epoch milliseconds). */
    public void processed(@Body Map<String, Object> changeEvent) {
        if (changeEvent != null && changeEvent.get("ChangeEventHeader") instanceof Map<?, ?> header
                && header.get("commitTimestamp") instanceof Number committed) {
            lagSeconds = Math.max(0, clock.millis() - committed.longValue()) / 1000.0;
        }
    }
}
