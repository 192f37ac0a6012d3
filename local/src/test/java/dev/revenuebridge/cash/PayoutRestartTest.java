package dev.revenuebridge.cash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.StripeCalls;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The bridge stopped while it is gathering a payout's balance transactions (the Stripe sandbox answers each page
 * slowly): the half-gathered aggregate is in PostgreSQL, no deposit was made; after the restart the payout event comes
 * again from Kafka, the pages are read again (adding nothing twice), and one deposit equal to the payout is made.
 */
class PayoutRestartTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    private ConfigurableApplicationContext bridge;

    @AfterEach
    void stop() {
        INFRA.stripe().faults().clear();
        INFRA.stripe().webhooks().clear();
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPayoutHalfGatheredWhenTheBridgeStopsIsFinishedAfterTheRestart() throws Exception {
        String name = "payout_restart_" + ProcessHandle.current().pid();
        String jdbcUrl = INFRA.createDatabase(name);
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, "postgres", "postgres"));
        INFRA.stripe().payOutLeftovers();   // the sandbox is shared: the payout holds only this test's money
        bridge = start(name, jdbcUrl);

        String customer = (String) StripeCalls.post("/v1/customers", "name=Restart+payout").get("id");
        INFRA.stripe().charges(customer, 600, 2_500, "usd");
        INFRA.stripe().faults().latency(1_000);   // each page of balance transactions takes a second
        Map<String, Object> payout = INFRA.stripe().payout(LocalDate.parse("2025-12-23"));
        String payoutId = (String) payout.get("id");

        // (every Stripe request takes a second now, the bridge's handling of the 600 charges' events too)
        await().atMost(Duration.ofSeconds(90)).until(() -> db.queryForObject(
                "SELECT count(*) FROM payout_aggregation WHERE id = ?", Integer.class, payoutId) == 1);
        bridge.close();
        bridge = null;
        assertThat(db.queryForObject("SELECT count(*) FROM payout_aggregation WHERE id = ?", Integer.class, payoutId))
                .as("the half-gathered payout outlives the stop").isEqualTo(1);
        assertThat(INFRA.erp().byExternalId("deposit", payoutId)).as("stopped before the payout was complete").isEmpty();

        INFRA.stripe().faults().clear();
        INFRA.stripe().webhooks().clear();
        bridge = start(name, jdbcUrl);
        await().atMost(Duration.ofSeconds(60)).until(() -> INFRA.erp().byExternalId("deposit", payoutId).isPresent());
        assertThat(INFRA.erp().records("deposit").stream().filter(d -> payoutId.equals(d.get("externalId")))).hasSize(1);
        Map<String, Object> deposit = INFRA.erp().byExternalId("deposit", payoutId).orElseThrow();
        assertThat(new BigDecimal(String.valueOf(deposit.get("total"))))
                .isEqualByComparingTo(BigDecimal.valueOf(((Number) payout.get("amount")).longValue(), 2));
        assertThat((String) deposit.get("memo")).contains("(600 balance transactions)");
        assertThat(db.queryForObject("SELECT count(*) FROM payout_aggregation", Integer.class)).isZero();
    }

    private ConfigurableApplicationContext start(String name, String jdbcUrl) {
        // a step per page: the 6 pages are 6 steps, and the stop comes between two
        ConfigurableApplicationContext context = INFRA.startBridge(name, jdbcUrl, Map.of("camel.main.shutdown-timeout", "1",
                "revenue.payouts.pages-per-step", "1"));
        StripeCalls.deliverWebhooksTo(BridgeInfrastructure.port(context), false, false);
        return context;
    }

}
