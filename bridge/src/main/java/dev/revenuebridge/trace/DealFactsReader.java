package dev.revenuebridge.trace;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.plan.DealFacts;
import dev.revenuebridge.plan.DealFacts.Change;
import dev.revenuebridge.plan.DealFacts.History;
import dev.revenuebridge.plan.DealFacts.Opportunity;
import dev.revenuebridge.revenue.RevenueSchedule;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Reads everything {@link dev.revenuebridge.plan.DealPlanner} decides from, in one step before it runs: the deal's
 * synced contract, posted revenue schedule, approvals, closer and status from PostgreSQL, beside the deal and the
 * Opportunity as just fetched and the change event that brought them.
 */
@Component("dealFacts")
public class DealFactsReader {

    private final ContractVersions versions;
    private final DealTrace trace;
    private final Approvals approvals;
    private final Clock clock;

    public DealFactsReader(ContractVersions versions, DealTrace trace, Approvals approvals, Clock clock) {
        this.versions = versions;
        this.trace = trace;
        this.approvals = approvals;
        this.clock = clock;
    }

    /** Who made the change and which fields it changed, from a deal event (DealEventCheck's shape). */
    public Change change(@Body Map<String, Object> dealEvent) {
        Object fields = dealEvent.get("changedFields");
        List<String> changed = fields instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
        Object user = dealEvent.get("commitUser");
        return new Change(user == null ? null : String.valueOf(user), changed);
    }

    public DealFacts load(@ExchangeProperty("deal") ClosedWonDeal deal, @ExchangeProperty("opportunity") Opportunity opportunity,
                          @ExchangeProperty("change") Change change) {
        return new DealFacts(deal, opportunity, change == null ? Change.NONE : change, history(deal.opportunityId()),
                YearMonth.now(clock));
    }

    /** What the bridge did with the deal before (nothing, for an Opportunity it never saw). */
    public History history(String opportunityId) {
        if (opportunityId == null || !trace.known(opportunityId)) {
            return History.NONE;
        }
        List<RevenueSchedule.Entry> posted = trace.scheduleOf(opportunityId).stream().map(l -> new RevenueSchedule.Entry(
                YearMonth.parse(l.month()), l.lineId(), l.productCode(), l.amount())).toList();
        return new History(versions.latest(opportunityId).orElse(null), posted, approvals.approvedReasons(opportunityId),
                approvals.closedBy(opportunityId), trace.heldAfterSync(opportunityId));
    }

    /**
     * The facts of a deal the deal desk previews: won as it would close, as of now (never older than what was synced,
     * whatever SystemModstamp the body carries), no change event, its history if any.
     */
    public DealFacts preview(ClosedWonDeal deal, String opportunityType) {
        return new DealFacts(deal.withVersion(null), new Opportunity(true, opportunityType, false), Change.NONE,
                history(deal.opportunityId()), YearMonth.now(clock));
    }
}
