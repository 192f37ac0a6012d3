package dev.revenuebridge.bench;

import dev.revenuebridge.support.BridgeInfrastructure;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bridge as it is deployed, in a JVM of its own: {@code java -jar bridge/target/revenue-bridge-*-exec.jar} with the
 * pod's heap (768 MiB: 75% of the Deployment's 1 GiB limit) and the settings that point it at the benchmark's
 * sandboxes, so that its CPU and heap are its own and not the sandboxes' or the broker's. Its log goes to
 * {@code local/target/benchmark/<name>.log}; its metrics are read as Prometheus scrapes them.
 */
final class BridgeProcess implements AutoCloseable {

    /** The heap of the pod: {@code -XX:MaxRAMPercentage=75} of the Deployment's 1 GiB memory limit. */
    static final String HEAP = System.getProperty("benchmark.bridge-heap", "768m");
    /** Settings given to Maven with -D that the bridge reads (e.g. -Drevenue.kafka.deals-in-flight=256). */
    private static final List<String> PASSED_ON = List.of("revenue.", "camel.", "spring.", "management.");

    private final Process process;
    private final int port;
    private final int opsPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private BridgeProcess(Process process, int port, int opsPort) {
        this.process = process;
        this.port = port;
        this.opsPort = opsPort;
    }

    /** Starts the bridge with these settings and waits (two minutes at most) until it has subscribed to Salesforce. */
    static BridgeProcess start(BridgeInfrastructure infra, String name, Map<String, String> settings, Path logDirectory)
            throws IOException, InterruptedException {
        int port = freePort();
        int opsPort = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError"));
        // e.g. -Dbenchmark.bridge-jvm-options="-XX:StartFlightRecording=filename=local/target/benchmark/bridge.jfr,settings=profile"
        for (String option : System.getProperty("benchmark.bridge-jvm-options", "").trim().split("\\s+")) {
            if (!option.isEmpty()) command.add(option);
        }
        // the Salesforce sandbox's TLS certificate (its Pub/Sub API is gRPC over TLS), as the test JVM trusts it
        for (String key : List.of("javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType")) {
            if (System.getProperty(key) != null) command.add("-D" + key + "=" + System.getProperty(key));
        }
        System.getProperties().stringPropertyNames().stream().filter(k -> PASSED_ON.stream().anyMatch(k::startsWith))
                .sorted().forEach(k -> command.add("-D" + k + "=" + System.getProperty(k)));
        command.add("-jar");
        command.add(executableJar().toString());
        Map<String, String> all = new java.util.LinkedHashMap<>(settings);
        all.put("server.port", String.valueOf(port));
        all.put("revenue.ops.port", String.valueOf(opsPort));
        all.forEach((key, value) -> command.add("--" + key + "=" + value));
        Files.createDirectories(logDirectory);
        Path log = logDirectory.resolve(name + ".log");
        int subscribersBefore = infra.salesforce().subscriberCount();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        BridgeProcess bridge = new BridgeProcess(process, port, opsPort);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (infra.salesforce().subscriberCount() <= subscribersBefore) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                bridge.close();
                throw new IllegalStateException("the bridge " + name + " did not subscribe to Salesforce (exit "
                        + (process.isAlive() ? "none" : process.exitValue()) + "); its log: " + log);
            }
            Thread.sleep(100);
        }
        return bridge;
    }

    /** The deployable jar the build made ({@code package} of the bridge module). */
    private static Path executableJar() throws IOException {
        try (var files = Files.list(Path.of("bridge", "target"))) {
            return files.filter(f -> f.getFileName().toString().matches("revenue-bridge-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no bridge/target/revenue-bridge-*-exec.jar: the benchmark"
                            + " runs after the bridge module's package phase (./mvnw -B verify -Pbenchmark)"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    int port() { return port; }

    long pid() { return process.pid(); }

    /** The CPU time the bridge's process has used so far (all its threads). */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The heap in use after a full collection ({@code jcmd <pid> GC.run}), in MiB. */
    long heapAfterGcMiB() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid()), "GC.run").redirectErrorStream(true).start();
        jcmd.getInputStream().readAllBytes();
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return Math.round(sum("jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024));
    }

    /** The largest value each timer saw lately ({@code <name>_seconds_max}), in seconds: one scrape for all. */
    double[] timerMaxSeconds(String... timers) throws IOException, InterruptedException {
        List<String> lines = scrape();
        double[] out = new double[timers.length];
        for (int i = 0; i < timers.length; i++) {
            out[i] = sum(lines, timers[i].replace('.', '_') + "_seconds_max", "");
        }
        return out;
    }

    /**
     * The lines of /actuator/prometheus. Every scrape signs in with Basic auth, which costs the bridge a BCrypt check of
     * the viewer's password (cost 12, about 0.15 CPU-seconds here): scraped twice a second, that was 17% of the bridge's
     * CPU samples at the ceiling, so the benchmark scrapes seldom.
     */
    private List<String> scrape() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/actuator/prometheus"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("viewer:viewer"
                        .getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(30)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body().lines().toList();
    }

    /** The sum of a metric's samples whose labels contain {@code label}. */
    private double sum(String metric, String label) throws IOException, InterruptedException {
        return sum(scrape(), metric, label);
    }

    private static double sum(List<String> lines, String metric, String label) {
        double total = 0;
        for (String line : lines) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                if (label.isEmpty() || line.substring(0, line.lastIndexOf(' ')).contains(label)) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return total;
    }

    /** Stops the bridge as Kubernetes does: SIGTERM, a grace period of 30 s, then SIGKILL. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
