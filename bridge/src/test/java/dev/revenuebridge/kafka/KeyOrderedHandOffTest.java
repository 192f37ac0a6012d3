package dev.revenuebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-off between the deal consumer and deal-sync, on a plain CamelContext: records handed over as the Kafka
 * consumer would (topic, partition, offset, key), a route that records what ran and can be held or made to fail, and
 * the offsets the hand-off asks to commit.
 */
class KeyOrderedHandOffTest {

    static final String TOPIC = "revenue.deals";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    DefaultCamelContext camel;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** "start A#0", "end A#0", ... in the order the route saw them. */
    final List<String> ran = new CopyOnWriteArrayList<>();
    /** Bodies the route holds until their latch is released. */
    final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
    /** Bodies whose first run fails with an exception the route does not handle. */
    final Map<String, AtomicBoolean> failOnce = new ConcurrentHashMap<>();
    /** The offsets asked to be committed, per partition (the highest). */
    final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    long nextOffset;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:work").routeId("work").process(e -> {
                    String body = e.getIn().getBody(String.class);
                    ran.add("start " + body);
                    CountDownLatch latch = held.get(body);
                    if (latch != null) {
                        latch.await(30, TimeUnit.SECONDS);
                    }
                    AtomicBoolean fail = failOnce.get(body);
                    if (fail != null && fail.compareAndSet(true, false)) {
                        ran.add("failed " + body);
                        throw new IllegalStateException("the dead letter store is away");
                    }
                    ran.add("end " + body);
                });
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        held.values().forEach(CountDownLatch::countDown);
        camel.stop();
    }

    KeyOrderedHandOff handOff(int limit) {
        DeferredOffsetCommits commits = new DeferredOffsetCommits() {
            @Override
            public void commit(TopicPartition partition, long nextOffset) {
                committed.merge(partition, nextOffset, Math::max);
                super.commit(partition, nextOffset);
            }
        };
        return new KeyOrderedHandOff(camel, "work", limit, Duration.ofMillis(10), Duration.ofMillis(50), commits, meters);
    }

    /** Hands over the record {@code key#n} at the partition's next offset. */
    void handOver(KeyOrderedHandOff handOff, String key, int n) throws InterruptedException {
        Exchange record = new DefaultExchange(camel);
        record.getIn().setBody(key + "#" + n);
        record.getIn().setHeader(KafkaConstants.TOPIC, TOPIC);
        record.getIn().setHeader(KafkaConstants.PARTITION, 0);
        record.getIn().setHeader(KafkaConstants.OFFSET, nextOffset++);
        record.getIn().setHeader(KafkaConstants.KEY, key);
        handOff.handOver(record, "work");
    }

    @Test
    void aSlowDealHoldsOnlyItsOwnLaterEventsAndTheOffsetWaitsForIt() throws Exception {
        KeyOrderedHandOff handOff = handOff(8);
        held.put("A#0", new CountDownLatch(1));
        handOver(handOff, "A", 0);
        handOver(handOff, "A", 1);
        handOver(handOff, "B", 0);
        handOver(handOff, "A", 2);
        handOver(handOff, "C", 0);

        // B and C, behind A on the partition, are done while A's first event is still running
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.containsAll(List.of("end B#0", "end C#0")));
        assertThat(ran).contains("start A#0").doesNotContain("end A#0", "start A#1", "start A#2");
        assertThat(committed).as("A#0 at offset 0 is unfinished: nothing past it is committed").isEmpty();
        assertThat(handOff.inFlight()).isEqualTo(3);

        held.get("A#0").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed.getOrDefault(P0, 0L) == 5L);
        assertThat(ran.stream().filter(r -> r.contains("A#")).toList())
                .containsExactly("start A#0", "end A#0", "start A#1", "end A#1", "start A#2", "end A#2");
        assertThat(handOff.inFlight()).isZero();
        assertThat(meters.get("revenue.bridge.kafka.record.wait").tag("route", "work").timer().count()).isEqualTo(5);
        assertThat(meters.get("revenue.bridge.kafka.records.in.flight").tag("route", "work").gauge().value()).isZero();
    }

    @Test
    void anEventWhoseRouteFailedOutrightRunsAgainBeforeItsOpportunitysNextEvent() throws Exception {
        KeyOrderedHandOff handOff = handOff(8);
        failOnce.put("A#0", new AtomicBoolean(true));
        handOver(handOff, "A", 0);
        handOver(handOff, "A", 1);
        handOver(handOff, "B", 0);

        await().atMost(Duration.ofSeconds(10)).until(() -> committed.getOrDefault(P0, 0L) == 3L);
        assertThat(ran.stream().filter(r -> r.contains("A#")).toList())
                .containsExactly("start A#0", "failed A#0", "start A#0", "end A#0", "start A#1", "end A#1");
        assertThat(ran).contains("end B#0");
    }

    @Test
    void theConsumerWaitsWhileTheLimitIsInFlight() throws Exception {
        KeyOrderedHandOff handOff = handOff(2);
        held.put("A#0", new CountDownLatch(1));
        held.put("B#0", new CountDownLatch(1));
        handOver(handOff, "A", 0);
        handOver(handOff, "B", 0);
        Thread consumer = new Thread(() -> {
            try {
                handOver(handOff, "C", 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.getState() == Thread.State.WAITING);
        assertThat(ran).doesNotContain("start C#0");

        held.get("B#0").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("end C#0"));
        consumer.join(10_000);
        assertThat(committed).as("A#0 at offset 0 still runs").isEmpty();
        held.get("A#0").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed.getOrDefault(P0, 0L) == 3L);
    }

    @Test
    void aRecordWithoutAKeyRunsOnItsOwn() throws Exception {
        KeyOrderedHandOff handOff = handOff(8);
        held.put("null#0", new CountDownLatch(1));
        for (int i = 0; i < 2; i++) {
            Exchange record = new DefaultExchange(camel);
            record.getIn().setBody("null#" + i);
            record.getIn().setHeader(KafkaConstants.TOPIC, TOPIC);
            record.getIn().setHeader(KafkaConstants.PARTITION, 0);
            record.getIn().setHeader(KafkaConstants.OFFSET, nextOffset++);
            handOff.handOver(record, "work");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("end null#1"));
        assertThat(ran).doesNotContain("end null#0");
    }
}
