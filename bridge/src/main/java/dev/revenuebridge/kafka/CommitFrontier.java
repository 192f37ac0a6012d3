package dev.revenuebridge.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offset of each partition may be committed when records finish out of order. A partition's records are handed
 * over in offset order and may finish in any order (different Opportunities run side by side); the committed offset
 * only moves past a record once it and every record before it are done, so a replica that dies re-reads whatever was
 * still in flight and never skips a record that had not finished.
 *
 * <p>A record handed over twice (Kafka re-delivers what was not committed after a rebalance) counts twice: its offset is
 * done when both are. Thread-safe.
 */
final class CommitFrontier {

    /** Per partition: the offsets handed over and not yet passed, each with how many of its deliveries are unfinished. */
    private final Map<TopicPartition, TreeMap<Long, Integer>> unfinished = new HashMap<>();

    synchronized void started(TopicPartition partition, long offset) {
        unfinished.computeIfAbsent(partition, p -> new TreeMap<>()).merge(offset, 1, Integer::sum);
    }

    /**
     * The record at {@code offset} is done. Returns the offset to commit (the next one to read: one past the last record
     * of the done run at the partition's start) when the frontier moved, nothing while an earlier record is unfinished.
     */
    synchronized OptionalLong finished(TopicPartition partition, long offset) {
        TreeMap<Long, Integer> offsets = unfinished.get(partition);
        if (offsets == null || offsets.computeIfPresent(offset, (o, n) -> n - 1) == null) {
            throw new IllegalStateException("offset " + offset + " of " + partition + " finished but was never started");
        }
        long passed = -1;
        while (!offsets.isEmpty() && offsets.firstEntry().getValue() == 0) {
            passed = offsets.pollFirstEntry().getKey();
        }
        if (offsets.isEmpty()) {
            unfinished.remove(partition);
        }
        return passed < 0 ? OptionalLong.empty() : OptionalLong.of(passed + 1);
    }

    /** Records handed over and not yet passed by the frontier (unfinished, or done behind an unfinished one). */
    synchronized int held() {
        return unfinished.values().stream().mapToInt(Map::size).sum();
    }
}
