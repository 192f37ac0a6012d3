package dev.revenuebridge.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.RevenueBridgeApplication;
import dev.revenuebridge.support.BridgeInfrastructure;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Local mode ({@code ./mvnw spring-boot:test-run}): embedded PostgreSQL and Kafka, the three sandboxes on fixed
 * loopback ports, the bridge on http://localhost:8080, routes and mappings reloaded when edited, and the worked example
 * (Opportunity 006Dn00000SeedAAA) closed at startup.
 */
public final class LocalRevenueBridge {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRevenueBridge.class);
    public static final String SEED_DEAL = "/deals/seed-120k-deal.json";

    private LocalRevenueBridge() {
    }

    public static void main(String[] args) throws Exception {
        BridgeInfrastructure.Ports ports = new BridgeInfrastructure.Ports(
                port("local.postgres.port", 15432), port("local.kafka.port", 19092),
                port("local.salesforce.port", 18081), port("local.salesforce.pubsub.port", 18082),
                port("local.stripe.port", 18083), port("local.erp.port", 18084));
        BridgeInfrastructure infrastructure = new BridgeInfrastructure(ports);
        String jdbcUrl = infrastructure.createDatabase("revenue_bridge");
        // local mode sweeps Salesforce every minute (tests trigger their sweeps); set before the test defaults
        setDefault("revenue.ingest.sweep.interval-ms", "60000");
        // the operations port at its production default (tests take a free one)
        setDefault("revenue.ops.port", "8081");
        infrastructure.bridgeProperties("local", jdbcUrl).forEach(LocalRevenueBridge::setDefault);
        // the local topic and group keep their production names
        System.setProperty("revenue.kafka.deals-topic", "revenue.deals");
        System.setProperty("revenue.kafka.deals-group", "revenue-bridge-deals");
        System.setProperty("revenue.kafka.stripe-events-topic", "revenue.stripe-events");
        System.setProperty("revenue.kafka.stripe-events-group", "revenue-bridge-stripe-events");
        // local mode only: edited routes and mappings take effect without a restart
        setDefault("revenue.mappings.reload", "true");
        setDefault("camel.main.routes-reload-enabled", "true");
        setDefault("camel.main.routes-reload-directory", "routes");
        setDefault("camel.main.routes-reload-directory-recursive", "true");
        setDefault("camel.main.routes-reload-pattern", "*.camel.yaml");
        // quick retries, so a fault switched on in a sandbox shows up in seconds
        setDefault("revenue.retry.initial-delay-ms", "500");
        setDefault("revenue.retry.max-delay-ms", "5000");

        ConfigurableApplicationContext context = new SpringApplicationBuilder(RevenueBridgeApplication.class)
                .registerShutdownHook(false)
                .run(args);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.close();          // Camel first, so it does not retry against stopped sandboxes
            infrastructure.close();
        }, "local-mode-stop"));

        // the Stripe sandbox delivers its events to the bridge, signed with the local secret
        infrastructure.stripe().webhooks().register(new dev.revenuebridge.sandbox.stripe.StripeWebhooks.Endpoint(
                "http://localhost:" + context.getEnvironment().getProperty("local.server.port") + "/webhooks/stripe",
                BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, false, false));
        closeWorkedExample(infrastructure);
        LOG.info("""

                revenue-bridge local mode is up:
                  webhooks    http://localhost:{}/webhooks/stripe
                  operations  http://localhost:{}   (trace: curl -u viewer:viewer localhost:{}/api/deals/006Dn00000SeedAAA;
                              users viewer, operator, finance, each with its own name as password)
                  Salesforce  {}   (close a deal: POST /_sandbox/deals)
                  Stripe      {}   (state: GET /_sandbox/state)
                  ERP         {}   (state: GET /_sandbox/state)
                  PostgreSQL  {}
                  Kafka       {}
                """, context.getEnvironment().getProperty("local.server.port"),
                context.getBean(dev.revenuebridge.security.OpsPort.class).port(),
                context.getBean(dev.revenuebridge.security.OpsPort.class).port(), infrastructure.salesforce().baseUrl(),
                infrastructure.stripe().baseUrl(), infrastructure.erp().baseUrl(), jdbcUrl,
                infrastructure.kafka().getBrokersAsString());
    }

    /** Waits for the bridge's subscription, then loads the worked example and closes it won. */
    private static void closeWorkedExample(BridgeInfrastructure infrastructure) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (infrastructure.salesforce().subscriberCount() == 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        try (InputStream in = LocalRevenueBridge.class.getResourceAsStream(SEED_DEAL)) {
            Map<String, Object> deal = new ObjectMapper().readValue(in, new TypeReference<>() {
            });
            long replayId = infrastructure.salesforce().loadDeal(deal, true);
            LOG.info("Worked example 006Dn00000SeedAAA loaded and closed won in the Salesforce sandbox (replay id {})", replayId);
        }
    }

    private static int port(String property, int fallback) {
        return Integer.parseInt(System.getProperty(property, String.valueOf(fallback)));
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
