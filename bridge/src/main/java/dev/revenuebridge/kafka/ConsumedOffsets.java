package dev.revenuebridge.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.springframework.stereotype.Component;

/**
 * Commits a Kafka record's offset once the bridge is done with it (synced, skipped as a duplicate, or kept as a dead
 * letter). A record whose processing was cut short (a crash, a forced stop) is not committed and comes again.
 */
@Component("consumedOffsets")
public class ConsumedOffsets {

    public void commit(Exchange exchange) {
        KafkaManualCommit manual = exchange.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (manual == null) {
            throw new IllegalStateException("no Kafka manual commit on the exchange: the consumer needs allowManualCommit=true");
        }
        manual.commit();
    }
}
