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
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public DealEventPublisher(ProducerTemplate producer, @Value("${revenue.kafka.deals-topic}") String dealsTopic,
                              com.fasterxml.jackson.databind.ObjectMapper json) {
        this.producer = producer;
        this.dealsTopic = dealsTopic;
        this.json = json;
    }

    /**
     * A deal event for a decision made outside Salesforce (e.g. a billing approval), shaped like the ingest's deal
     * events: {@code commitNumber} makes its processed key unique, {@code commitUser} names who decided.
     */
    public void publishDecision(String opportunityId, String changeType, String commitNumber, String user) {
        java.util.Map<String, Object> event = new java.util.LinkedHashMap<>();
        event.put("opportunityId", opportunityId);
        event.put("changeType", changeType);
        event.put("commitNumber", commitNumber);
        event.put("commitUser", user);
        try {
            publish(opportunityId, json.writeValueAsString(event));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the event and returns once Kafka acknowledged it. */
    public void publish(String key, String eventJson) {
        producer.sendBodyAndHeader("kafka:" + dealsTopic, eventJson, "kafka.KEY", key);
    }

    public String topic() {
        return dealsTopic;
    }
}
