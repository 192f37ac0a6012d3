package dev.revenuebridge.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What is open and how old it is, read from PostgreSQL every {@code revenue.metrics.refresh-interval-ms}, so every
 * replica reports the same figures (alert on max, not sum):
 * <ul>
 *   <li>{@code revenue_bridge_dead_letters_open} and {@code revenue_bridge_dead_letters_oldest_open_age_seconds};</li>
 *   <li>{@code revenue_bridge_exceptions_open{kind}} (validation, approval, write-back-refused, unreconciled-payout,
 *       possible-event-gap);</li>
 *   <li>{@code revenue_bridge_deals_by_status{status}}: every deal the bridge tracks, by its status now;</li>
 *   <li>{@code revenue_bridge_salesforce_replay_position_age_seconds}: since the stored replay position last moved
 *       (Salesforce keeps change events 72 hours);</li>
 *   <li>{@code revenue_bridge_payouts_unreconciled_amount{currency}} (major units) and
 *       {@code revenue_bridge_payouts_unreconciled_oldest_age_seconds}.</li>
 * </ul>
 */
@Component
public class StateGauges {

    private static final Logger LOG = LoggerFactory.getLogger(StateGauges.class);
    static final List<String> EXCEPTION_KINDS = List.of("validation", "approval", "write-back-refused",
            "unreconciled-payout", "possible-event-gap");
    static final List<String> DEAL_STATUSES = List.of("Received", "Synced", "Requires Review", "Pending Approval",
            "Failed");

    private final JdbcTemplate jdbc;
    /** Reported when set (0 when nothing is open), so the series exists before the first unreconciled payout. */
    private final String corporateCurrency;
    private final MultiGauge exceptionsOpen;
    private final MultiGauge dealsByStatus;
    private final MultiGauge unreconciledAmount;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("state-gauges"));
    private volatile double deadLettersOpen;
    private volatile double deadLetterOldestAge;
    private volatile double replayPositionAge = Double.NaN;
    private volatile double unreconciledOldestAge;

    public StateGauges(JdbcTemplate jdbc, MeterRegistry registry,
                       @Value("${revenue.metrics.refresh-interval-ms:15000}") long refreshMillis,
                       @Value("${revenue.salesforce.corporate-currency:USD}") String corporateCurrency) {
        this.jdbc = jdbc;
        this.corporateCurrency = corporateCurrency.toUpperCase(java.util.Locale.ROOT);
        Gauge.builder("revenue.bridge.dead.letters.open", this, g -> g.deadLettersOpen)
                .description("dead letters waiting for a replay or a resolution").register(registry);
        Gauge.builder("revenue.bridge.dead.letters.oldest.open.age", this, g -> g.deadLetterOldestAge)
                .baseUnit("seconds").description("age of the oldest open dead letter (0: none)").register(registry);
        Gauge.builder("revenue.bridge.salesforce.replay.position.age", this, g -> g.replayPositionAge)
                .baseUnit("seconds").description("since the stored Salesforce replay position last moved")
                .register(registry);
        Gauge.builder("revenue.bridge.payouts.unreconciled.oldest.age", this, g -> g.unreconciledOldestAge)
                .baseUnit("seconds").description("age of the oldest open unreconciled payout (0: none)")
                .register(registry);
        exceptionsOpen = MultiGauge.builder("revenue.bridge.exceptions.open")
                .description("open exceptions, by kind").register(registry);
        dealsByStatus = MultiGauge.builder("revenue.bridge.deals.by.status")
                .description("deals the bridge tracks, by their status now").register(registry);
        unreconciledAmount = MultiGauge.builder("revenue.bridge.payouts.unreconciled.amount")
                .description("amount of the open unreconciled payouts, by currency (major units)").register(registry);
        refresh();
        timer.scheduleWithFixedDelay(this::refresh, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
    }

    void refresh() {
        try {
            jdbc.query("SELECT count(*), coalesce(extract(epoch FROM now() - min(failed_at)), 0) FROM dead_letter"
                    + " WHERE status = 'open'", rs -> {
                deadLettersOpen = rs.getLong(1);
                deadLetterOldestAge = rs.getDouble(2);
            });
            exceptionsOpen.register(rows(counts("SELECT kind, count(*) FROM deal_exception WHERE status = 'open'"
                    + " GROUP BY kind", EXCEPTION_KINDS), "kind"), true);
            dealsByStatus.register(rows(counts("SELECT status, count(*) FROM deal_sync GROUP BY status", DEAL_STATUSES),
                    "status"), true);
            List<Double> age = jdbc.queryForList("SELECT extract(epoch FROM now() - max(updated_at)) FROM replay_position"
                    + " HAVING count(*) > 0", Double.class);
            replayPositionAge = age.isEmpty() || age.get(0) == null ? Double.NaN : age.get(0);
            Map<String, Number> amounts = new LinkedHashMap<>();
            if (!corporateCurrency.isBlank()) {
                amounts.put(corporateCurrency, 0);
            }
            jdbc.query("SELECT upper(currency), sum(amount) FROM deal_exception WHERE kind = 'unreconciled-payout'"
                    + " AND status = 'open' AND currency IS NOT NULL GROUP BY upper(currency)",
                    rs -> { amounts.put(rs.getString(1), rs.getBigDecimal(2)); });
            unreconciledAmount.register(rows(amounts, "currency"), true);
            unreconciledOldestAge = jdbc.queryForObject("SELECT coalesce(extract(epoch FROM now() - min(opened_at)), 0)"
                    + " FROM deal_exception WHERE kind = 'unreconciled-payout' AND status = 'open'", Double.class);
        } catch (RuntimeException e) {
            LOG.warn("State gauges not refreshed: {}", e.getMessage());
        }
    }

    private Map<String, Number> counts(String sql, List<String> known) {
        Map<String, Number> counts = new LinkedHashMap<>();
        known.forEach(k -> counts.put(k, 0L));
        jdbc.query(sql, rs -> { counts.put(rs.getString(1), rs.getLong(2)); });
        return counts;
    }

    private static List<MultiGauge.Row<?>> rows(Map<String, Number> values, String tag) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        // the value is fixed per refresh: a row holds a number, not a function
        values.forEach((key, value) -> rows.add(MultiGauge.Row.of(Tags.of(tag, key), value.doubleValue())));
        return rows;
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
