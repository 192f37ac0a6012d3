package dev.revenuebridge.ingest;

import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The Pub/Sub consumer takes its starting point only from its endpoint URI, so the stored position must be known
 * when the ingest route is made. This sets {@code revenue.ingest.replay-preset} and {@code revenue.ingest.replay-id}
 * (used by routes/salesforce-ingest.camel.yaml) from PostgreSQL before Camel starts and again when this replica becomes
 * the leader (the route is then made again): CUSTOM from the stored replay id when there is one, else the configured
 * initial preset (LATEST by default).
 */
@Component
public class ReplayPositionProperties implements CamelContextConfiguration, dev.revenuebridge.cluster.LeaderRouteStart {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayPositionProperties.class);

    private final ReplayPositions positions;
    private final String channel;
    private final String initialPreset;

    public ReplayPositionProperties(ReplayPositions positions,
                                    @Value("${revenue.ingest.channel}") String channel,
                                    @Value("${revenue.ingest.initial-replay-preset:LATEST}") String initialPreset) {
        this.positions = positions;
        this.channel = channel;
        this.initialPreset = initialPreset;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        applyStoredPosition(camelContext);
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do once started
    }

    /**
     * The subscription starts when this replica becomes leader, perhaps long after it started while another replica
     * moved the stored position on: the route is made again (LeaderOnlyRoutePolicy) from the position stored now.
     */
    @Override
    public void beforeStart(org.apache.camel.Route route) {
        if (ReplayRecovery.SUBSCRIPTION.equals(route.getRouteId())) {
            applyStoredPosition(route.getCamelContext());
        }
    }

    private void applyStoredPosition(CamelContext camelContext) {
        Properties overrides = new Properties();
        positions.load(channel).ifPresentOrElse(replayId -> {
            overrides.setProperty("revenue.ingest.replay-preset", "CUSTOM");
            overrides.setProperty("revenue.ingest.replay-id", replayId);
            LOG.info("Salesforce {}: resuming after stored replay id {}", channel, replayId);
        }, () -> {
            overrides.setProperty("revenue.ingest.replay-preset", initialPreset);
            overrides.setProperty("revenue.ingest.replay-id", "");
            LOG.info("Salesforce {}: no stored replay position, starting from {}", channel, initialPreset);
        });
        camelContext.getPropertiesComponent().setOverrideProperties(overrides);
    }
}
