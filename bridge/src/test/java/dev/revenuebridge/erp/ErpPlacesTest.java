package dev.revenuebridge.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.revenuebridge.throttle.ThrottleMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An ERP request refused as one too many keeps its place and is sent again in it: the next request does not take the
 * place meanwhile (and is not refused in turn), and after the patience the 429 goes back to the route.
 */
class ErpPlacesTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ThrottleMetrics throttles = new ThrottleMetrics(meters);
    private final AtomicInteger refuseNext = new AtomicInteger();
    /** What the fake ERP saw, in order: "429 /a", "204 /b", ... */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    /** The bodies the fake ERP received. */
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    /** Answer 503 to the next n requests (after any 429s). */
    private final AtomicInteger unavailableNext = new AtomicInteger();
    private HttpServer erp;

    private String start() throws Exception {
        erp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        erp.setExecutor(Executors.newFixedThreadPool(4));
        erp.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = refuseNext.getAndDecrement() > 0 ? 429 : unavailableNext.getAndDecrement() > 0 ? 503 : 204;
            seen.add(status + " " + exchange.getRequestURI().getPath());
            byte[] body = status == 429 ? "{\"o:errorCode\":\"CONCURRENCY_LIMIT_EXCEEDED\"}".getBytes(StandardCharsets.UTF_8)
                    : new byte[0];
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        erp.start();
        return "http://127.0.0.1:" + erp.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (erp != null) erp.stop(0);
    }

    private static CloseableHttpClient client(ErpPlaces places) {
        // the client's own retries off: what is measured is the place's
        return HttpClientBuilder.create().disableAutomaticRetries().addExecInterceptorFirst("erp-places", places).build();
    }

    private static int put(CloseableHttpClient client, String url) throws Exception {
        HttpPut put = new HttpPut(url);
        // streamed, as camel-http sends a message body: read once, it cannot be sent again unless kept
        put.setEntity(new org.apache.hc.core5.http.io.entity.InputStreamEntity(new java.io.ByteArrayInputStream(
                "{\"companyName\":\"Acme\"}".getBytes(StandardCharsets.UTF_8)), -1, ContentType.APPLICATION_JSON));
        return client.execute(put, response -> response.getCode());
    }

    @Test
    void aRefusedRequestIsSentAgainInItsOwnPlaceWhileTheNextWaits() throws Exception {
        String base = start();
        ErpPlaces places = new ErpPlaces(1, 10_000, throttles);
        refuseNext.set(2);   // the account's place is still taken by a request the bridge gave up on
        try (CloseableHttpClient client = client(places)) {
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> call(client, base + "/first"));
            Thread.sleep(100);   // the first holds the one place, refused, waiting to go again
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> call(client, base + "/second"));

            assertThat(first.get()).isEqualTo(204);
            assertThat(second.get()).isEqualTo(204);
        }
        // the second was not sent into the refused place meanwhile: refused twice, the first went through, then the second
        assertThat(seen).containsExactly("429 /first", "429 /first", "204 /first", "204 /second");
        assertThat(throttles.rejectedCount("erp")).isEqualTo(2.0);
        assertThat(places.available()).isEqualTo(1);
    }

    @Test
    void afterItsPatienceTheRefusalGoesBackToTheRoute() throws Exception {
        String base = start();
        ErpPlaces places = new ErpPlaces(2, 1_500, throttles);
        refuseNext.set(100);
        long started = System.nanoTime();
        try (CloseableHttpClient client = client(places)) {
            assertThat(put(client, base + "/patient")).isEqualTo(429);
        }
        // sent again in its place (after 250 ms, 500 ms, ...) until the next wait would pass the patience
        assertThat(seen).hasSizeGreaterThanOrEqualTo(2).containsOnly("429 /patient");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofMillis(1_500 + 2_000));
        assertThat(places.available()).isEqualTo(2);
    }

    private static int call(CloseableHttpClient client, String url) {
        try {
            return put(client, url);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theClientsOwnRetrySendsTheKeptBodyNotTheStreamAlreadyRead() throws Exception {
        String base = start();
        unavailableNext.set(1);
        // the client's default retry strategy on (as camel-http has it): a 503 is sent again after a second
        try (CloseableHttpClient client = HttpClientBuilder.create()
                .addExecInterceptorFirst("erp-places", new ErpPlaces(1, 10_000, throttles)).build()) {
            assertThat(put(client, base + "/retried")).isEqualTo(204);
        }
        assertThat(seen).containsExactly("503 /retried", "204 /retried");
        assertThat(bodies).containsExactly("{\"companyName\":\"Acme\"}", "{\"companyName\":\"Acme\"}");
    }
}
