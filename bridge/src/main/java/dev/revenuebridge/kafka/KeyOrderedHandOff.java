package dev.revenuebridge.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many records in flight, each key's in order. The Kafka consumer's thread hands a record over and polls on; the record
 * runs through the named route on a worker thread as soon as no earlier record of its key (its Opportunity) is in
 * flight, so a deal that waits on a retry or a slow system holds only its own later events, never the deals behind it
 * on its partition. At most {@code limit} records are in flight (waiting for their key or running): the consumer's
 * thread waits for a free place before it hands over another.
 *
 * <p>A record's offset is committed once it and every record before it on its partition are done ({@link CommitFrontier},
 * carried out by {@link DeferredOffsetCommits} on the consumer's thread); a replica that dies re-reads what was in
 * flight, and the route's idempotent consumer skips what had been applied. A record whose route ended with an exception
 * it did not handle (its dead letter could not be stored) is run again after a backoff, doubling up to
 * {@code maxRetryDelay}, ahead of its key's later records; the other keys go on.
 */
public class KeyOrderedHandOff {

    private static final Logger LOG = LoggerFactory.getLogger(KeyOrderedHandOff.class);

    private final CamelContext camel;
    private final String name;
    private final int limit;
    private final Duration firstRetryDelay;
    private final Duration maxRetryDelay;
    private final DeferredOffsetCommits commits;
    private final Semaphore places;
    private final CommitFrontier frontier = new CommitFrontier();
    /** Per key: the records waiting behind the one of that key in flight (a key is present while one is in flight). */
    private final Map<String, ArrayDeque<Record>> keys = new HashMap<>();
    private final Timer waited;
    private final Timer full;
    /** Camel's pools: named after the route, shut down with the context. */
    private final ExecutorService workers;
    private final ScheduledExecutorService retries;
    private final ProducerTemplate producer;

    public KeyOrderedHandOff(CamelContext camel, String name, int limit, Duration firstRetryDelay, Duration maxRetryDelay,
                             DeferredOffsetCommits commits, MeterRegistry meters) {
        if (limit < 1) {
            throw new IllegalArgumentException("records in flight must be at least 1, not " + limit);
        }
        this.camel = camel;
        this.name = name;
        this.limit = limit;
        this.firstRetryDelay = firstRetryDelay;
        this.maxRetryDelay = maxRetryDelay;
        this.commits = commits;
        this.places = new Semaphore(limit);
        this.workers = camel.getExecutorServiceManager().newFixedThreadPool(this, name + "-in-flight", limit);
        this.retries = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, name + "-retries");
        this.producer = camel.createProducerTemplate();
        Gauge.builder("revenue.bridge.kafka.records.in.flight", this, KeyOrderedHandOff::inFlight).tag("route", name)
                .description("records handed over and not yet done (running, or waiting for an earlier record of their key)")
                .register(meters);
        this.waited = Timer.builder("revenue.bridge.kafka.record.wait").tag("route", name)
                .description("from a record's hand-over to its first run: an earlier record of its key in flight")
                .register(meters);
        this.full = Timer.builder("revenue.bridge.kafka.handover.wait").tag("route", name)
                .description("how long the consumer waited for a free place before handing a record over (all in flight)")
                .register(meters);
    }

    /**
     * On the Kafka consumer's thread: hand the record over to the route {@code routeId} and return (waiting only while
     * {@code limit} records are in flight). The record's key is its Kafka key; a record without one runs on its own.
     */
    public void handOver(Exchange record, String routeId) throws InterruptedException {
        Message in = record.getIn();
        String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
        Integer partitionNumber = in.getHeader(KafkaConstants.PARTITION, Integer.class);
        Long offset = in.getHeader(KafkaConstants.OFFSET, Long.class);
        if (topic == null || partitionNumber == null || offset == null) {
            throw new IllegalStateException("a record handed over to " + routeId + " must come from a Kafka consumer ("
                    + KafkaConstants.TOPIC + ", " + KafkaConstants.PARTITION + " and " + KafkaConstants.OFFSET + ")");
        }
        TopicPartition partition = new TopicPartition(topic, partitionNumber);
        Object kafkaKey = in.getHeader(KafkaConstants.KEY);
        String key = kafkaKey != null ? kafkaKey.toString() : partition + "@" + offset;
        long waitingSince = System.nanoTime();
        places.acquire();
        full.record(System.nanoTime() - waitingSince, TimeUnit.NANOSECONDS);
        Record r = new Record(key, partition, offset, routeId, in.getBody(), new HashMap<>(in.getHeaders()), System.nanoTime());
        frontier.started(partition, offset);
        boolean runNow;
        synchronized (keys) {
            ArrayDeque<Record> behind = keys.get(key);
            runNow = behind == null;
            if (runNow) {
                keys.put(key, new ArrayDeque<>());
            } else {
                behind.add(r);
            }
        }
        if (runNow) {
            submit(r);
        }
    }

    /** Records handed over and not yet done. */
    public int inFlight() {
        return limit - places.availablePermits();
    }

    private void submit(Record r) {
        try {
            workers.execute(() -> run(r));
        } catch (RejectedExecutionException stopping) {
            // the bridge is stopping: the record is not committed and is read again after the restart
            LOG.debug("{} not run, the bridge is stopping: read again after the restart", r);
        }
    }

    private void run(Record r) {
        if (r.attempts == 0) {
            waited.record(System.nanoTime() - r.handedOverAt, TimeUnit.NANOSECONDS);
        }
        r.attempts++;
        Exchange exchange;
        try {
            Route route = camel.getRoute(r.routeId);
            if (route == null) {
                throw new IllegalStateException("no route " + r.routeId);
            }
            exchange = route.getEndpoint().createExchange();
            exchange.getExchangeExtension().setFromRouteId(r.routeId);
            exchange.getIn().setBody(r.body);
            exchange.getIn().getHeaders().putAll(r.headers);
            producer.send(route.getEndpoint(), exchange);
        } catch (RuntimeException e) {
            retryLater(r, e);
            return;
        }
        if (exchange.getException() != null) {
            retryLater(r, exchange.getException());
            return;
        }
        done(r);
    }

    private void retryLater(Record r, Exception failure) {
        if (!camel.isStarted()) {
            LOG.debug("{} failed while the bridge stops: read again after the restart", r);
            return;
        }
        long delay = Math.min(maxRetryDelay.toMillis(), firstRetryDelay.toMillis() << Math.min(r.attempts - 1, 20));
        LOG.warn("{} failed outright ({}); run again in {} ms (attempt {}), its key's later records wait, other keys go on",
                r, failure.toString(), delay, r.attempts + 1);
        try {
            retries.schedule(() -> submit(r), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("{} not retried, the bridge is stopping: read again after the restart", r);
        }
    }

    private void done(Record r) {
        Record next;
        synchronized (keys) {
            ArrayDeque<Record> behind = keys.get(r.key);
            next = behind.poll();
            if (next == null) {
                keys.remove(r.key);
            }
        }
        places.release();
        frontier.finished(r.partition, r.offset).ifPresent(nextOffset -> commits.commit(r.partition, nextOffset));
        if (next != null) {
            submit(next);
        }
    }

    private static final class Record {
        final String key;
        final TopicPartition partition;
        final long offset;
        final String routeId;
        final Object body;
        final Map<String, Object> headers;
        final long handedOverAt;
        int attempts;

        Record(String key, TopicPartition partition, long offset, String routeId, Object body, Map<String, Object> headers,
               long handedOverAt) {
            this.key = key;
            this.partition = partition;
            this.offset = offset;
            this.routeId = routeId;
            this.body = body;
            this.headers = headers;
            this.handedOverAt = handedOverAt;
        }

        @Override
        public String toString() {
            return "Record " + partition + "@" + offset + " (key " + key + ") for " + routeId;
        }
    }
}
