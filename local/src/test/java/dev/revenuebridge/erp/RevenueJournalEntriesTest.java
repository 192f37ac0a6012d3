package dev.revenuebridge.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * An ERP account without Advanced Revenue Management: the bridge posts the deal's ASC 606 schedule as one revenue
 * journal entry per month (deferred revenue to revenue, accounts from mappings/products.yaml), once per month and deal.
 */
@TestPropertySource(properties = "revenue.erp.revenue-recognition=journal-entries")
class RevenueJournalEntriesTest extends BridgeTestSupport {

    @Test
    @SuppressWarnings("unchecked")
    void theWorkedExamplesScheduleIsTenMonthlyRevenueJournalEntries() {
        String opportunity = "006Dn0RevJournAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0RevJournAAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        await().atMost(Duration.ofSeconds(30)).until(() -> trace(opportunity).get("revenueTieOut") instanceof Map<?, ?> t
                && "PostedAsJournalEntries".equals(t.get("status")));

        List<Map<String, Object>> entries = INFRA.erp().records("journalEntry").stream()
                .filter(j -> String.valueOf(j.get("externalId")).startsWith("rev-" + opportunity + "-")).toList();
        assertThat(entries).extracting(j -> j.get("externalId")).containsExactlyInAnyOrder(
                java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(m -> "rev-" + opportunity + "-2026-" + String.format("%02d", m))
                        .toArray());
        Map<String, Object> february = INFRA.erp().byExternalId("journalEntry", "rev-" + opportunity + "-2026-02").orElseThrow();
        assertThat(february.get("tranDate")).isEqualTo("2026-02-28");
        List<Map<String, Object>> lines = (List<Map<String, Object>>) ((Map<String, Object>) february.get("line")).get("items");
        // the implementation's 20,000 on delivery and the platform's February 10,000, out of deferred revenue
        assertThat(sum(lines, "2400", "debit")).isEqualByComparingTo("30000.00");
        assertThat(sum(lines, "4010", "credit")).isEqualByComparingTo("20000.00");
        assertThat(sum(lines, "4000", "credit")).isEqualByComparingTo("10000.00");
        BigDecimal recognized = entries.stream().flatMap(j -> ((List<Map<String, Object>>) ((Map<String, Object>) j.get("line"))
                .get("items")).stream()).filter(l -> l.get("credit") != null)
                .map(l -> new BigDecimal(String.valueOf(l.get("credit")))).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(recognized).as("the whole transaction price").isEqualByComparingTo("120000.00");
    }

    private static BigDecimal sum(List<Map<String, Object>> lines, String account, String side) {
        return lines.stream().filter(l -> l.get("account") instanceof Map<?, ?> a && account.equals(a.get("id")) && l.get(side) != null)
                .map(l -> new BigDecimal(String.valueOf(l.get(side)))).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
