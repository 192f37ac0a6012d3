package dev.revenuebridge.ingest;

import static dev.revenuebridge.support.BridgeTestSupport.seedDeal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The bridge away longer than Salesforce keeps change events (72 hours): its stored replay id is refused. It counts
 * that, opens a possible-gap exception naming the window, resumes from the earliest retained event (a deal closed since
 * syncs), and the sweep re-reads the deal that closed inside the gap, so nothing is lost and nothing is doubled.
 * Its own sandboxes: the org's clock moves 73 hours.
 */
class SalesforcePastRetentionTest {

    static BridgeInfrastructure infra;
    private ConfigurableApplicationContext bridge;

    @BeforeAll
    static void infrastructure() {
        infra = new BridgeInfrastructure(BridgeInfrastructure.Ports.ANY);
    }

    @AfterAll
    static void closeInfrastructure() {
        infra.close();
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void aReplayIdPastRetentionOpensAGapResumesFromTheEarliestEventAndTheSweepRecoversTheMissedDeal() {
        String name = "retention_" + ProcessHandle.current().pid();
        String jdbcUrl = infra.createDatabase(name);
        String before = "006Dn0000RetBefAAA";
        String missed = "006Dn0000RetGapAAA";
        String after = "006Dn0000RetAftAAA";
        bridge = start(name, jdbcUrl);
        infra.salesforce().loadDeal(seedDeal(before, "001Dn0000RetBefAAA"), true);
        infra.awaitSynced(before);
        bridge.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> infra.salesforce().subscriberCount() == 0);

        // closed while the bridge is away; then more than 72 hours pass, and Salesforce no longer keeps its event
        long missedEvent = infra.salesforce().loadDeal(seedDeal(missed, "001Dn0000RetGapAAA"), true);
        infra.salesforce().advance(Duration.ofHours(73));
        assertThat(infra.salesforce().earliestRetainedReplayId()).as("nothing retained").isEqualTo(0L);

        bridge = start(name, jdbcUrl);
        infra.salesforce().loadDeal(seedDeal(after, "001Dn0000RetAftAAA"), true);
        infra.awaitSynced(after);
        assertThat(infra.salesforce().earliestRetainedReplayId()).isGreaterThan(missedEvent);

        JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
        assertThat(bridge.getBean(MeterRegistry.class).counter("revenue.bridge.salesforce.replay.refused").count())
                .isEqualTo(1.0);
        List<Map<String, Object>> gaps = jdbc.queryForList(
                "SELECT reasons::text AS reasons, status FROM deal_exception WHERE kind = 'possible-event-gap'");
        assertThat(gaps).singleElement().satisfies(gap -> {
            assertThat(gap.get("status")).isEqualTo("open");
            assertThat((String) gap.get("reasons")).contains("refused the stored replay id").contains(" may be lost");
        });
        assertThat(bridge.getBean(CamelContext.class).getRouteController()
                .getRouteStatus("salesforce-opportunity-ingest-from-earliest").isStarted()).isTrue();
        assertThat(infra.salesforce().record("Opportunity", missed).get("Sync_Status__c")).isNull();

        bridge.getBean(ProducerTemplate.class).sendBody("direct:salesforce-sweep", null);
        infra.awaitSynced(missed);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM salesforce_event_gap WHERE recovered_at IS NOT NULL",
                Integer.class)).isEqualTo(1);
        for (String opportunity : List.of(before, missed, after)) {
            infra.assertOneOfEach(opportunity);
        }
    }

    private ConfigurableApplicationContext start(String name, String jdbcUrl) {
        return infra.startBridge(name, jdbcUrl, Map.of());
    }

}
