package dev.revenuebridge.cash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Puts a Stripe event on Kafka, keyed by the id of the object it is about, and returns once Kafka acknowledged it:
 * for the webhook endpoint (a verified delivery) and for the replay of a Stripe event kept as a dead letter.
 */
@Component
public class StripeEventPublisher {

    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final String topic;

    public StripeEventPublisher(ProducerTemplate producer, ObjectMapper json,
                                @Value("${revenue.kafka.stripe-events-topic:revenue.stripe-events}") String topic) {
        this.producer = producer;
        this.json = json;
        this.topic = topic;
    }

    /** The object id an event is about, or null when the payload is not a Stripe event. */
    public String objectId(String payload) {
        try {
            JsonNode event = json.readTree(payload);
            return event.path("id").isTextual() ? event.path("data").path("object").path("id").asText(null) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Publishes the event keyed by {@code objectId}, synchronously. */
    public void publish(String payload, String objectId) {
        producer.sendBodyAndHeader("direct:stripe-event-received", payload, "kafka.KEY", objectId);
    }

    public String topic() {
        return topic;
    }
}
