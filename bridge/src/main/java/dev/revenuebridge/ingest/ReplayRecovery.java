package dev.revenuebridge.ingest;

import dev.revenuebridge.trace.DealExceptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the bridge does when Salesforce refuses its stored replay id (Pub/Sub API: {@code INVALID_ARGUMENT} with
 * error code {@code sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted}; "one possible cause is that
 * it's an old Replay ID outside the 72-hour retention period", Pub/Sub API Developer Guide, "Retry RPC Calls After an
 * Error Occurs"). camel-salesforce hands the refusal to the route's error handler ({@code bridgeErrorHandler}) as an
 * {@code InvalidReplayIdException} and would resubscribe with the same id forever; instead the bridge
 * <ol>
 *   <li>counts it in {@code revenue_bridge_salesforce_replay_refused_total} (an alert: events may be lost);</li>
 *   <li>records a possible gap ({@code salesforce_event_gap}) from when the stored position was written (less ten
 *       minutes for clock skew) to now, and opens a {@code possible-event-gap} exception that names the window. Only
 *       the part before Salesforce's earliest retained event is really in doubt, but where that is cannot be known
 *       without reading it, so the whole window is re-read: a deal read twice costs a read, a deal missed costs
 *       money;</li>
 *   <li>stops the subscription and starts {@code salesforce-opportunity-ingest-from-earliest}, which reads from the
 *       earliest retained event and stores positions as the main route does, so the next start resumes normally.</li>
 * </ol>
 * The sweep ({@link SalesforceSweep#gapQueries}) then re-reads every won Opportunity changed in the gap's window.
 */
@Component("replayRecovery")
public class ReplayRecovery implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayRecovery.class);
    static final String SUBSCRIPTION = "salesforce-opportunity-ingest";
    static final String FROM_EARLIEST = "salesforce-opportunity-ingest-from-earliest";
    private static final Duration MARGIN = Duration.ofMinutes(10);

    private final JdbcTemplate jdbc;
    private final ReplayPositions positions;
    private final DealExceptions exceptions;
    private final CamelContext camel;
    private final Counter refused;
    private final AtomicBoolean switching = new AtomicBoolean();
    private final ExecutorService switcher = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "salesforce-replay-recovery");
        thread.setDaemon(true);
        return thread;
    });

    public ReplayRecovery(JdbcTemplate jdbc, ReplayPositions positions, DealExceptions exceptions, CamelContext camel,
                          MeterRegistry meters) {
        this.jdbc = jdbc;
        this.positions = positions;
        this.exceptions = exceptions;
        this.camel = camel;
        this.refused = Counter.builder("revenue.bridge.salesforce.replay.refused")
                .description("Stored replay ids Salesforce refused (past retention): change events may have been lost")
                .register(meters);
    }

    /** Salesforce refused the replay id the subscription started from (the error handler calls this). */
    public void replayIdRefused(@Header("replayChannel") String channelHeader, String refusedReplayId) {
        if (!switching.compareAndSet(false, true)) {
            return;   // camel-salesforce reports each resubscription with the same id: the switch is under way
        }
        refused.increment();
        String channel = channelHeader != null ? channelHeader : camel.resolvePropertyPlaceholders("{{revenue.ingest.channel}}");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant stored = positions.storedAt(channel).orElse(now.minus(Duration.ofDays(3)));
        Instant windowStart = stored.minus(MARGIN);
        Instant windowEnd = now;
        Integer open = jdbc.queryForObject("SELECT count(*) FROM salesforce_event_gap WHERE channel = ? AND refused_replay_id = ?"
                + " AND recovered_at IS NULL", Integer.class, channel, String.valueOf(refusedReplayId));
        if (open == null || open == 0) {
            jdbc.update("INSERT INTO salesforce_event_gap (channel, refused_replay_id, window_start, window_end) VALUES (?, ?, ?, ?)",
                    channel, String.valueOf(refusedReplayId), Timestamp.from(windowStart), Timestamp.from(windowEnd));
            exceptions.openForObject("salesforce:" + channel, "possible-event-gap", "Salesforce refused the stored replay id "
                    + refusedReplayId + " (most likely older than its 72-hour retention): change events from "
                    + windowStart + " to " + windowEnd + " may be lost. The subscription resumed from the earliest retained"
                    + " event and the sweep re-reads every won Opportunity changed in that window");
        }
        LOG.error("Salesforce refused replay id {} on {}: possible event gap {} .. {}; resuming from the earliest retained"
                + " event", refusedReplayId, channel, windowStart, windowEnd);
        switcher.submit(this::resumeFromEarliest);
    }

    /** Off the consumer's own thread: a route cannot stop itself while it is reporting the error. */
    private void resumeFromEarliest() {
        try {
            camel.getRouteController().stopRoute(SUBSCRIPTION, 10, java.util.concurrent.TimeUnit.SECONDS);
            camel.getRouteController().startRoute(FROM_EARLIEST);
            LOG.warn("Salesforce subscription {} stopped; {} reads from the earliest retained event", SUBSCRIPTION,
                    FROM_EARLIEST);
        } catch (Exception e) {
            LOG.error("Salesforce subscription could not be switched to the earliest retained event", e);
            switching.set(false);
        }
    }

    @Override
    public void destroy() {
        switcher.shutdownNow();
    }
}
