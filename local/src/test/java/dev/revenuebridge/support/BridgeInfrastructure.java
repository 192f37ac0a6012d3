package dev.revenuebridge.support;

import dev.revenuebridge.sandbox.erp.ErpSandbox;
import dev.revenuebridge.sandbox.salesforce.SalesforceSandbox;
import dev.revenuebridge.sandbox.stripe.StripeSandbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Everything the bridge talks to, on loopback: embedded PostgreSQL 17, an embedded Kafka broker (KRaft), and the
 * sandboxes of Salesforce, Stripe and the ERP. Used by local mode and, one instance per test JVM, by the tests.
 */
public final class BridgeInfrastructure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeInfrastructure.class);
    public static final String STRIPE_API_KEY = "sk_test_revenue_bridge_local";
    /** The webhook signing secret of local mode and tests (README: sign test events by hand with it). */
    public static final String STRIPE_WEBHOOK_SECRET = "whsec_revenueBridgeLocalSandboxSecret2025";
    /**
     * Tests and local mode play deals at the worked example's close (2025-12-19), like a Stripe test clock: the bridge
     * and the Stripe sandbox start at this moment and run on from it, so contract dates are in the future as in life.
     */
    /** The local mode's and the tests' operations users; each one's password is its name. */
    public static final java.util.List<String> LOCAL_USERS = java.util.List.of("viewer", "operator", "finance");
    private static final Map<String, String> LOCAL_USER_HASHES = hashes();

    private static Map<String, String> hashes() {
        var bcrypt = new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder(4);
        Map<String, String> out = new LinkedHashMap<>();
        LOCAL_USERS.forEach(user -> out.put(user, "{bcrypt}" + bcrypt.encode(user)));
        return out;
    }

    public static final Instant SIMULATED_START = Instant.parse("2025-12-19T17:05:00Z");
    private static BridgeInfrastructure shared;

    /** Fixed ports (local mode) or 0 for free ones (tests). */
    public record Ports(int postgres, int kafka, int salesforce, int salesforcePubSub, int stripe, int erp) {
        public static final Ports ANY = new Ports(0, 0, 0, 0, 0, 0);
    }

    private final EmbeddedPostgres postgres;
    private final EmbeddedKafkaKraftBroker kafka;
    private final SalesforceSandbox salesforce;
    private final StripeSandbox stripe;
    private final ErpSandbox erp;
    /** Simulated time: it starts at {@link #SIMULATED_START} with the infrastructure and runs on. */
    private final Duration simulatedOffset = Duration.between(Instant.now(), SIMULATED_START);
    private final Clock simulated = Clock.offset(Clock.systemUTC(), simulatedOffset);
    /** The ERP integration's certificate key, as a user makes it with openssl: the sandbox holds the public half. */
    private final Path erpPrivateKeyFile;
    /** The Salesforce connected app's certificate and key (PKCS12): the sandbox holds the certificate's public key. */
    private final Path salesforceKeystoreFile;
    public static final String SALESFORCE_KEYSTORE_PASSWORD = "revenue-bridge-local";

    public BridgeInfrastructure(Ports ports) {
        long started = System.nanoTime();
        SalesforceSandbox.trustSandboxCertificate();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (ports.postgres() != 0) builder.setPort(ports.postgres());
            postgres = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start", e);
        }
        kafka = new EmbeddedKafkaKraftBroker(1, 3);
        if (ports.kafka() != 0) kafka.kafkaPorts(ports.kafka());
        kafka.brokerProperty("auto.create.topics.enable", "true");
        kafka.afterPropertiesSet();
        salesforce = new SalesforceSandbox().start(ports.salesforce(), ports.salesforcePubSub());
        stripe = new StripeSandbox().start(ports.stripe());
        stripe.clock(simulated);
        erp = (ErpSandbox) new ErpSandbox().start(ports.erp());
        erp.clock(simulated);
        erpPrivateKeyFile = erpIntegrationKey(erp);
        salesforceKeystoreFile = salesforceConnectedAppKeystore(salesforce);
        LOG.info("Bridge infrastructure up in {} ms: PostgreSQL {}, Kafka {}, Salesforce {} (Pub/Sub {}), Stripe {}, ERP {}",
                (System.nanoTime() - started) / 1_000_000, postgres.getPort(), kafka.getBrokersAsString(),
                salesforce.baseUrl(), salesforce.pubSubPort(), stripe.baseUrl(), erp.baseUrl());
    }

    /**
     * An RSA key pair for the ERP integration's certificate: the public key is mapped to the sandbox's integration
     * record (NetSuite: OAuth 2.0 Client Credentials (M2M) Setup), the private key written as PKCS#8 PEM to a file
     * that only this process reads, as the bridge reads a mounted secret.
     */
    private static Path erpIntegrationKey(ErpSandbox erp) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            erp.mapCertificate(ErpSandbox.CLIENT_ID, ErpSandbox.CERTIFICATE_ID, pair.getPublic());
            Path file = Files.createTempFile("revenue-bridge-erp-key-", ".pem",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            return file;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the ERP integration's key", e);
        }
    }

    /**
     * The Salesforce connected app's certificate for the JWT bearer flow, made as a user makes it with keytool: an RSA
     * key and a self-signed certificate in a PKCS12 keystore (the bridge's mounted secret); the certificate's public key
     * is mapped in the sandbox (Salesforce: the connected app's "Use digital signatures").
     */
    private static Path salesforceConnectedAppKeystore(SalesforceSandbox salesforce) {
        try {
            Path dir = Files.createTempDirectory("revenue-bridge-sf-jwt-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("salesforce-jwt.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "salesforce-jwt", "-keyalg", "RSA",
                    "-keysize", "2048", "-storetype", "PKCS12", "-keystore", file.toString(),
                    "-storepass", SALESFORCE_KEYSTORE_PASSWORD, "-dname", "CN=revenue-bridge", "-validity", "730")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            java.security.KeyStore keystore = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in = Files.newInputStream(file)) {
                keystore.load(in, SALESFORCE_KEYSTORE_PASSWORD.toCharArray());
            }
            salesforce.mapCertificate(keystore.getCertificate("salesforce-jwt").getPublicKey());
            return file;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the Salesforce connected app's certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted making the Salesforce connected app's certificate", e);
        }
    }

    /** The one instance of this test JVM, started on first use and stopped when the JVM exits. */
    public static synchronized BridgeInfrastructure shared() {
        if (shared == null) {
            shared = new BridgeInfrastructure(Ports.ANY);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "bridge-infrastructure-stop"));
        }
        return shared;
    }

    public SalesforceSandbox salesforce() { return salesforce; }

    public StripeSandbox stripe() { return stripe; }

    public ErpSandbox erp() { return erp; }

    public EmbeddedKafkaKraftBroker kafka() { return kafka; }

    public EmbeddedPostgres postgres() { return postgres; }

    /** Creates an empty database (each bridge under test gets its own state). */
    public String createDatabase(String name) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    /**
     * The bridge's settings pointing at this infrastructure. {@code name} isolates a bridge's state: its database, its
     * Kafka topic and consumer group.
     */
    public Map<String, String> bridgeProperties(String name, String jdbcUrl) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", jdbcUrl);
        p.put("spring.datasource.username", "postgres");
        p.put("spring.datasource.password", "postgres");
        p.put("camel.component.kafka.brokers", kafka.getBrokersAsString());
        p.put("camel.component.salesforce.login-url", salesforce.baseUrl());
        // the JWT bearer flow, as in production: the connected app's consumer key, the integration user, the keystore
        p.put("camel.component.salesforce.authentication-type", "JWT");
        p.put("camel.component.salesforce.client-id", SalesforceSandbox.CLIENT_ID);
        p.put("camel.component.salesforce.user-name", SalesforceSandbox.USERNAME);
        p.put("camel.component.salesforce.keystore.resource", "file:" + salesforceKeystoreFile);
        p.put("camel.component.salesforce.keystore.password", SALESFORCE_KEYSTORE_PASSWORD);
        p.put("camel.component.salesforce.pub-sub-host", "127.0.0.1");
        p.put("camel.component.salesforce.pub-sub-port", String.valueOf(salesforce.pubSubPort()));
        p.put("revenue.stripe.api-key", STRIPE_API_KEY);
        p.put("revenue.stripe.api-base", stripe.baseUrl());
        p.put("revenue.erp.base-url", erp.baseUrl());
        p.put("revenue.erp.auth.client-id", ErpSandbox.CLIENT_ID);
        p.put("revenue.erp.auth.certificate-id", ErpSandbox.CERTIFICATE_ID);
        p.put("revenue.erp.auth.private-key-file", erpPrivateKeyFile.toString());
        // the bridge's clock runs at the sandboxes' simulated offset from real time, so that it and they agree on the time
        // (the ERP checks the bridge's sign-in assertion against its own clock, as NetSuite does; close-to-synced latency)
        p.put("revenue.clock.offset", simulatedOffset.toString());
        p.put("revenue.kafka.deals-topic", "revenue.deals." + name);
        p.put("revenue.kafka.deals-group", "revenue-bridge-" + name);
        p.put("revenue.kafka.stripe-events-topic", "revenue.stripe-events." + name);
        p.put("revenue.kafka.events-topic", "revenue.events." + name);
        p.put("revenue.events.interval-ms", "200");
        p.put("revenue.kafka.stripe-events-group", "revenue-bridge-stripe-events-" + name);
        p.put("revenue.stripe.webhook.secrets", STRIPE_WEBHOOK_SECRET);
        // write-backs wait at most 300 ms for others to share their call; the sweep runs when a test sends to
        // direct:salesforce-sweep (its timer waits an hour)
        p.put("revenue.salesforce.write-back.max-wait-ms", "300");
        p.put("revenue.ingest.sweep.interval-ms", "3600000");
        // a bridge killed without handing its lease over is replaced after 3 s (production: 15 s)
        p.put("revenue.cluster.lease-duration-ms", "3000");
        p.put("revenue.cluster.renew-interval-ms", "500");
        p.put("revenue.metrics.refresh-interval-ms", "500");
        // the operations port (a free one) and the local users: viewer, operator and finance, each with its own name as
        // password, stored as bcrypt hashes as in production (cost 4: tests sign in on every request)
        p.put("revenue.ops.port", "0");
        for (String user : LOCAL_USERS) {
            p.put("revenue.security.users." + user + ".password", LOCAL_USER_HASHES.get(user));
            p.put("revenue.security.users." + user + ".roles", user);
        }
        return p;
    }

    /**
     * Starts a whole bridge process-like (its own Spring context, no shutdown hook) on these sandboxes, with the
     * properties of {@link #bridgeProperties} plus {@code overrides}, on a free HTTP port, and waits until it is
     * subscribed to Salesforce. For tests that stop and start bridges; the caller closes it.
     */
    public org.springframework.context.ConfigurableApplicationContext startBridge(String name, String jdbcUrl,
                                                                                 Map<String, String> overrides) {
        Map<String, String> properties = bridgeProperties(name, jdbcUrl);
        properties.put("server.port", "0");
        properties.put("camel.main.shutdown-timeout", "2");
        properties.put("revenue.retry.initial-delay-ms", "100");
        properties.putAll(overrides);
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        var context = new org.springframework.boot.builder.SpringApplicationBuilder(dev.revenuebridge.RevenueBridgeApplication.class)
                .registerShutdownHook(false).run(args);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> salesforce.subscriberCount() > 0);
        return context;
    }

    /** The HTTP port a bridge started by {@link #startBridge} listens on. */
    public static int port(org.springframework.context.ConfigurableApplicationContext bridge) {
        return Integer.parseInt(bridge.getEnvironment().getProperty("local.server.port"));
    }

    /** Waits (a minute at most) until the Opportunity shows Sync_Status__c = Synced. */
    public void awaitSynced(String opportunityId) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, Object> opportunity = salesforce.record("Opportunity", opportunityId);
            return opportunity != null && "Synced".equals(opportunity.get("Sync_Status__c"));
        });
    }

    /** The worked example's records of a deal exist once each: Stripe customer, subscription, invoice, ERP sales order. */
    public void assertOneOfEach(String opportunityId) {
        for (String kind : java.util.List.of("customers", "subscriptions", "invoices")) {
            org.assertj.core.api.Assertions.assertThat(stripeObjectsOf(kind, opportunityId))
                    .as("Stripe %s of %s", kind, opportunityId).isEqualTo(1);
        }
        org.assertj.core.api.Assertions.assertThat(erp.records("salesOrder").stream()
                .filter(o -> opportunityId.equals(o.get("externalId")))).as("ERP sales orders of %s", opportunityId).hasSize(1);
    }

    /** Stripe objects of a kind (customers, subscriptions, invoices) made for a deal (metadata sf_opportunity_id). */
    @SuppressWarnings("unchecked")
    public long stripeObjectsOf(String kind, String opportunityId) {
        return stripe.objects(kind).stream()
                .filter(o -> opportunityId.equals(((Map<String, Object>) o.getOrDefault("metadata", Map.of()))
                        .get("sf_opportunity_id")))
                .count();
    }

    @Override
    public synchronized void close() {
        salesforce.close();
        stripe.close();
        erp.close();
        kafka.destroy();
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
