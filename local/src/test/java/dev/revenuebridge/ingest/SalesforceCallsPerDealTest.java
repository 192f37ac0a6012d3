package dev.revenuebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import static dev.revenuebridge.support.BridgeTestSupport.seedDeal;

import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.StripeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterEach;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A burst of deals, from Closed Won to paid, costs at most two Salesforce API calls per deal: one SOQL query reads a
 * deal (Opportunity, Account and line items at once), and the write-backs of many deals (synced, subscription,
 * invoice, payment) share sObject Collections calls. A count of calls, not a timing.
 */
class SalesforceCallsPerDealTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    static final int DEALS = 20;
    private ConfigurableApplicationContext bridge;

    @AfterEach
    void stop() {
        INFRA.stripe().webhooks().clear();
        if (bridge != null) {
            bridge.close();
        }
    }

    /** A bridge with the production write-back wait, not the tests' quicker one: counted is what a real org sees. */
    private ConfigurableApplicationContext start() {
        String name = "calls_" + ProcessHandle.current().pid();
        return INFRA.startBridge(name, INFRA.createDatabase(name), Map.of("revenue.salesforce.write-back.max-wait-ms", "2000"));
    }

    /** Pays as fast as the Stripe sandbox lets the test (its rate limit is shared with the bridge's calls). */
    private static void pay(String invoice) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> StripeCalls.pay(invoice, "pm_usBankAccount") != null);
    }

    @Test
    void aBurstOfDealsCostsAtMostTwoSalesforceCallsPerDeal() {
        bridge = start();
        JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
        StripeCalls.deliverWebhooksTo(BridgeInfrastructure.port(bridge), false, false);
        List<String> opportunities = new ArrayList<>();
        for (int i = 0; i < DEALS; i++) {
            opportunities.add(String.format(Locale.ROOT, "006Dn0Calls%04dAAA", i));
        }
        int callsBefore = INFRA.salesforce().apiCalls();
        int writesBefore = INFRA.salesforce().writeLog().size();
        for (String opportunity : opportunities) {
            INFRA.salesforce().loadDeal(seedDeal(opportunity, "001" + opportunity.substring(3)), true);
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> opportunities.stream().allMatch(opportunity ->
                "Synced".equals(INFRA.salesforce().record("Opportunity", opportunity).get("Sync_Status__c"))));
        // the customers pay: the payments arrive as a burst too (an ACH settlement run)
        List<String> invoices = opportunities.stream().map(StripeCalls::oneTimeInvoiceOf).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> invoices.stream()
                .allMatch(invoice -> INFRA.erp().byExternalId("invoice", invoice).isPresent()));
        invoices.forEach(SalesforceCallsPerDealTest::pay);
        await().atMost(Duration.ofSeconds(60)).until(() -> opportunities.stream().allMatch(opportunity ->
                "Paid".equals(INFRA.salesforce().record("Opportunity", opportunity).get("Invoice_Status__c"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM salesforce_write_back", Integer.class) == 0);

        int calls = INFRA.salesforce().apiCalls() - callsBefore;
        List<Map<String, Object>> writes = INFRA.salesforce().writeLog().subList(writesBefore, INFRA.salesforce().writeLog().size());
        List<Object> recordsPerWrite = writes.stream().map(w -> (Object) ((List<?>) ((Map<?, ?>) w.get("body"))
                .get("records")).size()).toList();
        org.slf4j.LoggerFactory.getLogger(SalesforceCallsPerDealTest.class).info(
                "{} Salesforce API calls for {} deals from Closed Won to paid: {} writes of {} records", calls, DEALS,
                writes.size(), recordsPerWrite);
        assertThat(calls).as("Salesforce API calls for %d deals (%d of them writes, of %s records)", DEALS,
                        writes.size(), recordsPerWrite)
                .isLessThanOrEqualTo(2 * DEALS);
        assertThat(writes).as("every write-back in an sObject Collections call")
                .allSatisfy(w -> assertThat((String) w.get("path")).endsWith("/composite/sobjects"));
        for (String opportunity : opportunities) {
            Map<String, Object> opp = INFRA.salesforce().record("Opportunity", opportunity);
            assertThat(opp.get("Stripe_Subscription_Id__c")).as("%s written back", opportunity).isNotNull();
            assertThat(opp.get("ERP_Sales_Order_Id__c")).isNotNull();
            assertThat(opp.get("Invoice_Number__c")).isNotNull();
        }
    }
}
