package dev.revenuebridge.plan;

import dev.revenuebridge.plan.ValidationGate.Verdict;
import dev.revenuebridge.revenue.Contract;
import dev.revenuebridge.revenue.RevenueSchedule;
import java.util.List;

/**
 * One decision and what follows from it, computed by {@link DealPlanner} from {@link DealFacts} alone: the outcome
 * with its reasons, the audit entry to write first (if any), the contract version a sync makes, and for a valid deal its
 * ASC 606 contract and revenue schedule (posted when the outcome syncs; what stands when it does not). The live route applies it; the deal-desk preview
 * shows it and applies nothing.
 *
 * <p>Carried through the deal routes as the exchange property {@code plan}: {@code deal-sync}'s choice switches on
 * {@code ${exchangeProperty.plan.outcome()}}; deal-requires-review and deal-pending-approval write its reasons;
 * revenue-schedule keeps its schedule; stripe-amendment names its contract version.
 */
public record DealPlan(String opportunityId, Outcome outcome, Verdict verdict, AuditStep auditStep, int contractVersion,
                       String opportunityType, Contract contract, RevenueSchedule revenueSchedule) {

    /** Why the deal requires review (empty unless it does). */
    public List<String> reasons() {
        return verdict == null ? List.of() : verdict.reasons();
    }

    /** What needs approving (empty when nothing does). */
    public List<String> approvalReasons() {
        return verdict == null ? List.of() : verdict.approvalReasons();
    }

    /** The status the Opportunity shows once the plan is applied (Sync_Status__c), or null when it keeps its own. */
    public String syncStatus() {
        return switch (outcome) {
            case REQUIRES_REVIEW -> "Requires Review";
            case PENDING_APPROVAL -> "Pending Approval";
            case AMENDMENT, RENEWAL, NEW_BUSINESS, RESTORED -> "Synced";
            case REOPENED, STALE, UNCHANGED -> null;
        };
    }
}
