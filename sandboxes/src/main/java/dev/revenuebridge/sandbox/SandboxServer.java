package dev.revenuebridge.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateful fake of an external system on its own loopback port. Subclasses implement the system's protocol in
 * {@link #handle(HttpExchange)}; this base adds what every sandbox has:
 * <ul>
 *   <li>{@code GET /_sandbox/state}: what the bridge created, as JSON ({@link #state()});</li>
 *   <li>{@code GET|POST /_sandbox/faults}: the fault switch ({@link Faults});</li>
 *   <li>{@code POST /_sandbox/reset}: forget all state and clear the faults.</li>
 * </ul>
 */
public abstract class SandboxServer implements AutoCloseable {

    static {
        // the JDK's HTTP server leaves Nagle's algorithm on unless told: a response's last small write then waits for
        // the client's delayed ACK, about 40 ms a request on loopback (a payout's 101 list calls took 4 s of it). The
        // real systems answer at once; read before the first server is made, so set here, by the class that makes them
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    protected final Logger log = LoggerFactory.getLogger(getClass());
    protected final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    protected final Faults faults = new Faults();
    private HttpServer server;
    private ExecutorService executor;

    /** Starts on 127.0.0.1; port 0 picks a free one. */
    public synchronized SandboxServer start(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new IllegalStateException(name() + " sandbox cannot listen on port " + port, e);
        }
        executor = Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, name() + "-sandbox");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
        log.info("{} sandbox listening on {}", name(), baseUrl());
        return this;
    }

    public int port() { return server.getAddress().getPort(); }

    public String baseUrl() { return "http://127.0.0.1:" + port(); }

    public Faults faults() { return faults; }

    /** A short name for logs, e.g. "stripe". */
    protected abstract String name();

    /** Handles one request of the real system's protocol. */
    protected abstract void handle(HttpExchange exchange) throws IOException;

    /** What the bridge created, shown at GET /_sandbox/state. */
    public abstract Object state();

    /** Forgets everything. */
    public abstract void reset();

    /** Answers an injected failure in the system's own error shape. */
    protected abstract void sendInjectedFailure(HttpExchange exchange, int status) throws IOException;

    /**
     * Answers an injected failure, given the request's body (already read); a sandbox whose system remembers failed
     * requests (Stripe's idempotency keys) overrides this one.
     */
    protected void sendInjectedFailure(HttpExchange exchange, int status, String body) throws IOException {
        sendInjectedFailure(exchange, status);
    }

    /**
     * Where a request starts to count against a limit the system keeps on requests in flight, before the injected
     * latency and faults: a system that counts a request until it has answered (NetSuite's concurrency governance)
     * overrides this to take a place, or to answer a refusal and return {@code null}; the returned action gives the
     * place back once the request has been answered, failed or dropped. By default nothing is counted.
     */
    protected Runnable enter(HttpExchange exchange) throws IOException {
        return NOTHING;
    }

    private static final Runnable NOTHING = () -> { };

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/_sandbox/")) {
                control(exchange, path);
                return;
            }
            Runnable leave = enter(exchange);
            if (leave == null) {
                return;   // refused, and answered, by the system's own limit
            }
            try {
                long latency = faults.latencyMillis();
                if (latency > 0) {
                    Thread.sleep(latency);
                }
                Faults.Fault fault = faults.next();
                switch (fault.action()) {
                    case SLOW -> {
                        // held past the client's timeout, then processed anyway: the client never learns it happened
                        log.info("{} sandbox holds {} {} for {} ms", name(), exchange.getRequestMethod(), path, faults.slowMillis());
                        Thread.sleep(faults.slowMillis());
                        handle(exchange);
                    }
                    case DROP -> {
                        log.info("{} sandbox drops the connection of {} {}", name(), exchange.getRequestMethod(), path);
                        exchange.getRequestBody().readAllBytes();
                        // closing without a response drops the connection
                    }
                    case FAIL -> sendInjectedFailure(exchange, fault.status(), readBody(exchange));
                    case PASS -> handle(exchange);
                }
            } finally {
                leave.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("{} sandbox failed on {} {}", name(), exchange.getRequestMethod(), exchange.getRequestURI(), e);
            sendJson(exchange, 500, Map.of("error", String.valueOf(e)));
        }
    }

    @SuppressWarnings("unchecked")
    private void control(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        switch (path) {
            case "/_sandbox/state" -> sendJson(exchange, 200, state());
            case "/_sandbox/reset" -> {
                reset();
                faults.clear();
                sendJson(exchange, 200, Map.of("reset", true));
            }
            case "/_sandbox/faults" -> {
                if ("POST".equals(method)) {
                    faults.apply(json.readValue(readBody(exchange), Map.class));
                }
                sendJson(exchange, 200, faults.describe());
            }
            default -> {
                if (!control(exchange, method, path)) {
                    sendJson(exchange, 404, Map.of("error", "no sandbox control at " + path));
                }
            }
        }
    }

    /** Sandbox-specific control endpoints under /_sandbox/; return false when the path is not one. */
    protected boolean control(HttpExchange exchange, String method, String path) throws IOException {
        return false;
    }

    protected static String readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    protected void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    protected static void sendEmpty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    /** Decodes a query string or form body into an ordered list-preserving map (repeated keys keep the last). */
    protected static Map<String, String> decodeForm(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            try {
                executor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }
}
