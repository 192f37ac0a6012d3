package dev.revenuebridge.sandbox.stripe;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook endpoints of the Stripe sandbox, delivered as Stripe delivers: each event POSTed as JSON with a
 * {@code Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload" keyed by the endpoint secret>} header
 * (signed at delivery time, with the real clock, as Stripe does even for test clocks), retried with backoff until
 * the endpoint answers 2xx (at least once), and, on demand, each delivered twice ({@code duplicates}) or held back and
 * delivered newest first ({@code reorder}).
 */
public final class StripeWebhooks {

    private static final Logger LOG = LoggerFactory.getLogger(StripeWebhooks.class);
    private static final int MAX_ATTEMPTS = 12;

    /** A registered endpoint. */
    public record Endpoint(String url, String secret, boolean duplicates, boolean reorder) {
    }

    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stripe-sandbox-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final List<Map<String, Object>> held = new ArrayList<>();
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();

    StripeWebhooks(ObjectMapper json) {
        this.json = json;
    }

    public void register(Endpoint endpoint) {
        endpoints.add(endpoint);
    }

    public void clear() {
        endpoints.clear();
        synchronized (held) {
            held.clear();
        }
    }

    public int deliveredCount() { return delivered.get(); }

    public int failedAttemptCount() { return failedAttempts.get(); }

    /** The event listener: every event goes to every endpoint. */
    void accept(Map<String, Object> event) {
        for (Endpoint endpoint : endpoints) {
            if (endpoint.reorder()) {
                synchronized (held) {
                    held.add(Map.of("endpoint", endpoint, "event", event));
                    if (held.size() == 1) {
                        executor.schedule(this::releaseHeld, 300, TimeUnit.MILLISECONDS);
                    }
                }
            } else {
                schedule(endpoint, event, 1, 0);
            }
            if (endpoint.duplicates()) {
                schedule(endpoint, event, 1, 150);
            }
        }
    }

    /** Held events, newest first. */
    @SuppressWarnings("unchecked")
    private void releaseHeld() {
        List<Map<String, Object>> batch;
        synchronized (held) {
            batch = new ArrayList<>(held);
            held.clear();
        }
        for (int i = batch.size() - 1; i >= 0; i--) {
            schedule((Endpoint) batch.get(i).get("endpoint"), (Map<String, Object>) batch.get(i).get("event"), 1, 0);
        }
    }

    private void schedule(Endpoint endpoint, Map<String, Object> event, int attempt, long delayMillis) {
        executor.schedule(() -> deliver(endpoint, event, attempt), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void deliver(Endpoint endpoint, Map<String, Object> event, int attempt) {
        try {
            String payload = json.writeValueAsString(event);
            long timestamp = Instant.now().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("Stripe-Signature", signatureHeader(payload, endpoint.secret(), timestamp))
                    .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                    .build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                delivered.incrementAndGet();
                return;
            }
            retry(endpoint, event, attempt, "HTTP " + status);
        } catch (java.io.IOException e) {
            retry(endpoint, event, attempt, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void retry(Endpoint endpoint, Map<String, Object> event, int attempt, String why) {
        failedAttempts.incrementAndGet();
        if (attempt >= MAX_ATTEMPTS) {
            LOG.warn("Stripe sandbox gives up delivering {} to {} after {} attempts: {}", event.get("id"), endpoint.url(),
                    attempt, why);
            return;
        }
        long delay = Math.min(200L << (attempt - 1), 5_000L);
        LOG.info("Stripe sandbox delivery of {} to {} failed ({}); attempt {} in {} ms", event.get("id"), endpoint.url(),
                why, attempt + 1, delay);
        schedule(endpoint, event, attempt + 1, delay);
    }

    /** {@code t=<timestamp>,v1=<signature>} exactly as Stripe computes it. */
    public static String signatureHeader(String payload, String secret, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
