package dev.revenuebridge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Deals by outcome and how long a deal took from Closed Won in Salesforce to synced:
 * {@code revenue_bridge_deals_total{outcome}} (synced, requires_review, pending_approval, failed; each evaluation
 * counts once, amendments included) and {@code revenue_bridge_deal_close_to_synced_seconds} (a histogram of first
 * syncs, from the commit time of the change event that closed the deal).
 */
@Component("dealOutcomes")
public class DealOutcomes {

    public static final String SYNCED = "synced";
    public static final String REQUIRES_REVIEW = "requires_review";
    public static final String PENDING_APPROVAL = "pending_approval";
    public static final String FAILED = "failed";

    private final Map<String, Counter> outcomes;
    private final Timer closeToSynced;
    private final Clock clock;

    public DealOutcomes(MeterRegistry registry) {
        // elapsed time against Salesforce's commit times: real time, not the bridge's business clock (revenue.clock.*)
        this.clock = Clock.systemUTC();
        this.outcomes = Stream.of(SYNCED, REQUIRES_REVIEW, PENDING_APPROVAL, FAILED).collect(Collectors.toMap(o -> o,
                o -> Counter.builder("revenue.bridge.deals").description("deals evaluated, by outcome")
                        .tag("outcome", o).register(registry)));
        this.closeToSynced = Timer.builder("revenue.bridge.deal.close.to.synced")
                .description("from Closed Won in Salesforce to the deal's first sync")
                .serviceLevelObjectives(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
                        Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(24))
                .register(registry);
    }

    /** A deal's outcome by its status in deal_sync (Synced, Requires Review, Pending Approval, Failed). */
    public void outcome(String status) {
        Counter counter = outcomes.get(status.toLowerCase(Locale.ROOT).replace(' ', '_'));
        if (counter != null) {
            counter.increment();
        }
    }

    /** A deal synced for the first time; closedAt is when it was closed won in Salesforce (null: not known). */
    public void firstSynced(Instant closedAt) {
        if (closedAt != null) {
            Duration took = Duration.between(closedAt, clock.instant());
            closeToSynced.record(took.isNegative() ? Duration.ZERO : took);
        }
    }

}
