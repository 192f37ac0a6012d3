package dev.revenuebridge.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.revenuebridge.sandbox.Faults;
import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The bridge's benchmark, run on demand only ({@code ./mvnw -B verify -Pbenchmark}; never in CI: the {@code benchmark}
 * tag is excluded by default). Each mode starts a bridge of its own (its own database and topic) on the shared
 * sandboxes, closes {@code benchmark.deals} copies of the worked example at once in the Salesforce sandbox, and times
 * each deal from its close to the Synced write-back arriving on the Opportunity in the sandbox (a deal that ends Failed,
 * its dead letter kept, is done but not counted as synced). Results:
 * {@code local/target/benchmark/results.md} and {@code results.json}.
 *
 * <ul>
 *   <li>{@code ceiling}: no latency, every limit lifted (the sandboxes' and the bridge's own): the bridge's own
 *       ceiling.</li>
 *   <li>{@code realistic}: Stripe 300 ms, ERP 1.5 s, Salesforce 200 ms a request; Stripe test mode's 25 requests per
 *       second, the ERP's 15 concurrent requests: achieved throughput against the ceiling of the system that binds
 *       first (from the calls per deal measured).</li>
 *   <li>{@code naive}: realistic, one deal at a time (one in flight), write-backs one per call: the baseline.</li>
 *   <li>{@code faults}: realistic plus 10% of each sandbox's requests failing: a 5xx, a 429, a dropped connection or
 *       an answer held past the bridge's timeout (ERP 65 s against 60 s), then processed anyway.</li>
 *   <li>{@code payout}: a payout of {@code benchmark.payout-transactions} balance transactions at no latency, from
 *       {@code payout.paid} to the ERP deposit.</li>
 * </ul>
 * CPU and heap are the whole test JVM's (the bridge, the sandboxes, Kafka; PostgreSQL is its own process).
 */
@Tag("benchmark")
class BridgeBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeBenchmark.class);
    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    static final int DEALS = Integer.getInteger("benchmark.deals", 100);
    static final int PAYOUT_TRANSACTIONS = Integer.getInteger("benchmark.payout-transactions", 10_000);
    static final List<String> MODES = List.of(System.getProperty("benchmark.modes", "ceiling,realistic,naive,faults,payout")
            .split(","));
    static final Duration DEADLINE = Duration.ofMinutes(Integer.getInteger("benchmark.deadline-minutes", 15));

    private int run;

    @Test
    void benchmark() throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        for (String mode : MODES) {
            LOG.info("Benchmark mode {} starts", mode);
            results.add(switch (mode.trim()) {
                case "ceiling" -> deals(mode, DEALS * 3, lifted(), Map.of());
                case "realistic" -> deals(mode, DEALS, realistic(0), Map.of());
                case "naive" -> deals(mode, Math.min(25, Math.max(10, DEALS / 4)), realistic(0), Map.of("revenue.kafka.deals-in-flight", "1",
                        "revenue.salesforce.write-back.batch-size", "1", "revenue.salesforce.write-back.max-wait-ms", "0"));
                case "faults" -> deals(mode, DEALS, realistic(0.10), Map.of());
                case "payout" -> payout();
                default -> throw new IllegalArgumentException("unknown benchmark mode " + mode);
            });
            restore();
        }
        write(results);
    }

    /** Sandboxes as they are in the realistic mode, with {@code faultShare} of every sandbox's requests failing. */
    private Runnable realistic(double faultShare) {
        return () -> {
            INFRA.stripe().faults().latency(300);
            INFRA.erp().faults().latency(1_500);
            INFRA.salesforce().faults().latency(200);
            INFRA.stripe().rateLimitPerSecond(25);
            INFRA.erp().concurrencyLimit(15);
            if (faultShare > 0) {
                // a fault is a 5xx, a 429, a dropped connection, or an answer held past the bridge's timeout (then
                // processed anyway): Stripe's read timeout 30 s, the ERP's and Salesforce's 60 s
                INFRA.stripe().faults().chaos(new Faults.Chaos(faultShare, List.of(500, 503, 429), 35_000, 21));
                INFRA.erp().faults().chaos(new Faults.Chaos(faultShare, List.of(500, 503, 429), 65_000, 22));
                INFRA.salesforce().faults().chaos(new Faults.Chaos(faultShare, List.of(500, 503), 65_000, 23));
            }
        };
    }

    private Runnable lifted() {
        return () -> {
            INFRA.stripe().rateLimitPerSecond(0).endpointRateLimitPerSecond(0).searchRateLimitPerSecond(0);
            INFRA.erp().concurrencyLimit(100);
        };
    }

    private static Map<String, String> bridgeLimits(String mode) {
        Map<String, String> p = new LinkedHashMap<>();
        if ("ceiling".equals(mode)) {
            p.put("revenue.stripe.max-requests-per-second", "100000");
            p.put("revenue.stripe.max-requests-per-second-per-endpoint", "100000");
            p.put("revenue.stripe.max-search-requests-per-second", "100000");
            p.put("revenue.salesforce.max-requests-per-second", "100000");
            p.put("revenue.erp.max-concurrent-requests", "100");
        } else {
            p.put("revenue.stripe.max-requests-per-second", "25");
            p.put("revenue.erp.max-concurrent-requests", "15");
        }
        return p;
    }

    private Map<String, Object> deals(String mode, int count, Runnable sandboxes, Map<String, String> overrides) throws Exception {
        String name = "bench_" + mode + "_" + (++run) + "_" + ProcessHandle.current().pid();
        Map<String, String> properties = new LinkedHashMap<>(bridgeLimits(mode));
        properties.putAll(overrides);
        try (ConfigurableApplicationContext bridge = INFRA.startBridge(name, INFRA.createDatabase(name), properties)) {
            StripeCalls.deliverWebhooksTo(port(bridge), false, false);
            sandboxes.run();
            int stripeBefore = INFRA.stripe().requestCount();
            int erpBefore = INFRA.erp().requestCount();
            int salesforceBefore = INFRA.salesforce().apiCalls();
            int stripe429Before = INFRA.stripe().rateLimitedCount();
            int erp429Before = INFRA.erp().throttledCount();
            long cpuBefore = cpuNanos();
            Map<String, Long> threadsBefore = threadCpu();
            Map<String, Long> closedAt = new ConcurrentHashMap<>();
            Map<String, Long> syncedAt = new ConcurrentHashMap<>();
            List<String> opportunities = new ArrayList<>();
            String tag = String.format("%02d", run);
            for (int i = 0; i < count; i++) {
                String n = String.format("%05d", i);
                opportunities.add("006Bm" + tag + n + "AAAAA");
            }
            long start = System.nanoTime();
            int stripeLogBefore = INFRA.stripe().requests().size();
            for (int i = 0; i < count; i++) {
                String opportunity = opportunities.get(i);
                closedAt.put(opportunity, System.nanoTime());
                INFRA.salesforce().loadDeal(BridgeTestSupport.seedDeal(opportunity, "001Bm" + tag + String.format("%05d", i) + "AAAAA"), true);
            }
            long deadline = start + DEADLINE.toNanos();
            // a deal is done when it is Synced, or Failed (its dead letter kept, as under faults a deal may outlast its
            // retries): the mode does not wait for a replay that nobody makes
            Map<String, Long> failedAt = new ConcurrentHashMap<>();
            double longestOwnWait = 0;
            double longestPlaceWait = 0;
            while (syncedAt.size() + failedAt.size() < count && System.nanoTime() < deadline) {
                for (String opportunity : opportunities) {
                    if (!syncedAt.containsKey(opportunity)) {
                        Map<String, Object> record = INFRA.salesforce().record("Opportunity", opportunity);
                        Object status = record == null ? null : record.get("Sync_Status__c");
                        if ("Synced".equals(status)) {
                            syncedAt.put(opportunity, System.nanoTime());
                            failedAt.remove(opportunity);
                        } else if ("Failed".equals(status)) {
                            failedAt.putIfAbsent(opportunity, System.nanoTime());
                        }
                    }
                }
                // the timers' max decays over a couple of minutes: the longest waits are read as the mode runs
                longestOwnWait = Math.max(longestOwnWait, maxSeconds(bridge, "revenue.bridge.kafka.record.wait"));
                longestPlaceWait = Math.max(longestPlaceWait, maxSeconds(bridge, "revenue.bridge.kafka.handover.wait"));
                Thread.sleep(20);
            }
            long end = syncedAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
            double seconds = (end - start) / 1e9;
            List<Double> latencies = syncedAt.entrySet().stream()
                    .map(e -> (e.getValue() - closedAt.get(e.getKey())) / 1e9).sorted().toList();
            int synced = syncedAt.size();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("mode", mode);
            result.put("deals", count);
            result.put("synced", synced);
            result.put("deadLettered", failedAt.size());
            result.put("seconds", round(seconds));
            result.put("dealsPerSecond", round(synced / seconds));
            result.put("latencyP50", round(percentile(latencies, 0.50)));
            result.put("latencyP95", round(percentile(latencies, 0.95)));
            result.put("latencyP99", round(percentile(latencies, 0.99)));
            result.put("latencyMax", round(latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1)));
            // steady state: the rate between the 10th and the 90th percentile of the completions (no ramp-up, no tail)
            List<Long> completions = syncedAt.values().stream().sorted().toList();
            int first = completions.size() / 10;
            int last = completions.size() * 9 / 10 - 1;
            double steady = last > first ? (last - first) / ((completions.get(last) - completions.get(first)) / 1e9) : 0;
            result.put("steadyDealsPerSecond", round(steady));
            // the longest an event waited behind an earlier event of its own Opportunity (never behind another deal's)
            result.put("longestWaitBehindOwnEarlierEvent", round(longestOwnWait));
            // the longest the consumer waited for a free place: what a healthy deal can wait behind slow or failing ones
            result.put("longestWaitForAPlaceInFlight", round(longestPlaceWait));
            double stripePerDeal = (INFRA.stripe().requestCount() - stripeBefore) / (double) Math.max(1, synced);
            double erpPerDeal = (INFRA.erp().requestCount() - erpBefore) / (double) Math.max(1, synced);
            double salesforcePerDeal = (INFRA.salesforce().apiCalls() - salesforceBefore) / (double) Math.max(1, synced);
            result.put("stripeCallsPerDeal", round(stripePerDeal));
            result.put("erpCallsPerDeal", round(erpPerDeal));
            result.put("salesforceCallsPerDeal", round(salesforcePerDeal));
            result.put("stripe429", INFRA.stripe().rateLimitedCount() - stripe429Before);
            // what a deal costs at Stripe, by endpoint (ids replaced), and what Stripe refused as too many
            var stripeLog = INFRA.stripe().requests();   // the last 10,000
            var stripeRequests = stripeLog.subList(Math.min(stripeLog.size(), stripeLogBefore), stripeLog.size());
            Map<String, Double> byEndpoint = new java.util.TreeMap<>();
            stripeRequests.forEach(r -> byEndpoint.merge(r.method() + " " + r.path().replaceAll("/[a-z]+_[A-Za-z0-9_]+", "/{id}"),
                    1.0 / Math.max(1, synced), Double::sum));
            byEndpoint.replaceAll((k, v) -> round(v));
            result.put("stripeCallsPerDealByEndpoint", byEndpoint);
            result.put("stripe429Requests", stripeRequests.stream().filter(r -> r.status() == 429)
                    .map(r -> r.method() + " " + r.path()).toList());
            result.put("erp429", INFRA.erp().throttledCount() - erp429Before);
            double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
            result.put("cpuSecondsPer1000Deals", round(cpuSeconds * 1000 / Math.max(1, synced)));
            result.put("bridgeThreadsCpuSecondsPer1000Deals", round(bridgeThreadsCpu(threadsBefore, threadCpu()) / 1e9 * 1000
                    / Math.max(1, synced)));
            System.gc();
            result.put("heapUsedMiB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024));
            if (!"ceiling".equals(mode)) {
                // the ceiling of each system at its limits, from the calls a deal needs: Stripe 25 requests a second,
                // the ERP 15 requests in flight of 1.5 s each, Salesforce's pace (revenue.salesforce.max-requests-per-second 20)
                double stripeCeiling = 25 / Math.max(0.001, stripePerDeal);
                double erpCeiling = 15 / (1.5 * Math.max(0.001, erpPerDeal));
                double salesforceCeiling = 20 / Math.max(0.001, salesforcePerDeal);
                double binding = Math.min(stripeCeiling, Math.min(erpCeiling, salesforceCeiling));
                result.put("bindingSystem", binding == stripeCeiling ? "stripe" : binding == erpCeiling ? "erp" : "salesforce");
                result.put("bindingCeilingDealsPerSecond", round(binding));
                result.put("shareOfBindingCeiling", round(synced / seconds / binding));
                result.put("steadyShareOfBindingCeiling", round(steady / binding));
            }
            LOG.info("Benchmark {}: {}", mode, result);
            return result;
        }
    }

    private Map<String, Object> payout() throws Exception {
        String name = "bench_payout_" + (++run) + "_" + ProcessHandle.current().pid();
        try (ConfigurableApplicationContext bridge = INFRA.startBridge(name, INFRA.createDatabase(name), bridgeLimits("ceiling"))) {
            lifted().run();
            INFRA.stripe().payOutLeftovers();
            // the charges were made over days before their payout: their own events are not what is timed here, only
            // the payout's reconciliation (the bridge's webhook endpoint is registered after them)
            INFRA.stripe().webhooks().clear();
            String customer = (String) StripeCalls.post("/v1/customers", "name=Benchmark+payout").get("id");
            INFRA.stripe().charges(customer, PAYOUT_TRANSACTIONS, 1_999, "usd");
            StripeCalls.deliverWebhooksTo(port(bridge), false, false);
            int stripeBefore = INFRA.stripe().requestCount();
            int erpBefore = INFRA.erp().requestCount();
            long start = System.nanoTime();
            Map<String, Object> payout = INFRA.stripe().payout(LocalDate.parse("2025-12-23"));
            String payoutId = String.valueOf(payout.get("id"));
            long deadline = start + DEADLINE.toNanos();
            while (INFRA.erp().byExternalId("deposit", payoutId).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // (the request log keeps the last 10,000: the payout's own list calls, by their payout parameter)
            long listCalls = INFRA.stripe().requests().stream().filter(r -> r.path().startsWith("/v1/balance_transactions")
                    && payoutId.equals(String.valueOf(r.params().get("payout")))).count();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("mode", "payout");
            result.put("balanceTransactions", PAYOUT_TRANSACTIONS);
            result.put("deposited", INFRA.erp().byExternalId("deposit", payoutId).isPresent());
            result.put("seconds", round(seconds));
            result.put("stripeListCalls", listCalls);
            result.put("stripeCalls", INFRA.stripe().requestCount() - stripeBefore);
            result.put("erpCalls", INFRA.erp().requestCount() - erpBefore);
            LOG.info("Benchmark payout: {}", result);
            return result;
        }
    }

    private static void restore() {
        INFRA.stripe().webhooks().clear();   // the stopped bridge's endpoint
        for (var sandbox : List.of(INFRA.stripe().faults(), INFRA.erp().faults(), INFRA.salesforce().faults())) {
            sandbox.clear();
            sandbox.chaos(null);
        }
        INFRA.stripe().rateLimitPerSecond(25).endpointRateLimitPerSecond(25).searchRateLimitPerSecond(20);
        INFRA.erp().concurrencyLimit(5);
    }

    private static void write(List<Map<String, Object>> results) throws Exception {
        Path dir = Path.of(System.getProperty("buildDirectory", "local/target"), "benchmark");
        Files.createDirectories(dir);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("at", Instant.now().toString());
        run.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + ManagementFactory.getOperatingSystemMXBean()
                .getName() + " " + ManagementFactory.getOperatingSystemMXBean().getArch() + ", Java " + Runtime.version()
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        run.put("command", "./mvnw -B verify -Pbenchmark -Dbenchmark.deals=" + DEALS + " -Dbenchmark.modes=" + String.join(",", MODES));
        run.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), run);
        StringBuilder md = new StringBuilder("# Benchmark results\n\n").append(run.get("at")).append(", ")
                .append(run.get("machine")).append("\n\n`").append(run.get("command")).append("`\n\n");
        for (Map<String, Object> result : results) {
            md.append("- ").append(result).append('\n');
        }
        Files.writeString(dir.resolve("results.md"), md.toString());
        LOG.info("Benchmark results in {}", dir.toAbsolutePath());
    }

    private static double maxSeconds(ConfigurableApplicationContext bridge, String timer) {
        Timer t = bridge.getBean(MeterRegistry.class).find(timer).timer();
        return t == null ? 0 : t.max(TimeUnit.SECONDS);
    }

    private static int port(ConfigurableApplicationContext bridge) {
        return Integer.parseInt(bridge.getEnvironment().getProperty("local.server.port"));
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of every live thread, by id and name. */
    private static Map<String, Long> threadCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new LinkedHashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) out.put(info.getThreadId() + " " + info.getThreadName(), cpu);
            }
        }
        return out;
    }

    /**
     * The CPU of the bridge's own threads between two readings (Camel's, Tomcat's, its Kafka and HTTP clients'); not the
     * sandboxes', the embedded broker's, the test's: an approximation by thread name (threads that ended in between are
     * not counted).
     */
    private static long bridgeThreadsCpu(Map<String, Long> before, Map<String, Long> after) {
        long total = 0;
        for (var e : after.entrySet()) {
            String name = e.getKey().substring(e.getKey().indexOf(' ') + 1);
            boolean bridge = name.startsWith("Camel") || name.startsWith("http-nio") || name.startsWith("kafka-producer-network")
                    || name.startsWith("SalesforceHttpClient") || name.startsWith("leader-only")
                    || name.startsWith("revenue-bridge");
            boolean others = name.contains("sandbox") || name.startsWith("data-plane") || name.startsWith("kafka-cluster")
                    || name.equals("main");
            if (bridge && !others) {
                total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        return total;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
