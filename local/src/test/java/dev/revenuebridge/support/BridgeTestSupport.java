package dev.revenuebridge.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.RevenueBridgeApplication;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the bridge's Spring Boot tests: the real routes/ and mappings/ files, embedded PostgreSQL and Kafka, and the
 * three sandboxes. Each test class gets its own database, Kafka topic and consumer group, and its own bridge.
 */
@CamelSpringBootTest
@SpringBootTest(classes = RevenueBridgeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class BridgeTestSupport {

    protected static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    private static final AtomicInteger CONTEXTS = new AtomicInteger();
    protected static final ObjectMapper JSON = new ObjectMapper();

    @org.springframework.beans.factory.annotation.Value("${revenue.kafka.events-topic}")
    private String outcomeEventsTopic;

    /** The application port: Stripe's webhooks, nothing else. */
    @Autowired
    protected TestRestTemplate webhooks;
    @Autowired
    private dev.revenuebridge.security.OpsPort opsPort;
    @Autowired
    private org.springframework.boot.web.client.RestTemplateBuilder restTemplates;
    /** The operations port, signed in as {@code operator} (for {@code finance} or {@code viewer}: {@link #as}). */
    protected TestRestTemplate http;

    @DynamicPropertySource
    static void bridgeProperties(DynamicPropertyRegistry registry) {
        String name = "t" + CONTEXTS.incrementAndGet() + "_" + ProcessHandle.current().pid();
        String jdbcUrl = INFRA.createDatabase("bridge_" + name);
        INFRA.bridgeProperties(name, jdbcUrl).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("revenue.retry.initial-delay-ms", () -> "100");
        registry.add("revenue.retry.max-delay-ms", () -> "1000");
        registry.add("revenue.retry.max-redeliveries", () -> "3");
    }

    /** A client of the operations port signed in as a local user (viewer, operator, finance), or anonymous (null). */
    protected TestRestTemplate as(String user) {
        var builder = restTemplates.rootUri("http://localhost:" + opsPort.port());
        return user == null ? new TestRestTemplate(builder) : new TestRestTemplate(builder, user, user);
    }

    @BeforeEach
    void opsClient() {
        http = as("operator");
    }

    @BeforeEach
    void waitForSubscription() {
        await().atMost(Duration.ofSeconds(20)).until(() -> INFRA.salesforce().subscriberCount() > 0);
    }

    @AfterEach
    void clearFaults() {
        INFRA.salesforce().faults().clear();
        INFRA.stripe().faults().clear();
        INFRA.erp().faults().clear();
        INFRA.stripe().webhooks().clear();   // a test that wants Stripe's events points an endpoint at its own bridge
    }

    /** The worked example, with other ids when given (so tests do not share records). */
    public static Map<String, Object> seedDeal(String opportunityId, String accountId) {
        try (InputStream in = BridgeTestSupport.class.getResourceAsStream("/deals/seed-120k-deal.json")) {
            Map<String, Object> deal = JSON.readValue(in, new TypeReference<>() {
            });
            opportunity(deal).put("Id", opportunityId);
            opportunity(deal).put("AccountId", accountId);
            account(deal).put("Id", accountId);
            int n = 0;
            for (Map<String, Object> line : lineItems(deal)) {
                line.put("Id", "00k" + opportunityId.substring(3, 15) + "L" + (++n) + "A");
            }
            return deal;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> opportunity(Map<String, Object> deal) {
        return (Map<String, Object>) deal.get("opportunity");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> account(Map<String, Object> deal) {
        return (Map<String, Object>) deal.get("account");
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> lineItems(Map<String, Object> deal) {
        return (List<Map<String, Object>>) deal.get("lineItems");
    }

    /** GET /api/deals/{id} as a map, or null for 404. */
    protected Map<String, Object> trace(String opportunityId) {
        ResponseEntity<Map<String, Object>> response = http.exchange("/api/deals/" + opportunityId,
                org.springframework.http.HttpMethod.GET, null, new org.springframework.core.ParameterizedTypeReference<>() {
                });
        return response.getStatusCode().value() == 404 ? null : new LinkedHashMap<>(response.getBody());
    }

    /**
     * The outcome events on this bridge's revenue.events topic with this key (an Opportunity Id), as a downstream
     * consumer reads them: from the beginning, in order.
     */
    protected List<Map<String, Object>> outcomeEvents(String key) {
        Map<String, Object> config = Map.of("bootstrap.servers", INFRA.kafka().getBrokersAsString(),
                "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "enable.auto.commit", "false");
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(config)) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(outcomeEventsTopic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        events.add(JSON.readValue(record.value(), new TypeReference<Map<String, Object>>() {
                        }));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("an outcome event is not JSON", e);
        }
        return events;
    }

    protected void awaitSyncStatus(String opportunityId, String status) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, Object> opp = INFRA.salesforce().record("Opportunity", opportunityId);
            return opp != null && status.equals(opp.get("Sync_Status__c"));
        });
    }
}
