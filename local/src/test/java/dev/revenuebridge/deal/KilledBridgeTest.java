package dev.revenuebridge.deal;

import static dev.revenuebridge.support.BridgeTestSupport.seedDeal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.RevenueBridgeApplication;
import dev.revenuebridge.support.BridgeInfrastructure;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge in a JVM of its own, killed with SIGKILL in the middle of a run of deals (no shutdown hook, no graceful
 * stop, Kafka offsets and in-flight calls cut off wherever they were), then started again on the same database and
 * Kafka topic: every deal ends Synced, and nothing exists twice in Stripe or the ERP.
 */
class KilledBridgeTest {

    private static final Logger LOG = LoggerFactory.getLogger(KilledBridgeTest.class);
    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    private static final int DEALS = 30;
    private Process bridge;

    @AfterEach
    void stop() throws InterruptedException {
        INFRA.erp().processingDelayMillis(0);
        if (bridge != null && bridge.isAlive()) {
            bridge.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBridgeKilledMidRunLosesNothingAndDuplicatesNothingAfterRestart() throws Exception {
        String name = "killed_" + ProcessHandle.current().pid();
        String jdbcUrl = INFRA.createDatabase(name);
        INFRA.erp().processingDelayMillis(150);   // deals take long enough to be cut off in the middle
        int subscribers = INFRA.salesforce().subscriberCount();
        bridge = start(name, jdbcUrl, "first");
        await().atMost(Duration.ofSeconds(90)).until(() -> INFRA.salesforce().subscriberCount() > subscribers);

        List<String> opportunities = new ArrayList<>();
        for (int i = 0; i < DEALS; i++) {
            String n = String.format("%02d", i);
            opportunities.add("006Dn0Kil" + n + "AAAAAAA");
            INFRA.salesforce().loadDeal(seedDeal(opportunities.get(i), "001Dn0Kil" + n + "AAAAAAA"), true);
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> syncedCount(opportunities) >= 5);
        int erpWritesBefore = INFRA.erp().writeLog().size();
        bridge.destroyForcibly();   // SIGKILL
        assertThat(bridge.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(bridge.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        long syncedAtKill = syncedCount(opportunities);
        LOG.info("Killed the bridge with {} of {} deals synced ({} ERP writes)", syncedAtKill, DEALS, erpWritesBefore);
        assertThat(syncedAtKill).as("killed in the middle of the run").isLessThan(DEALS);

        INFRA.erp().processingDelayMillis(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.salesforce().subscriberCount() == subscribers);
        bridge = start(name, jdbcUrl, "restarted");
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
                .until(() -> syncedCount(opportunities) == DEALS);

        Map<String, Long> customers = countBy("customers", "sf_account_id");
        Map<String, Long> subscriptions = countBy("subscriptions", "sf_opportunity_id");
        Map<String, Long> invoices = countBy("invoices", "sf_opportunity_id");
        for (String opportunity : opportunities) {
            String account = "001" + opportunity.substring(3);
            assertThat(customers.get(account)).as("Stripe customers of %s", account).isEqualTo(1);
            assertThat(subscriptions.get(opportunity)).as("subscriptions of %s", opportunity).isEqualTo(1);
            assertThat(invoices.get(opportunity)).as("one-time invoices of %s", opportunity).isEqualTo(1);
            assertThat(INFRA.erp().records("salesOrder").stream().filter(o -> opportunity.equals(o.get("externalId"))))
                    .as("ERP sales orders of %s", opportunity).hasSize(1);
            assertThat(INFRA.erp().records("customer").stream().filter(o -> account.equals(o.get("externalId"))))
                    .as("ERP customers of %s", account).hasSize(1);
        }
    }

    /** java -cp (the test classpath) RevenueBridgeApplication --(the bridge's settings), output to target/. */
    private static Process start(String name, String jdbcUrl, String label) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-Djavax.net.ssl.trustStore=" + System.getProperty("javax.net.ssl.trustStore"),
                "-Djavax.net.ssl.trustStorePassword=" + System.getProperty("javax.net.ssl.trustStorePassword"),
                "-Djavax.net.ssl.trustStoreType=" + System.getProperty("javax.net.ssl.trustStoreType"),
                "-cp", classpath, RevenueBridgeApplication.class.getName()));
        INFRA.bridgeProperties(name, jdbcUrl).forEach((k, v) -> command.add("--" + k + "=" + v));
        command.addAll(List.of("--server.port=0", "--revenue.kafka.deals-consumers=3",
                "--revenue.kafka.session-timeout-ms=6000",
                "--revenue.retry.initial-delay-ms=100", "--revenue.retry.max-delay-ms=1000"));
        File log = Path.of(System.getProperty("buildDirectory", "local/target"), "killed-bridge-" + label + ".log").toFile();
        return new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    private static long syncedCount(List<String> opportunities) {
        return opportunities.stream().filter(id -> {
            Map<String, Object> opp = INFRA.salesforce().record("Opportunity", id);
            return opp != null && "Synced".equals(opp.get("Sync_Status__c"));
        }).count();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> countBy(String kind, String metadataKey) {
        return INFRA.stripe().objects(kind).stream()
                .map(o -> ((Map<String, Object>) o.getOrDefault("metadata", Map.of())).get(metadataKey))
                .filter(v -> v != null)
                .collect(Collectors.groupingBy(String::valueOf, Collectors.counting()));
    }
}
