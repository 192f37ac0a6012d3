package dev.revenuebridge.ingest;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.support.BridgeTestSupport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The bridge signs in with the JWT bearer flow; when its session times out (the org's session timeout, 2 hours by
 * default, passes without use), Salesforce ends the change event stream (UNAUTHENTICATED, auth error code) and answers
 * REST calls with 401 INVALID_SESSION_ID; camel-salesforce signs in again with a new assertion, resubscribes from its
 * last replay id and repeats the REST call: the deal closed meanwhile syncs as if nothing happened.
 */
class SalesforceSessionExpiryTest extends BridgeTestSupport {

    static final String FIRST = "006Dn0000SessOnAAA";
    static final String SECOND = "006Dn0000SessTwAAA";

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aDealClosedAfterTheSessionTimedOutSyncsWithANewSession() {
        INFRA.salesforce().loadDeal(seedDeal(FIRST, "001Dn0000SessOnAAA"), true);
        awaitSyncStatus(FIRST, "Synced");
        int grants = INFRA.salesforce().tokenGrants();

        // the org's clock moves past the session timeout with no call from the bridge: the stream ends too
        INFRA.salesforce().advance(INFRA.salesforce().sessionTimeout().plus(Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> INFRA.salesforce().subscriberCount() > 0
                && INFRA.salesforce().tokenGrants() > grants);

        INFRA.salesforce().loadDeal(seedDeal(SECOND, "001Dn0000SessTwAAA"), true);
        awaitSyncStatus(SECOND, "Synced");

        assertThat(INFRA.salesforce().record("Opportunity", SECOND).get("Stripe_Subscription_Id__c"))
                .as("the write-back on the Opportunity").isNotNull();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE opportunity_id IN (?, ?)", Integer.class,
                FIRST, SECOND)).as("dead letters").isZero();
        assertThat(INFRA.salesforce().tokenGrants()).as("token grants: a second session").isGreaterThan(grants);
    }
}
