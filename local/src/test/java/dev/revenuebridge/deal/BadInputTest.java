package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Bad input gets a clear error naming the record and the reason, is kept as a dead letter, is written back as
 * Sync_Status__c = Failed where the Opportunity is known, and never stops the routes.
 */
class BadInputTest extends BridgeTestSupport {

    @Autowired
    JdbcTemplate jdbc;
    @Value("${revenue.kafka.deals-topic}")
    String dealsTopic;

    @Test
    @SuppressWarnings("unchecked")
    void anUnknownProductCodeHoldsTheDealForReviewAndTheNextDealStillSyncs() {
        Map<String, Object> deal = seedDeal("006Dn0000BadSkuAAA", "001Dn0000BadSkuAAA");
        lineItems(deal).get(0).put("Product2", Map.of("ProductCode", "GOLD-PLATING", "Name", "Gold plating"));
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus("006Dn0000BadSkuAAA", "Requires Review");

        Map<String, Object> opportunity = INFRA.salesforce().record("Opportunity", "006Dn0000BadSkuAAA");
        assertThat((String) opportunity.get("Sync_Error__c")).contains("GOLD-PLATING").contains("not in the product catalog");
        Map<String, Object> trace = trace("006Dn0000BadSkuAAA");
        assertThat(trace.get("status")).isEqualTo("Requires Review");
        assertThat((String) trace.get("lastError")).contains("GOLD-PLATING");
        // a business exception, kept with its reason; not a technical dead letter
        assertThat((List<Map<String, Object>>) trace.get("exceptions")).singleElement()
                .satisfies(e -> assertThat(String.valueOf(e.get("reasons"))).contains("GOLD-PLATING"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE opportunity_id = ?", Integer.class,
                "006Dn0000BadSkuAAA")).isZero();
        // no Stripe or ERP record was made for a deal that failed its checks
        assertThat(INFRA.stripe().objects("customers")).noneMatch(c -> String.valueOf(c.get("metadata")).contains("006Dn0000BadSkuAAA"));
        assertThat(INFRA.erp().byExternalId("salesOrder", "006Dn0000BadSkuAAA")).isEmpty();

        INFRA.salesforce().loadDeal(seedDeal("006Dn0000GoodAfAAA", "001Dn0000GoodAfAAA"), true);
        awaitSyncStatus("006Dn0000GoodAfAAA", "Synced");
    }

    @Test
    void aDealEventThatCannotBeParsedIsKeptAndTheConsumerGoesOn() {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", INFRA.kafka().getBrokersAsString()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(dealsTopic, "garbage", "{not json at all")).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM dead_letter WHERE body = '{not json at all'", Integer.class) == 1);
        assertThat(jdbc.queryForObject("SELECT error_message FROM dead_letter WHERE body = '{not json at all'",
                String.class)).isNotBlank();

        INFRA.salesforce().loadDeal(seedDeal("006Dn0000AfterGAAA", "001Dn0000AfterGAAA"), true);
        awaitSyncStatus("006Dn0000AfterGAAA", "Synced");
    }

    @Test
    void anErpRejectionIsNotRetriedAndItsErrorBodyIsKept() {
        int erpRequests = INFRA.erp().requestCount();
        INFRA.erp().faults().failNext(1, 400);
        INFRA.salesforce().loadDeal(seedDeal("006Dn0000ErpRejAAA", "001Dn0000ErpRejAAA"), true);
        awaitSyncStatus("006Dn0000ErpRejAAA", "Failed");

        Map<String, Object> deadLetter = jdbc.queryForMap(
                "SELECT error_message, remote_body FROM dead_letter WHERE opportunity_id = ?", "006Dn0000ErpRejAAA");
        assertThat((String) deadLetter.get("error_message")).contains("HTTP 400");
        assertThat((String) deadLetter.get("remote_body")).contains("o:errorDetails");
        assertThat(INFRA.erp().requestCount() - erpRequests).as("ERP requests: one, no retry").isEqualTo(1);
        assertThat((String) INFRA.salesforce().record("Opportunity", "006Dn0000ErpRejAAA").get("Sync_Error__c"))
                .contains("HTTP 400");
    }

    @Test
    void anOpportunityThatCannotBeFetchedIsRetriedThenFailedWithTheReason() {
        Map<String, Object> deal = seedDeal("006Dn0000NoFetcAAA", "001Dn0000NoFetcAAA");
        opportunity(deal).put("StageName", "Negotiation/Review");
        opportunity(deal).put("IsWon", false);
        INFRA.salesforce().loadDeal(deal, false);
        // the first fetch and its three retries meet a Salesforce outage; the Failed write-back gets through
        INFRA.salesforce().faults().failNext(4, 503);
        INFRA.salesforce().closeOpportunity("006Dn0000NoFetcAAA", "Closed Won");
        awaitSyncStatus("006Dn0000NoFetcAAA", "Failed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE opportunity_id = ?", Integer.class,
                "006Dn0000NoFetcAAA")).isEqualTo(1);
        assertThat(INFRA.stripe().objects("customers")).noneMatch(c -> String.valueOf(c.get("metadata")).contains("006Dn0000NoFetcAAA"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void malformedOversizedAndUnknownDealEventsAreKeptWithTheReasonAndTheConsumerGoesOn() {
        String oversized = "{\"opportunityId\":\"006Dn0000BigEvtAAA\",\"changeType\":\"UPDATE\",\"padding\":\""
                + "x".repeat(300_000) + "\"}";
        List<String> bad = List.of(
                "{\"changeType\":\"UPDATE\",\"commitNumber\":1}",
                "{\"opportunityId\":\"006Dn0000UnkTypAAA\",\"changeType\":\"TELEPORT\"}",
                "{\"opportunityId\":\"DROP TABLE deal_sync\",\"changeType\":\"UPDATE\"}",
                "[1,2,3]",
                oversized);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", INFRA.kafka().getBrokersAsString()), new StringSerializer(), new StringSerializer())) {
            for (String event : bad) {
                producer.send(new ProducerRecord<>(dealsTopic, "bad", event)).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        INFRA.salesforce().loadDeal(seedDeal("006Dn0000AfterBAAA", "001Dn0000AfterBAAA"), true);
        awaitSyncStatus("006Dn0000AfterBAAA", "Synced");

        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM dead_letter WHERE body IN (?, ?, ?, ?, ?)", Integer.class, bad.toArray()) == bad.size());
        Map<String, String> reasons = new java.util.HashMap<>();
        jdbc.query("SELECT body, error_message FROM dead_letter WHERE body IN (?, ?, ?, ?, ?)",
                rs -> { reasons.put(rs.getString(1), rs.getString(2)); }, bad.toArray());
        assertThat(reasons.get(bad.get(0))).isEqualTo("deal event without opportunityId");
        assertThat(reasons.get(bad.get(1))).contains("006Dn0000UnkTypAAA").contains("unknown changeType TELEPORT");
        assertThat(reasons.get(bad.get(2))).contains("not an Opportunity Id");
        assertThat(reasons.get(bad.get(3))).contains("not a JSON object");
        assertThat(reasons.get(oversized)).contains("deal event of 300").contains("over the limit of 65536");
        // none was retried, and the one with an unknown type wrote nothing onto that Opportunity
        assertThat(jdbc.queryForList("SELECT attempts FROM dead_letter WHERE body IN (?, ?, ?, ?, ?)", Integer.class,
                bad.toArray())).containsOnly(1);
        List<Map<String, Object>> listed = http.getForObject("/api/dead-letters", List.class);
        assertThat(listed).anySatisfy(d -> assertThat(String.valueOf(d.get("errorMessage"))).contains("TELEPORT"));
    }

    @Test
    void aGapEventMakesTheBridgeReadTheDealAfreshAndDeletesAreAcknowledged() {
        // Closed Won in Salesforce, but the change came as a GAP_UPDATE: no field values, only "this record changed"
        Map<String, Object> deal = seedDeal("006Dn0000GapEvtAAA", "001Dn0000GapEvtAAA");
        INFRA.salesforce().loadDeal(deal, false);
        INFRA.salesforce().publishHeaderOnlyEvent("DELETE", List.of("006Dn0000DeletedAA"));
        INFRA.salesforce().publishHeaderOnlyEvent("GAP_OVERFLOW", List.of());
        INFRA.salesforce().publishHeaderOnlyEvent("GAP_UPDATE", List.of("006Dn0000GapEvtAAA"));
        awaitSyncStatus("006Dn0000GapEvtAAA", "Synced");
        assertThat(trace("006Dn0000DeletedAA")).as("a delete is nothing to sync").isNull();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE route_id = 'salesforce-opportunity-ingest'",
                Integer.class)).isZero();
    }
}
