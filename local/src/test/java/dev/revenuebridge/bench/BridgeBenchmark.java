package dev.revenuebridge.bench;

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

/**
 * The bridge's benchmark, run on demand only ({@code ./mvnw -B verify -Pbenchmark}; never in CI: the {@code benchmark}
 * tag is excluded by default). Each mode starts a bridge of its own (its own database and topic), as deployed: the
 * executable jar in a JVM of its own with the pod's heap ({@link BridgeProcess}), on the sandboxes and the Kafka broker
 * of this JVM. It closes {@code benchmark.deals} copies of the worked example at once in the Salesforce sandbox, and times
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
 *   <li>{@code soak}: the ceiling's settings, {@code benchmark.soak-deals} deals (100,000) in rounds of
 *       {@code benchmark.soak-round} (1,000), or fewer if {@code benchmark.soak-minutes} (90) run out first: the
 *       bridge's heap after a full collection at the end of each round. Not in the default modes.</li>
 * </ul>
 * The bridge's CPU and heap are its process's; the sandboxes' and the broker's are this JVM's (PostgreSQL is a process
 * of its own, not counted).
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

    static final int SOAK_DEALS = Integer.getInteger("benchmark.soak-deals", 100_000);
    static final int SOAK_ROUND = Integer.getInteger("benchmark.soak-round", 1_000);
    static final Duration SOAK_TIME = Duration.ofMinutes(Integer.getInteger("benchmark.soak-minutes", 90));
    static final Duration SOAK_RETENTION = Duration.ofMinutes(Integer.getInteger("benchmark.soak-retention-minutes", 10));
    /** Deals a ceiling bridge syncs before it is timed: a fresh JVM's first deals run interpreted, not compiled. */
    static final int WARM_UP = Integer.getInteger("benchmark.warm-up-deals", 200);
    static final Path RESULTS = Path.of(System.getProperty("buildDirectory", "local/target"), "benchmark");

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
                case "soak" -> soak();
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
            // the org's daily API requests too (the sandbox's 15,000 ran out after 12,000 deals of a soak)
            INFRA.salesforce().dailyApiLimit(Integer.MAX_VALUE);
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

    /**
     * The settings of a benchmark bridge: the tests' (its own database and topics on this infrastructure) and these;
     * the retries keep their production backoff (1 s doubling, five retries), not the tests' quick one.
     */
    private static Map<String, String> settings(String name, Map<String, String> limits, Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>(INFRA.bridgeProperties(name, INFRA.createDatabase(name)));
        p.put("camel.main.shutdown-timeout", "2");
        p.putAll(limits);
        p.putAll(overrides);
        return p;
    }

    /** Deals closed at once and what became of them. */
    private record Outcome(long start, Map<String, Long> closedAt, Map<String, Long> syncedAt, Map<String, Long> failedAt,
                           double longestOwnWait, double longestPlaceWait) {
    }

    /**
     * Closes these deals (Opportunity id, Account id) in the Salesforce sandbox at once and waits until each is done:
     * Synced, or Failed (its dead letter kept, as under faults a deal may outlast its retries: the mode does not wait
     * for a replay that nobody makes), or the deadline passed.
     */
    private Outcome closeAndAwait(BridgeProcess bridge, List<String[]> deals, long pollMillis) throws Exception {
        Map<String, Long> closedAt = new ConcurrentHashMap<>();
        Map<String, Long> syncedAt = new ConcurrentHashMap<>();
        Map<String, Long> failedAt = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        for (String[] deal : deals) {
            closedAt.put(deal[0], System.nanoTime());
            INFRA.salesforce().loadDeal(BridgeTestSupport.seedDeal(deal[0], deal[1]), true);
        }
        long deadline = start + DEADLINE.toNanos();
        double longestOwnWait = 0;
        double longestPlaceWait = 0;
        long nextScrape = 0;
        while (syncedAt.size() + failedAt.size() < deals.size() && System.nanoTime() < deadline) {
            for (String[] deal : deals) {
                String opportunity = deal[0];
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
            // a timer's max decays over its expiry (Micrometer's default: 2 minutes, in 3 buffers): the longest waits are
            // read as the mode runs, every 20 s and once at the end (a scrape costs the bridge a BCrypt check)
            boolean done = syncedAt.size() + failedAt.size() >= deals.size();
            if (System.nanoTime() > nextScrape || done) {
                double[] max = bridge.timerMaxSeconds("revenue.bridge.kafka.record.wait",
                        "revenue.bridge.kafka.handover.wait");
                longestOwnWait = Math.max(longestOwnWait, max[0]);
                longestPlaceWait = Math.max(longestPlaceWait, max[1]);
                nextScrape = System.nanoTime() + 20_000_000_000L;
            }
            Thread.sleep(pollMillis);
        }
        return new Outcome(start, closedAt, syncedAt, failedAt, longestOwnWait, longestPlaceWait);
    }

    private Map<String, Object> deals(String mode, int count, Runnable sandboxes, Map<String, String> overrides) throws Exception {
        String name = "bench_" + mode + "_" + (++run) + "_" + ProcessHandle.current().pid();
        try (BridgeProcess bridge = BridgeProcess.start(INFRA, name, settings(name, bridgeLimits(mode), overrides), RESULTS)) {
            StripeCalls.deliverWebhooksTo(bridge.port(), false, false);
            if ("ceiling".equals(mode) && WARM_UP > 0) {
                sandboxes.run();
                List<String[]> warmUp = new ArrayList<>();
                for (int i = 0; i < WARM_UP; i++) {
                    String n = String.format("%05d", i);
                    warmUp.add(new String[] {"006Bw" + String.format("%02d", run) + n + "AAAAA", "001Bw" + String.format("%02d", run) + n + "AAAAA"});
                }
                closeAndAwait(bridge, warmUp, 50);
            }
            sandboxes.run();
            int stripeBefore = INFRA.stripe().requestCount();
            int erpBefore = INFRA.erp().requestCount();
            Duration erpPlaceBefore = INFRA.erp().placeTime();
            int salesforceBefore = INFRA.salesforce().apiCalls();
            int stripe429Before = INFRA.stripe().rateLimitedCount();
            int erp429Before = INFRA.erp().throttledCount();
            long cpuBefore = cpuNanos();
            Duration bridgeCpuBefore = bridge.cpu();
            List<String[]> deals = new ArrayList<>();
            String tag = String.format("%02d", run);
            for (int i = 0; i < count; i++) {
                String n = String.format("%05d", i);
                deals.add(new String[] {"006Bm" + tag + n + "AAAAA", "001Bm" + tag + n + "AAAAA"});
            }
            int stripeLogBefore = INFRA.stripe().requests().size();
            Outcome outcome = closeAndAwait(bridge, deals, 20);
            long start = outcome.start();
            Map<String, Long> closedAt = outcome.closedAt();
            Map<String, Long> syncedAt = outcome.syncedAt();
            Map<String, Long> failedAt = outcome.failedAt();
            double longestOwnWait = outcome.longestOwnWait();
            double longestPlaceWait = outcome.longestPlaceWait();
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
            // the ERP's concurrent places a deal held, in seconds (latency, held answers and retries included)
            double erpPlaceSecondsPerDeal = INFRA.erp().placeTime().minus(erpPlaceBefore).toMillis() / 1e3 / Math.max(1, synced);
            result.put("erpPlaceSecondsPerDeal", round(erpPlaceSecondsPerDeal));
            double bridgeCpuSeconds = bridge.cpu().minus(bridgeCpuBefore).toMillis() / 1e3;
            result.put("bridgeCpuSecondsPer1000Deals", round(bridgeCpuSeconds * 1000 / Math.max(1, synced)));
            result.put("sandboxesCpuSecondsPer1000Deals", round((cpuNanos() - cpuBefore) / 1e9 * 1000 / Math.max(1, synced)));
            result.put("bridgeHeapAfterGcMiB", bridge.heapAfterGcMiB());
            System.gc();
            result.put("sandboxesHeapAfterGcMiB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024));
            if (!"ceiling".equals(mode)) {
                // the ceiling of each system at its limits, from what a deal needs of it: Stripe 25 requests a second,
                // the ERP 15 places held for the place-seconds a deal took (1.5 s a request, more for held answers),
                // Salesforce's pace (revenue.salesforce.max-requests-per-second 20)
                double stripeCeiling = 25 / Math.max(0.001, stripePerDeal);
                double erpCeiling = 15 / Math.max(0.001, erpPlaceSecondsPerDeal);
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
        try (BridgeProcess bridge = BridgeProcess.start(INFRA, name, settings(name, bridgeLimits("ceiling"), Map.of()), RESULTS)) {
            lifted().run();
            INFRA.stripe().payOutLeftovers();
            // the charges were made over days before their payout: their own events are not what is timed here, only
            // the payout's reconciliation (the bridge's webhook endpoint is registered after them)
            INFRA.stripe().webhooks().clear();
            String customer = (String) StripeCalls.post("/v1/customers", "name=Benchmark+payout").get("id");
            INFRA.stripe().charges(customer, PAYOUT_TRANSACTIONS, 1_999, "usd");
            StripeCalls.deliverWebhooksTo(bridge.port(), false, false);
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

    /**
     * The bridge's heap over a long run: rounds of {@link #SOAK_ROUND} deals at the ceiling's settings, the heap after a
     * full collection read at the end of each round. Ends after {@link #SOAK_DEALS} deals, when {@link #SOAK_TIME} has
     * run out, or when this JVM (whose sandboxes keep every object they are given) nears its own heap's end.
     */
    private Map<String, Object> soak() throws Exception {
        String name = "bench_soak_" + (++run) + "_" + ProcessHandle.current().pid();
        lifted().run();
        // the soak compresses a quarter-end's days into an hour or two: the Stripe sandbox forgets events and
        // idempotency keys after benchmark.soak-retention-minutes (10), not 30 days and 24 hours (each holds a copy of its object or answer: they
        // were most of the sandboxes' heap, about 160 MiB per 1,000 deals)
        INFRA.stripe().eventRetention(SOAK_RETENTION).idempotencyKeyTtl(SOAK_RETENTION);
        try {
            return soakRounds(name);
        } finally {
            INFRA.stripe().eventRetention(Duration.ofDays(30)).idempotencyKeyTtl(Duration.ofHours(24));
        }
    }

    private Map<String, Object> soakRounds(String name) throws Exception {
        List<Map<String, Object>> rounds = new ArrayList<>();
        String stopped = "all deals done";
        long begin;
        int done = 0;
        int synced = 0;
        try (BridgeProcess bridge = BridgeProcess.start(INFRA, name, settings(name, bridgeLimits("ceiling"), Map.of()), RESULTS)) {
            StripeCalls.deliverWebhooksTo(bridge.port(), false, false);
            Duration cpuBefore = bridge.cpu();
            begin = System.nanoTime();
            while (done < SOAK_DEALS) {
                if (System.nanoTime() - begin > SOAK_TIME.toNanos()) {
                    stopped = "benchmark.soak-minutes ran out";
                    break;
                }
                var memory = ManagementFactory.getMemoryMXBean();
                System.gc();
                long ownHeap = memory.getHeapMemoryUsage().getUsed();
                if (ownHeap > memory.getHeapMemoryUsage().getMax() * 0.8) {
                    stopped = "the sandboxes' JVM neared its heap's end (" + ownHeap / (1024 * 1024) + " MiB)";
                    break;
                }
                List<String[]> deals = new ArrayList<>();
                for (int i = done; i < Math.min(SOAK_DEALS, done + SOAK_ROUND); i++) {
                    String n = String.format("%07d", i);
                    deals.add(new String[] {"006Sk" + n + "AAAAA", "001Sk" + n + "AAAAA"});
                }
                Outcome outcome = closeAndAwait(bridge, deals, 200);
                done += deals.size();
                synced += outcome.syncedAt().size();
                Map<String, Object> round = new LinkedHashMap<>();
                round.put("deals", done);
                round.put("synced", synced);
                round.put("seconds", round((System.nanoTime() - outcome.start()) / 1e9));
                round.put("bridgeHeapAfterGcMiB", bridge.heapAfterGcMiB());
                round.put("sandboxesHeapAfterGcMiB", ownHeap / (1024 * 1024));
                rounds.add(round);
                LOG.info("Benchmark soak: {}", round);
                // as it goes, in case the run is stopped: one JSON line a round
                Files.createDirectories(RESULTS);
                Files.writeString(RESULTS.resolve("soak-rounds.jsonl"), new ObjectMapper().writeValueAsString(round) + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                if (outcome.syncedAt().size() + outcome.failedAt().size() < deals.size()) {
                    stopped = "a round outlasted benchmark.deadline-minutes";
                    break;
                }
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("mode", "soak");
            result.put("deals", done);
            result.put("synced", synced);
            result.put("stopped", stopped);
            result.put("dealsPerSecond", round(synced / seconds));
            result.put("bridgeCpuSecondsPer1000Deals", round(bridge.cpu().minus(cpuBefore).toMillis() / 1e3 * 1000 / Math.max(1, synced)));
            List<Long> heap = rounds.stream().map(r -> (Long) r.get("bridgeHeapAfterGcMiB")).toList();
            result.put("bridgeHeapAfterGcMiBFirstRound", heap.isEmpty() ? 0 : heap.get(0));
            result.put("bridgeHeapAfterGcMiBLastRound", heap.isEmpty() ? 0 : heap.get(heap.size() - 1));
            result.put("bridgeHeapAfterGcMiBMax", heap.stream().mapToLong(Long::longValue).max().orElse(0));
            // growth: the least-squares slope of the heap after GC over the second half of the rounds (the first
            // rounds fill caches and pools), in MiB per 10,000 deals
            result.put("bridgeHeapGrowthMiBPer10000Deals", round(slope(rounds.subList(rounds.size() / 2, rounds.size())) * 10_000));
            result.put("rounds", rounds);
            LOG.info("Benchmark soak: {}", result);
            return result;
        }
    }

    /** The least-squares slope of the rounds' bridge heap (MiB) against their deals. */
    private static double slope(List<Map<String, Object>> rounds) {
        int n = rounds.size();
        if (n < 2) {
            return 0;
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (Map<String, Object> r : rounds) {
            double x = ((Number) r.get("deals")).doubleValue();
            double y = ((Number) r.get("bridgeHeapAfterGcMiB")).doubleValue();
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    private static void restore() {
        INFRA.stripe().webhooks().clear();   // the stopped bridge's endpoint
        for (var sandbox : List.of(INFRA.stripe().faults(), INFRA.erp().faults(), INFRA.salesforce().faults())) {
            sandbox.clear();
            sandbox.chaos(null);
        }
        INFRA.stripe().rateLimitPerSecond(25).endpointRateLimitPerSecond(25).searchRateLimitPerSecond(20);
        INFRA.erp().concurrencyLimit(5);
        INFRA.salesforce().dailyApiLimit(15_000);
    }

    private static void write(List<Map<String, Object>> results) throws Exception {
        Path dir = RESULTS;
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

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
