package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.trace.DealTrace;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * The revenue schedule to post for a deal: the full schedule of its contract, or, for an amendment made once revenue
 * recognition has begun, the prospective modification of what was posted ({@link ContractModification}).
 */
@Component("revenuePlan")
public class RevenuePlan {

    private final RevenueScheduler scheduler;
    private final ContractModification modification;
    private final DealTrace trace;
    private final Clock clock;

    public RevenuePlan(RevenueScheduler scheduler, DealTrace trace, Clock clock) {
        this.scheduler = scheduler;
        this.modification = new ContractModification(scheduler);
        this.trace = trace;
        this.clock = clock;
    }

    public RevenueSchedule schedule(@ExchangeProperty("deal") ClosedWonDeal deal) {
        List<RevenueSchedule.Entry> posted = posted(deal.opportunityId());
        YearMonth now = YearMonth.now(clock);
        boolean recognitionBegun = posted.stream().anyMatch(e -> e.month().isBefore(now));
        return recognitionBegun ? modification.schedule(deal, posted, now) : scheduler.schedule(scheduler.contract(deal));
    }

    /** Why an amendment of this deal made now cannot be treated prospectively; empty when it can (or is no amendment). */
    public List<String> modificationFindings(ClosedWonDeal deal) {
        List<RevenueSchedule.Entry> posted = posted(deal.opportunityId());
        YearMonth now = YearMonth.now(clock);
        if (posted.stream().noneMatch(e -> e.month().isBefore(now))) {
            return List.of();
        }
        try {
            modification.schedule(deal, posted, now);
            return List.of();
        } catch (RevenueRecognitionException e) {
            return e.findings().stream().map(RevenueFinding::message).toList();
        }
    }

    private List<RevenueSchedule.Entry> posted(String opportunityId) {
        return trace.scheduleOf(opportunityId).stream().map(l -> new RevenueSchedule.Entry(YearMonth.parse(l.month()),
                l.lineId(), l.productCode(), l.amount())).toList();
    }
}
