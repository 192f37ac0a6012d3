package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.sandbox.Faults;
import dev.revenuebridge.support.BridgeTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * 120 deals while all three sandboxes inject random faults: 5xx, 429 (REQUEST_LIMIT_EXCEEDED for Salesforce), dropped
 * connections, and requests held past the client's timeout and then processed anyway. Every deal ends Synced or
 * dead-lettered; once the faults are off and the dead letters replayed, all are Synced, and nothing exists twice in
 * Stripe or the ERP.
 */
@TestPropertySource(properties = {
        "revenue.kafka.deals-consumers=4",
        "revenue.stripe.max-requests-per-second=100",
        "revenue.stripe.read-timeout-millis=1000",
        "revenue.salesforce.max-requests-per-second=100",
        "camel.component.salesforce.http-request-timeout=1000",
        "revenue.erp.response-timeout-ms=1000",
        "camel.component.http.response-timeout=1000",
        "revenue.retry.initial-delay-ms=50",
        "revenue.retry.max-delay-ms=400",
        "revenue.retry.max-redeliveries=1",
        // a create whose server error Stripe saved waits out Search's lag: the sandbox's Search has none
        "revenue.stripe.search-lag-seconds=5"})
class ChaosTest extends BridgeTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosTest.class);
    private static final int DEALS = 120;
    private static final long SLOW_MILLIS = 1_500;

    @Autowired
    JdbcTemplate jdbc;

    @AfterEach
    void restoreStripeRate() {
        INFRA.stripe().rateLimitPerSecond(25);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyDealEndsSyncedOrDeadLetteredAndAfterReplayAllAreSyncedWithNothingTwice() throws InterruptedException {
        INFRA.stripe().rateLimitPerSecond(100);   // live mode's rate, so that 120 deals take seconds, not minutes
        INFRA.salesforce().faults().chaos(new Faults.Chaos(0.08, List.of(500, 503, 403), SLOW_MILLIS, 11));
        INFRA.stripe().faults().chaos(new Faults.Chaos(0.05, List.of(500, 503, 429), SLOW_MILLIS, 12));
        INFRA.erp().faults().chaos(new Faults.Chaos(0.08, List.of(500, 503, 429), SLOW_MILLIS, 13));

        List<String> opportunities = new ArrayList<>();
        Set<String> accounts = new java.util.HashSet<>();
        for (int i = 0; i < DEALS; i++) {
            String n = String.format("%03d", i);
            String opportunity = "006Dn0Ch" + n + "AAAAAAA";
            String account = "001Dn0Ch" + n + "AAAAAAA";
            opportunities.add(opportunity);
            accounts.add(account);
            INFRA.salesforce().loadDeal(seedDeal(opportunity, account), true);
        }

        // chaos alone rarely outlasts a retry now that a deal makes few Salesforce calls and write-backs are retried
        // from their queue: an ERP outage while deals are in flight makes sure some do. It lasts until a deal has
        // outlasted its retry, not a number of answers or a fixed time: a deal's retry waits for an ERP place behind
        // every other deal's request (ErpPlaces is fair) and the HTTP client sends a 503 again after a second, so
        // 48 failed answers went to 48 deals' first tries and none to a retry
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> opportunities.stream().filter(this::synced).count() >= 20);
        INFRA.erp().faults().outage(503);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> !openDeadLetters().isEmpty());
        INFRA.erp().faults().endOutage();

        // every deal ends Synced on the Opportunity or kept as an open dead letter
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Set<String> deadLettered = openDeadLetters().keySet();
            return opportunities.stream().allMatch(id -> synced(id) || deadLettered.contains(id));
        });
        Map<String, Long> deadLetters = openDeadLetters();
        LOG.info("Chaos: {} of {} deals dead-lettered; faults injected: Salesforce {}, Stripe {}, ERP {}",
                deadLetters.size(), DEALS, INFRA.salesforce().faults().chaosCounts(),
                INFRA.stripe().faults().chaosCounts(), INFRA.erp().faults().chaosCounts());
        assertThat(deadLetters).as("with one retry, some deals outlast it: the replay path is exercised").isNotEmpty();
        for (var sandbox : List.of(INFRA.salesforce().faults(), INFRA.stripe().faults(), INFRA.erp().faults())) {
            assertThat(sandbox.chaosCounts()).as("chaos injected").containsKeys("drop", "slow");
        }

        INFRA.salesforce().faults().clear();
        INFRA.stripe().faults().clear();
        INFRA.erp().faults().clear();
        Thread.sleep(SLOW_MILLIS + 500);   // requests still held by a "slow" fault land before the replay
        for (Map<String, Object> letter : (List<Map<String, Object>>) http.getForObject("/api/dead-letters", List.class)) {
            assertThat(http.postForEntity("/api/dead-letters/" + letter.get("id") + "/replay", null, Map.class)
                    .getStatusCode().value()).isEqualTo(202);
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> opportunities.stream().allMatch(this::synced));
        assertThat(openDeadLetters()).isEmpty();

        // nothing twice in Stripe
        Map<String, Long> customers = countBy("customers", "sf_account_id");
        Map<String, Long> subscriptions = countBy("subscriptions", "sf_opportunity_id");
        Map<String, Long> invoices = countBy("invoices", "sf_opportunity_id");
        for (String account : accounts) {
            assertThat(customers.get(account)).as("Stripe customers of %s", account).isEqualTo(1);
        }
        for (String opportunity : opportunities) {
            assertThat(subscriptions.get(opportunity)).as("subscriptions of %s", opportunity).isEqualTo(1);
            assertThat(invoices.get(opportunity)).as("one-time invoices of %s", opportunity).isEqualTo(1);
        }
        INFRA.stripe().objects("invoices").stream()
                .filter(i -> opportunities.contains(metadata(i).get("sf_opportunity_id")))
                .forEach(i -> assertThat(((Number) i.get("amount_due")).longValue())
                        .as("invoice %s: no invoice item twice", i.get("id")).isEqualTo(2_000_000L));

        // nothing twice in the ERP: one customer per Account, one sales order with its two lines per Opportunity
        assertThat(countErp("customer", accounts)).allSatisfy((id, n) -> assertThat(n).as("ERP customers " + id).isEqualTo(1))
                .hasSize(accounts.size());
        assertThat(countErp("salesOrder", Set.copyOf(opportunities)))
                .allSatisfy((id, n) -> assertThat(n).as("ERP sales orders " + id).isEqualTo(1)).hasSize(DEALS);
        for (String opportunity : opportunities) {
            Map<String, Object> order = INFRA.erp().byExternalId("salesOrder", opportunity).orElseThrow();
            List<Map<String, Object>> lines = (List<Map<String, Object>>) ((Map<String, Object>) order.get("item")).get("items");
            assertThat(lines).as("lines of %s", opportunity).hasSize(2);
            assertThat(lines.stream().map(l -> new BigDecimal(String.valueOf(l.get("amount")))).reduce(BigDecimal.ZERO, BigDecimal::add))
                    .isEqualByComparingTo("120000.00");
        }
    }

    private boolean synced(String opportunityId) {
        Map<String, Object> opp = INFRA.salesforce().record("Opportunity", opportunityId);
        return opp != null && "Synced".equals(opp.get("Sync_Status__c"));
    }

    private Map<String, Long> openDeadLetters() {
        return jdbc.queryForList("SELECT opportunity_id FROM dead_letter WHERE status = 'open' AND opportunity_id IS NOT NULL",
                String.class).stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static Map<String, Long> countBy(String kind, String metadataKey) {
        return INFRA.stripe().objects(kind).stream().map(o -> metadata(o).get(metadataKey)).filter(v -> v != null)
                .collect(Collectors.groupingBy(String::valueOf, Collectors.counting()));
    }

    private static Map<String, Long> countErp(String type, Set<String> externalIds) {
        return INFRA.erp().records(type).stream().map(r -> String.valueOf(r.get("externalId")))
                .filter(externalIds::contains)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> o) {
        return o.get("metadata") == null ? Map.of() : (Map<String, Object>) o.get("metadata");
    }
}
