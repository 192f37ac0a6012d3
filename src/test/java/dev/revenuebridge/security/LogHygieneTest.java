package dev.revenuebridge.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A full run's logs (a deal with a billing email and a VAT id from Closed Won to paid, a deal refused by the gate, a
 * dead letter with the remote system's answer, sign-ins to all three systems) hold no configured secret and none of
 * the test data's emails and tax ids: the log lines are masked, whatever logged them.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogHygieneTest extends BridgeTestSupport {

    static final String EMAIL = "accounts.payable@hygiene-gmbh.example";
    static final String TAX_ID = "DE811907980";

    @LocalServerPort
    int port;
    @Value("${revenue.erp.auth.private-key-file}")
    String erpKeyFile;

    @Test
    void noSecretEmailOrTaxIdReachesTheLogs(CapturedOutput output) throws Exception {
        StripeCalls.deliverWebhooksTo(port, false, false);
        String opportunity = "006Dn000HygieneAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn000HygieneAAA");
        account(deal).put("BillingCountry", "DE");
        account(deal).put("Tax_Id__c", TAX_ID);
        account(deal).put("Billing_Email__c", EMAIL);
        opportunity(deal).put("CurrencyIsoCode", "EUR");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");
        String invoice = StripeCalls.oneTimeInvoiceOf(opportunity);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", invoice).isPresent());
        StripeCalls.pay(invoice, "pm_sepaDebit");

        // a deal the gate refuses, with the same email and tax id on its Account
        String refused = "006Dn000HygRefAAAA";
        Map<String, Object> bad = seedDeal(refused, "001Dn000HygRefAAAA");
        account(bad).put("Tax_Id__c", TAX_ID);
        account(bad).put("Billing_Email__c", EMAIL);
        opportunity(bad).put("Payment_Terms__c", "Net 97");
        INFRA.salesforce().loadDeal(bad, true);
        awaitSyncStatus(refused, "Requires Review");

        // a dead letter: the ERP refuses the customer, with its error body
        INFRA.erp().faults().outage(400);
        String failed = "006Dn000HygFailAAA";
        Map<String, Object> failing = seedDeal(failed, "001Dn000HygFailAAA");
        account(failing).put("Billing_Email__c", EMAIL);
        INFRA.salesforce().loadDeal(failing, true);
        awaitSyncStatus(failed, "Failed");
        INFRA.erp().faults().clear();

        // and whatever a future change might log: a message and a stack trace carrying them are masked too
        org.slf4j.LoggerFactory.getLogger("dev.revenuebridge.deal").warn("a careless line: key {} secret {} email {} tax id {}",
                BridgeInfrastructure.STRIPE_API_KEY, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, EMAIL, TAX_ID);
        org.slf4j.LoggerFactory.getLogger("dev.revenuebridge.erp").error("a careless stack trace",
                new IllegalStateException("refused customer " + EMAIL + " (" + TAX_ID + "), assertion password="
                        + BridgeInfrastructure.SALESFORCE_KEYSTORE_PASSWORD));

        List<String> secrets = new ArrayList<>(List.of(BridgeInfrastructure.STRIPE_API_KEY,
                BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, BridgeInfrastructure.SALESFORCE_KEYSTORE_PASSWORD));
        String pem = Files.readString(Path.of(erpKeyFile));
        pem.lines().filter(line -> line.length() > 20 && !line.startsWith("-----")).forEach(secrets::add);
        String logs = output.getAll();
        assertThat(logs).as("the run logged").contains(opportunity).contains(failed)
                .contains("a careless line: key *** secret *** email [email] tax id [tax id]")
                .contains("refused customer [email] ([tax id])");
        for (String secret : secrets) {
            assertThat(logs).as("a configured secret in the logs").doesNotContain(secret);
        }
        assertThat(logs).doesNotContain(EMAIL).doesNotContain(TAX_ID).doesNotContain("ap@acme.example");
        assertThat(logs).doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.");
    }
}
