package dev.revenuebridge.plan;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.revenue.RevenueSchedule;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

/**
 * Everything the planner decides from, read before it runs: the deal as Salesforce has it now, the Opportunity's state
 * beside its terms, the change that brought it, what the bridge did with it before, and the month it is planned in.
 * {@link DealPlanner} reads nothing else, so the same facts always give the same decision and plan.
 *
 * <p>Carried through the deal routes as the exchange property {@code facts} (set by {@code dealFacts.load}).
 */
public record DealFacts(ClosedWonDeal deal, Opportunity opportunity, Change change, History history, YearMonth month) {

    /** Salesforce's Opportunity beside the contract's terms: won now, its type, whether finance flagged billing approved. */
    public record Opportunity(boolean won, String type, boolean billingApproved) {
        public Opportunity {
            type = type == null ? "New Business" : type;
        }
    }

    /** The change event: who made it and which fields it changed (empty for a sweep or a replay). */
    public record Change(String changedBy, List<String> changedFields) {
        public Change {
            changedFields = changedFields == null ? List.of() : List.copyOf(changedFields);
        }

        public static final Change NONE = new Change(null, List.of());

        public boolean changed(String field) {
            return changedFields.contains(field);
        }
    }

    /** The contract version last synced: its number, the SystemModstamp it was read at, its terms ({@link ContractTerms}). */
    public record SyncedContract(int version, Instant sourceModstamp, String terms) {
    }

    /**
     * What the bridge did with the deal before: the newest synced contract (null when never synced), the revenue
     * schedule it posted, the approval reasons finance approved, who closed it won, and whether it is held (review,
     * approval, failure) after a sync that still stands in Stripe and the ERP.
     */
    public record History(SyncedContract synced, List<RevenueSchedule.Entry> postedSchedule, List<String> approvedReasons,
                          String closedBy, boolean heldAfterSync) {
        public History {
            postedSchedule = List.copyOf(postedSchedule);
            approvedReasons = List.copyOf(approvedReasons);
        }

        public static final History NONE = new History(null, List.of(), List.of(), null, false);
    }
}
