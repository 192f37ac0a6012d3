package dev.revenuebridge.cluster;

import static dev.revenuebridge.support.BridgeTestSupport.seedDeal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.salesforce.eventbus.protobuf.ReplayPreset;
import dev.revenuebridge.sandbox.salesforce.SalesforceSandbox.SubscriptionStart;
import dev.revenuebridge.support.BridgeInfrastructure;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two replicas on the same sandboxes, Kafka topic and database, as two pods of the Deployment: both consume deal
 * events, one holds the Salesforce subscription (the database lease). Each closed-won event reaches Kafka once and
 * every deal is made once; when the leader stops, the other replica takes the lease and subscribes from the replay
 * position the leader stored, so the deals closed during the handover sync too, once.
 */
class TwoReplicasTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        replicas.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void oneReplicaSubscribesAndTheOtherTakesOverFromTheStoredReplayPosition() {
        String name = "replicas_" + ProcessHandle.current().pid();
        String jdbcUrl = INFRA.createDatabase(name);
        int subscribersBefore = INFRA.salesforce().subscriberCount();
        int startsBefore = INFRA.salesforce().subscriptionStarts().size();

        ConfigurableApplicationContext first = start(name, jdbcUrl, "replica-a", Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.salesforce().subscriberCount() == subscribersBefore + 1);
        // (two bridges in one JVM share one MBean server: the second registers no MBeans)
        ConfigurableApplicationContext second = start(name, jdbcUrl, "replica-b",
                Map.of("spring.jmx.enabled", "false", "camel.main.jmx-enabled", "false"));
        assertThat(policy(first).isLeader()).as("the first replica leads").isTrue();
        // the second replica tried for the lease several times (every 500 ms) and stays a follower
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(policy(second).isLeader()).as("the second replica follows").isFalse();
        assertThat(INFRA.salesforce().subscriberCount()).as("one Salesforce subscription").isEqualTo(subscribersBefore + 1);

        List<String> deals = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            deals.add(close(i));
        }
        deals.forEach(INFRA::awaitSynced);

        first.close();
        replicas.remove(first);
        JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
        String stored = jdbc.queryForObject("SELECT replay_id FROM replay_position", String.class);
        // closed while nobody holds the subscription
        for (int i = 6; i < 12; i++) {
            deals.add(close(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> policy(second).isLeader());
        deals.forEach(INFRA::awaitSynced);

        List<SubscriptionStart> starts = INFRA.salesforce().subscriptionStarts();
        starts = starts.subList(startsBefore, starts.size());
        assertThat(starts).as("one subscription per leadership").hasSize(2);
        assertThat(starts.get(1)).as("the new leader resumes after the replay id the old one stored")
                .isEqualTo(new SubscriptionStart(ReplayPreset.CUSTOM, replayId(stored)));
        for (String opportunity : deals) {
            INFRA.assertOneOfEach(opportunity);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM deal_sync", Integer.class)).isEqualTo(deals.size());
        assertThat(jdbc.queryForObject("SELECT holder FROM cluster_leader WHERE namespace = 'salesforce-subscription'",
                String.class)).isEqualTo("replica-b");

        // the leader loses its lease for a while (a long pause, and someone else held it): it stops the subscription,
        // and when it leads again it resumes from the position stored then, not from the one it started with
        int subscribers = INFRA.salesforce().subscriberCount();
        jdbc.update("UPDATE cluster_leader SET holder = 'replica-paused', expires_at = now() + interval '2 seconds'");
        await().atMost(Duration.ofSeconds(5)).until(() -> !policy(second).isLeader()
                && INFRA.salesforce().subscriberCount() == subscribers - 1);
        String storedWhilePaused = jdbc.queryForObject("SELECT replay_id FROM replay_position", String.class);
        for (int i = 12; i < 15; i++) {
            deals.add(close(i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> policy(second).isLeader());
        deals.forEach(INFRA::awaitSynced);
        starts = INFRA.salesforce().subscriptionStarts();
        starts = starts.subList(startsBefore, starts.size());
        assertThat(starts).hasSize(3);
        assertThat(starts.get(2)).as("leading again, it resumes after the replay id stored when it stopped")
                .isEqualTo(new SubscriptionStart(ReplayPreset.CUSTOM, replayId(storedWhilePaused)));
        for (String opportunity : deals) {
            INFRA.assertOneOfEach(opportunity);
        }
        // every deal event the two replicas consumed is committed (routes/config/kafka-offsets.camel.yaml): a restart
        // reads nothing again
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(committedLag("revenue.deals." + name,
                "revenue-bridge-" + name)).as("deal events consumed but not committed").isZero());
    }

    /** End offsets minus the group's committed offsets, over the topic's partitions. */
    private static long committedLag(String topic, String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                INFRA.kafka().getBrokersAsString()))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            var ends = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(p -> p,
                    p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            long lag = 0;
            for (var partition : partitions) {
                var offset = committed.get(partition);
                lag += ends.get(partition).offset() - (offset == null ? 0 : offset.offset());
            }
            return lag;
        }
    }

    private String close(int i) {
        String n = String.format("%02d", i);
        String opportunity = "006Dn0Rep" + n + "AAAAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0Rep" + n + "AAAAAAA"), true);
        return opportunity;
    }

    private ConfigurableApplicationContext start(String name, String jdbcUrl, String member, Map<String, String> more) {
        Map<String, String> overrides = new java.util.HashMap<>(more);
        overrides.put("revenue.cluster.member-id", member);
        ConfigurableApplicationContext replica = INFRA.startBridge(name, jdbcUrl, overrides);
        replicas.add(replica);
        return replica;
    }

    private static LeaderOnlyRoutePolicy policy(ConfigurableApplicationContext replica) {
        return replica.getBean(LeaderOnlyRoutePolicy.class);
    }

    /** The stored replay id as the bridge keeps it (Camel's header: the Pub/Sub replay id bytes in base64). */
    private static long replayId(String stored) {
        return ByteBuffer.wrap(Base64.getDecoder().decode(stored)).getLong();
    }
}
