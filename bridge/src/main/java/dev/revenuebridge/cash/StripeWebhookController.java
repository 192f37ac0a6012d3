package dev.revenuebridge.cash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks/stripe}: Stripe's event deliveries. The {@code Stripe-Signature} header is verified as Stripe
 * defines it (HMAC-SHA256 of {@code timestamp.payload} with the endpoint's signing secret, the timestamp within the
 * tolerance), against each configured secret, so that a rotated secret and its successor are both accepted while
 * Stripe signs with both. A verified event is put on Kafka (key: the id of the object it is about) and the answer is
 * 200 only once Kafka has acknowledged it; if Kafka cannot take it, 503, and Stripe delivers it again. A refused
 * delivery stores nothing: it is counted ({@code revenue_bridge_stripe_webhooks_refused_total{reason}}) and logged.
 */
@RestController
public class StripeWebhookController {

    private static final Logger LOG = LoggerFactory.getLogger(StripeWebhookController.class);

    private final List<String> secrets;
    private final long toleranceSeconds;
    private final int maxBodyBytes;
    private final StripeEventPublisher publisher;
    private final ObjectMapper json;
    private final MeterRegistry meters;

    public StripeWebhookController(@Value("${revenue.stripe.webhook.secrets:}") List<String> secrets,
                                   @Value("${revenue.stripe.webhook.tolerance-seconds:300}") long toleranceSeconds,
                                   @Value("${revenue.stripe.webhook.max-body-bytes:1048576}") int maxBodyBytes,
                                   StripeEventPublisher publisher, ObjectMapper json, MeterRegistry meters) {
        this.secrets = secrets.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.toleranceSeconds = toleranceSeconds;
        this.maxBodyBytes = maxBodyBytes;
        this.publisher = publisher;
        this.json = json;
        this.meters = meters;
    }

    @PostMapping("/webhooks/stripe")
    public ResponseEntity<Map<String, Object>> receive(HttpServletRequest request) throws IOException {
        byte[] body = readAtMost(request.getInputStream(), maxBodyBytes);
        if (body == null) {
            return refuse(HttpStatus.PAYLOAD_TOO_LARGE, "too_large", "body over " + maxBodyBytes + " bytes", request);
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        String signature = request.getHeader("Stripe-Signature");
        if (signature == null || signature.isBlank()) {
            return refuse(HttpStatus.BAD_REQUEST, "no_signature", "no Stripe-Signature header", request);
        }
        if (secrets.isEmpty()) {
            return refuse(HttpStatus.BAD_REQUEST, "no_secret", "no webhook signing secret is configured "
                    + "(revenue.stripe.webhook.secrets)", request);
        }
        String failure = null;
        for (String secret : secrets) {
            try {
                Webhook.Signature.verifyHeader(payload, signature, secret, toleranceSeconds);
                failure = null;
                break;
            } catch (SignatureVerificationException e) {
                failure = e.getMessage();
            } catch (RuntimeException e) {
                // the SDK reads a malformed header (t=abc) with Long.parseLong: not a signature at all
                failure = "the Stripe-Signature header is malformed";
            }
        }
        if (failure != null) {
            String reason = failure.contains("tolerance") ? "stale" : "signature";
            return refuse(HttpStatus.BAD_REQUEST, reason, failure, request);
        }
        JsonNode event;
        try {
            event = json.readTree(payload);
        } catch (IOException e) {
            return refuse(HttpStatus.BAD_REQUEST, "unreadable", "signed but not JSON: " + e.getMessage(), request);
        }
        String eventId = event.path("id").asText(null);
        String type = event.path("type").asText("unknown");
        String objectId = event.path("data").path("object").path("id").asText(null);
        if (eventId == null || objectId == null) {
            return refuse(HttpStatus.BAD_REQUEST, "unreadable", "signed but not a Stripe event (no id or data.object.id)", request);
        }
        // the events of one invoice share a key (its payments' events name it), so that one consumer applies them in
        // order: an invoice_payment.paid and the invoice.paid of the same invoice never race each other
        String invoiceId = event.path("data").path("object").path("invoice").asText(null);
        String key = "invoice_payment".equals(event.path("data").path("object").path("object").asText())
                && invoiceId != null ? invoiceId : objectId;
        try {
            publisher.publish(payload, key);
        } catch (RuntimeException e) {
            LOG.warn("Stripe event {} ({}) could not be put on Kafka; answering 503 so that Stripe delivers it again: {}",
                    eventId, type, e.getMessage());
            meters.counter("revenue.bridge.stripe.webhooks.refused", "reason", "kafka_unavailable").increment();
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "try again later"));
        }
        meters.counter("revenue.bridge.stripe.webhooks.received", "type", type).increment();
        return ResponseEntity.ok(Map.of("received", true, "id", eventId));
    }

    private ResponseEntity<Map<String, Object>> refuse(HttpStatus status, String reason, String detail,
                                                       HttpServletRequest request) {
        meters.counter("revenue.bridge.stripe.webhooks.refused", "reason", reason).increment();
        LOG.warn("Stripe webhook from {} refused ({}): {}", request.getRemoteAddr(), reason, detail);
        return ResponseEntity.status(status).body(Map.of("error", reason));
    }

    /** The body, or null when it is longer than {@code limit} bytes (read no further than that). */
    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        byte[] bytes = in.readNBytes(limit + 1);
        return bytes.length > limit ? null : bytes;
    }
}
