package dev.revenuebridge.cash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * A payout whose listed balance transactions do not add up to it (one of them cannot be seen) makes no deposit: after
 * the reconciliation timeout it is an "unreconciled payout" exception naming the variance and the unmatched items.
 */
@TestPropertySource(properties = "revenue.payouts.reconcile-timeout-ms=3000")
class UnreconciledPayoutTest extends BridgeTestSupport {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    @SuppressWarnings("unchecked")
    void aPayoutThatDoesNotAddUpBecomesAnExceptionWithItsVariance() {
        INFRA.stripe().payOutLeftovers();   // the sandbox is shared: the payout holds only this test's money
        StripeCalls.deliverWebhooksTo(port, false, false);
        String customer = "cus_unreconciled";
        List<String> charges = INFRA.stripe().charges(customer, 3, 10_000, "usd");   // 3 x 100.00 by card (fee 3.20)
        String missing = (String) INFRA.stripe().object("charges", charges.get(2)).orElseThrow().get("balance_transaction");
        INFRA.stripe().hideFromListings(missing);
        Map<String, Object> payout = INFRA.stripe().payout(LocalDate.parse("2025-12-23"));
        String payoutId = (String) payout.get("id");

        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM deal_exception WHERE subject = ? AND kind = 'unreconciled-payout' AND status = 'open'",
                Integer.class, payoutId) == 1);
        String reasons = jdbc.queryForObject("SELECT reasons::text FROM deal_exception WHERE subject = ?", String.class, payoutId);
        assertThat(reasons).contains("payout " + payoutId + " of " + "290.40 USD does not add up")
                .contains("2 balance transactions net 193.60").contains("variance 96.80")
                .contains("not matched to the bridge's payments");
        assertThat(INFRA.erp().byExternalId("deposit", payoutId)).as("no deposit for a payout that does not add up").isEmpty();
        List<Map<String, Object>> open = http.getForObject("/api/exceptions", List.class);
        assertThat(open).anySatisfy(e -> assertThat(e).containsEntry("subject", payoutId).containsEntry("kind", "unreconciled-payout"));
    }
}
