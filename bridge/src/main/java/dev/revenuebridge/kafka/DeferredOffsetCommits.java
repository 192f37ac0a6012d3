package dev.revenuebridge.kafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offset commits that any thread may ask for and the consumer's own thread carries out. A KafkaConsumer must only be
 * used from the thread that polls it, but the records it polls finish on the hand-off's worker threads
 * ({@link KeyOrderedHandOff}); so the Kafka consumers this factory makes (the {@code kafkaClientFactory} of the consumer
 * route) commit the offsets that are due for their assigned partitions before each poll (asynchronously: a failed
 * commit is due again), and synchronously before they unsubscribe or close. Camel's own manual commit defers a commit
 * until a poll returns records of that partition, so the last records of a burst would stay uncommitted while the
 * topic is quiet.
 */
public class DeferredOffsetCommits implements KafkaClientFactory {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredOffsetCommits.class);
    private static final Duration FINAL_COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaClientFactory kafka = new DefaultKafkaClientFactory();
    /** The next offset to read of each partition, once everything before it is done; taken by the partition's owner. */
    private final Map<TopicPartition, Long> due = new ConcurrentHashMap<>();

    /** Everything before {@code nextOffset} of the partition is done: commit it at the owner's next poll. */
    public void commit(TopicPartition partition, long nextOffset) {
        due.merge(partition, nextOffset, Math::max);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Consumer getConsumer(Properties kafkaProps) {
        Consumer<Object, Object> consumer = kafka.getConsumer(kafkaProps);
        return (Consumer) Proxy.newProxyInstance(Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "poll" -> commitDue(consumer, false);
                        case "unsubscribe", "close" -> commitDue(consumer, true);
                        default -> { }
                    }
                    try {
                        return method.invoke(consumer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void commitDue(Consumer<?, ?> consumer, boolean last) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            Long next = due.remove(partition);
            if (next != null) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (!last) {
            consumer.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    LOG.warn("Committing {} failed ({}): due again at the next poll", offsets, failure.toString());
                    offsets.forEach((p, o) -> commit(p, o.offset()));
                }
            });
            return;
        }
        try {
            consumer.commitSync(offsets, FINAL_COMMIT_TIMEOUT);
        } catch (RuntimeException e) {
            // the records after the last committed offset are read again by whoever takes the partition: each is
            // applied once (its key is in camel_messageprocessed), so this costs a lookup, not a duplicate
            LOG.warn("Committing {} before the consumer stops failed ({}): those records are read again", offsets, e.toString());
        }
    }

    @Override
    public Producer getProducer(Properties kafkaProps) {
        return kafka.getProducer(kafkaProps);
    }

    @Override
    public String getBrokers(KafkaConfiguration configuration) {
        return kafka.getBrokers(configuration);
    }
}
