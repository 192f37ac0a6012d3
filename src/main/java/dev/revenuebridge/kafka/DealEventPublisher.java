package dev.revenuebridge.kafka;

import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Puts a deal event on the deals topic from outside the ingest route (an approval, a dead-letter replay), keyed by
 * Opportunity Id like every deal event, so it goes through deal-sync and its idempotency guards.
 */
@Component
public class DealEventPublisher {

    private final ProducerTemplate producer;
    private final String dealsTopic;

    public DealEventPublisher(ProducerTemplate producer, @Value("${revenue.kafka.deals-topic}") String dealsTopic) {
        this.producer = producer;
        this.dealsTopic = dealsTopic;
    }

    /** Sends the event and returns once Kafka acknowledged it. */
    public void publish(String key, String eventJson) {
        producer.sendBodyAndHeader("kafka:" + dealsTopic, eventJson, "kafka.KEY", key);
    }

    public String topic() {
        return dealsTopic;
    }
}
