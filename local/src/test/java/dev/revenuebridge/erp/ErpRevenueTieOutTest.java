package dev.revenuebridge.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Revenue from the ERP: NetSuite's Advanced Revenue Management plans the deal's revenue from the sales order (the
 * sandbox models ARM's straight-line and point-in-time plans from the items' fair values and rules, computed apart
 * from the bridge), and the bridge ties those plans out against its own ASC 606 schedule. The worked example ties out
 * (WorkedExampleTest); here NetSuite's fair value of the subscription is not the bridge's standalone selling price.
 */
class ErpRevenueTieOutTest extends BridgeTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    @SuppressWarnings("unchecked")
    void armPlansThatDifferFromTheBridgesScheduleAreAnExceptionNamingEveryDifference() {
        String opportunity = "006Dn0TieOutDifAAA";
        // NetSuite's fair value price list says 9,000 a month for the platform; the bridge's catalog says 10,000
        INFRA.erp().fairValue("502", "USD", new BigDecimal("9000.00"));
        try {
            INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0TieOutDifAAA"), true);
            awaitSyncStatus(opportunity, "Synced");
            await().atMost(Duration.ofSeconds(30)).until(() -> trace(opportunity).get("revenueTieOut") instanceof Map<?, ?> t
                    && "Differences".equals(t.get("status")));
        } finally {
            INFRA.erp().fairValue("502", "USD", new BigDecimal("10000.00"));
        }
        Map<String, Object> trace = trace(opportunity);
        assertThat(trace.get("status")).as("a difference is for finance: the deal stays synced").isEqualTo("Synced");
        // ARM allocates 120,000 by its fair values 20,000 : 90,000, so the implementation gets 21,818.18
        List<String> differences = (List<String>) ((Map<String, Object>) trace.get("revenueTieOut")).get("differences");
        assertThat(differences)
                .anySatisfy(d -> assertThat(d).contains("(IMPL-STD) 2026-02: the bridge recognizes 20000.00, ARM plans 21818.18"))
                .anySatisfy(d -> assertThat(d).contains("(PLAT-SUB) 2026-01: the bridge recognizes 10000.00, ARM plans 9818.18"))
                .anySatisfy(d -> assertThat(d).contains("(PLAT-SUB) in all: the bridge recognizes 100000.00, ARM plans 98181.82"));
        assertThat(differences).as("one per month of each line, and each line in all").hasSize(1 + 1 + 10 + 1);
        List<String> reasons = jdbc.queryForList("SELECT reasons::text FROM deal_exception WHERE opportunity_id = ? "
                + "AND kind = 'revenue-tie-out' AND status = 'open'", String.class, opportunity);
        assertThat(reasons).singleElement().asString().contains("does not tie out")
                .contains("ARM plans 21818.18");
    }

    @Test
    void anAccountWhoseArmHasNotPlannedTheOrderSaysSoInTheTrace() {
        String opportunity = "006Dn0TieOutNotAAA";
        INFRA.erp().armEnabled(false);
        try {
            INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0TieOutNotAAA"), true);
            awaitSyncStatus(opportunity, "Synced");
            await().atMost(Duration.ofSeconds(30)).until(() -> trace(opportunity).get("revenueTieOut") instanceof Map<?, ?> t
                    && "NotPlannedYet".equals(t.get("status")));
        } finally {
            INFRA.erp().armEnabled(true);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM deal_exception WHERE opportunity_id = ? AND status = 'open'",
                Integer.class, opportunity)).isZero();
    }
}
