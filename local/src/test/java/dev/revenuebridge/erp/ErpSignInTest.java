package dev.revenuebridge.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * NetSuite's OAuth 2.0 access tokens last 60 minutes of the account's clock. The bridge signs in by the client
 * credentials flow (a JWT assertion signed with the integration certificate's key), renews the token before it expires
 * and, when the ERP refuses one early (401), signs in again and sends the request once more. Over more than two hours
 * of the ERP's clock, with deals and payments flowing, nothing fails for want of a token.
 */
@Import(ErpSignInTest.ErpAccountClock.class)
class ErpSignInTest extends BridgeTestSupport {

    /** The bridge runs on the ERP account's clock, so both see the same hours pass. */
    @TestConfiguration
    static class ErpAccountClock {
        @Bean
        @Primary
        Clock erpAccountClock() {
            return new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return INFRA.erp().clock().instant();
                }
            };
        }
    }

    private static Clock before;

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    static void keepTheErpClock() {
        before = INFRA.erp().clock();
    }

    @AfterAll
    static void putTheErpClockBack() {
        INFRA.erp().clock(before);   // the sandbox is shared with the other tests' bridges
    }

    @Test
    void moreThanTwoHoursOfDealsAndPaymentsNeedNoManualSignIn() {
        StripeCalls.deliverWebhooksTo(port, false, false);
        int signInsBefore = INFRA.erp().tokensIssued();
        for (int hour = 0; hour < 5; hour++) {
            String opportunity = "006Dn0SignIn" + hour + "0AAAA";
            INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0SignIn" + hour + "0AAAA"), true);
            awaitSyncStatus(opportunity, "Synced");
            StripeCalls.Paid paid = StripeCalls.pay(StripeCalls.oneTimeInvoiceOf(opportunity), "pm_card_visa");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    INFRA.erp().byExternalId("customerPayment", paid.invoicePayment()).isPresent());
            INFRA.erp().advance(Duration.ofMinutes(35));    // 5 x 35 min: two hours and 55 minutes in all
        }
        assertThat(INFRA.erp().tokensIssued() - signInsBefore).as("signed in again as each token neared its hour")
                .isGreaterThanOrEqualTo(3);

        // the ERP refuses a token before its time (revoked, or a clock apart): signed in again, sent again, booked
        INFRA.erp().faults().failNext(1, 401);
        String opportunity = "006Dn0SignInRevAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0SignInRevAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        assertThat(metric("revenue_bridge_erp_sign_ins_after_401")).isGreaterThanOrEqualTo(1.0);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letter", Integer.class))
                .as("no request failed for want of a valid token").isZero();
    }

    @SuppressWarnings("unchecked")
    private double metric(String name) {
        Map<String, Object> metric = http.getForObject("/actuator/metrics/" + name, Map.class);
        return ((Number) ((List<Map<String, Object>>) metric.get("measurements")).get(0).get("value")).doubleValue();
    }
}
