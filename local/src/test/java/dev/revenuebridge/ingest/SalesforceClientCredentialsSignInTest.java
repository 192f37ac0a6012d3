package dev.revenuebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.RevenueBridgeApplication;
import dev.revenuebridge.sandbox.salesforce.SalesforceSandbox;
import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.BridgeTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * SALESFORCE_AUTH_TYPE=CLIENT_CREDENTIALS: the bridge signs in with the consumer key and secret, and the JWT settings
 * left at their defaults (a keystore file that does not exist, no keystore password) do not stop it from starting.
 * A bridge of its own, started like local mode, since the test support's properties sign in with JWT.
 */
class SalesforceClientCredentialsSignInTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();

    @Test
    void theBridgeSignsInWithClientCredentialsAndSyncsADeal() {
        String name = "clientcreds_" + ProcessHandle.current().pid();
        Map<String, String> properties = INFRA.bridgeProperties(name, INFRA.createDatabase("bridge_" + name));
        properties.put("camel.component.salesforce.authentication-type", "CLIENT_CREDENTIALS");
        properties.put("camel.component.salesforce.client-secret", SalesforceSandbox.CLIENT_SECRET);
        properties.remove("camel.component.salesforce.keystore.resource");   // application.yaml's default path
        properties.remove("camel.component.salesforce.keystore.password");   // unset
        properties.put("server.port", "0");
        properties.put("spring.jmx.enabled", "false");
        List<String> args = new ArrayList<>();
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));

        int grants = INFRA.salesforce().tokenGrants("client_credentials");
        int subscribers = INFRA.salesforce().subscriberCount();
        try (ConfigurableApplicationContext bridge = new SpringApplicationBuilder(RevenueBridgeApplication.class)
                .registerShutdownHook(false).run(args.toArray(String[]::new))) {
            assertThat(INFRA.salesforce().tokenGrants("client_credentials")).as("client credentials sign-ins")
                    .isGreaterThan(grants);
            await().atMost(Duration.ofSeconds(20)).until(() -> INFRA.salesforce().subscriberCount() > subscribers);
            INFRA.salesforce().loadDeal(BridgeTestSupport.seedDeal("006Dn0000CliCrdAAA", "001Dn0000CliCrdAAA"), true);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> "Synced".equals(
                    INFRA.salesforce().record("Opportunity", "006Dn0000CliCrdAAA").get("Sync_Status__c")));
        }
    }
}
