package dev.revenuebridge.deal;

import static dev.revenuebridge.support.BridgeTestSupport.seedDeal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The bridge stopped and started again, on the same database and Kafka topic: events that arrived while it was down
 * are processed from the stored replay position, and a deal interrupted half-way is finished without duplicates.
 */
class RestartRecoveryTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    private ConfigurableApplicationContext bridge;

    @AfterEach
    void stop() {
        INFRA.erp().processingDelayMillis(0);
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void eventsThatArrivedWhileTheBridgeWasDownAreProcessedAfterRestart() {
        String name = "restart_down_" + ProcessHandle.current().pid();
        String jdbcUrl = INFRA.createDatabase(name);
        bridge = start(name, jdbcUrl);
        INFRA.salesforce().loadDeal(seedDeal("006Dn0000RstDn1AAA", "001Dn0000RstDn1AAA"), true);
        INFRA.awaitSynced("006Dn0000RstDn1AAA");

        bridge.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> INFRA.salesforce().subscriberCount() == 0);
        INFRA.salesforce().loadDeal(seedDeal("006Dn0000RstDn2AAA", "001Dn0000RstDn2AAA"), true);
        INFRA.salesforce().loadDeal(seedDeal("006Dn0000RstDn3AAA", "001Dn0000RstDn3AAA"), true);

        bridge = start(name, jdbcUrl);
        INFRA.awaitSynced("006Dn0000RstDn2AAA");
        INFRA.awaitSynced("006Dn0000RstDn3AAA");
        for (String opportunity : List.of("006Dn0000RstDn1AAA", "006Dn0000RstDn2AAA", "006Dn0000RstDn3AAA")) {
            INFRA.assertOneOfEach(opportunity);
        }
    }

    @Test
    void aDealInterruptedByAStopIsFinishedAfterRestartWithoutDuplicates() {
        String name = "restart_mid_" + ProcessHandle.current().pid();
        String jdbcUrl = INFRA.createDatabase(name);
        String opportunity = "006Dn0000RstMidAAA";
        bridge = start(name, jdbcUrl);
        INFRA.erp().processingDelayMillis(5_000);
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0000RstMidAAA"), true);
        // Stripe is done and the ERP is answering slowly: stop the bridge in the middle of the deal
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.stripeObjectsOf("invoices", opportunity) == 1);
        bridge.close();
        bridge = null;
        assertThat(INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Status__c")).isNull();

        INFRA.erp().processingDelayMillis(0);
        bridge = start(name, jdbcUrl);
        INFRA.awaitSynced(opportunity);
        INFRA.assertOneOfEach(opportunity);
    }

    private ConfigurableApplicationContext start(String name, String jdbcUrl) {
        return INFRA.startBridge(name, jdbcUrl, Map.of());
    }

}
