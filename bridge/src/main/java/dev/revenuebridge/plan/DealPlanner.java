package dev.revenuebridge.plan;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.plan.DealFacts.History;
import dev.revenuebridge.plan.ValidationGate.Verdict;
import dev.revenuebridge.revenue.Contract;
import dev.revenuebridge.revenue.RevenueSchedule;
import dev.revenuebridge.revenue.RevenueScheduler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * The one place a deal's fate is decided: from {@link DealFacts} (the deal, the Opportunity, the change, the deal's
 * history) to a {@link DealPlan}. Pure: it reads no database and calls no system, so the same facts give the same plan,
 * in {@code deal-sync} and in the deal-desk preview alike, and its golden tests need nothing running.
 *
 * <p>In order: not won any more → REOPENED; read before the synced version → STALE; the validation gate
 * ({@link ValidationGate}); the synced terms again → UNCHANGED, or RESTORED when the deal is held after that sync;
 * a failing rule → REQUIRES_REVIEW; non-standard billing that approvals on record do not cover and finance has not
 * just approved in Salesforce (by someone other than the closer) → PENDING_APPROVAL; then AMENDMENT of a synced
 * contract, RENEWAL or NEW_BUSINESS.
 */
@Component("dealPlanner")
public class DealPlanner {

    /** The Opportunity field finance sets to approve a deal's billing in Salesforce. */
    public static final String BILLING_APPROVED_FIELD = "Billing_Approved__c";

    private final ValidationGate gate;
    private final RevenueScheduler revenue;

    public DealPlanner(MappingCatalog mappings, RevenueScheduler revenue) {
        this.gate = new ValidationGate(mappings, revenue);
        this.revenue = revenue;
    }

    public DealPlan plan(@ExchangeProperty("facts") DealFacts facts) {
        ClosedWonDeal deal = facts.deal();
        History history = facts.history();
        int nextVersion = history.synced() == null ? 1 : history.synced().version() + 1;
        String type = facts.opportunity().type();
        if (!facts.opportunity().won()) {
            return decided(deal, Outcome.REOPENED, null, null, nextVersion, type);
        }
        ContractTerms.Change change = ContractTerms.classify(deal, history.synced());
        if (change == ContractTerms.Change.STALE) {
            return decided(deal, Outcome.STALE, null, null, nextVersion, type);
        }
        Verdict verdict = gate.evaluate(deal, change, history.synced(), history.postedSchedule(), facts.month());
        if (!verdict.valid()) {
            return new DealPlan(deal.opportunityId(), Outcome.REQUIRES_REVIEW, verdict, null, nextVersion, type, null, null);
        }
        // a valid deal's contract and schedule: what the route posts when it syncs, what stands when it does not
        Contract contract = revenue.contract(deal);
        RevenueSchedule schedule = gate.schedule(deal, history.postedSchedule(), facts.month());
        Outcome outcome;
        AuditStep audit = null;
        if (change == ContractTerms.Change.UNCHANGED) {
            outcome = history.heldAfterSync() ? Outcome.RESTORED : Outcome.UNCHANGED;
        } else if (verdict.needsApproval() && !covered(history, verdict)) {
            audit = approvalInSalesforce(facts, verdict);
            boolean approvedNow = audit != null && audit.action() == AuditStep.Action.BILLING_APPROVAL;
            outcome = approvedNow ? syncing(change, type) : Outcome.PENDING_APPROVAL;
        } else {
            outcome = syncing(change, type);
        }
        return new DealPlan(deal.opportunityId(), outcome, verdict, audit, nextVersion, type, contract, schedule);
    }

    /** The outcome of a deal that syncs: the amendment of a synced contract, a renewal or new business. */
    private static Outcome syncing(ContractTerms.Change change, String type) {
        return change == ContractTerms.Change.AMENDMENT ? Outcome.AMENDMENT
                : "Renewal".equals(type) ? Outcome.RENEWAL : Outcome.NEW_BUSINESS;
    }

    /** Approvals on record cover every reason the deal is held for now (a new reason holds it again). */
    private static boolean covered(History history, Verdict verdict) {
        return history.approvedReasons().containsAll(verdict.approvalReasons());
    }

    /**
     * Only the change that sets Billing_Approved__c approves, and only what the deal is held for at that moment (a flag
     * left set does not approve later changes); whoever closed the deal does not approve its billing (four eyes).
     */
    private static AuditStep approvalInSalesforce(DealFacts facts, Verdict verdict) {
        boolean setNow = facts.change().changed(BILLING_APPROVED_FIELD);
        if (!facts.opportunity().billingApproved() || !setNow) {
            return null;
        }
        String changedBy = facts.change().changedBy();
        if (changedBy != null && changedBy.equals(facts.history().closedBy())) {
            return new AuditStep(AuditStep.Action.APPROVAL_REFUSED, "salesforce user " + changedBy,
                    BILLING_APPROVED_FIELD + " set by the user who closed the deal: someone else must approve", null, List.of());
        }
        return new AuditStep(AuditStep.Action.BILLING_APPROVAL, changedBy == null ? "salesforce" : "salesforce user " + changedBy,
                "approved in Salesforce (" + BILLING_APPROVED_FIELD + ")", heldTerms(facts.deal(), verdict),
                verdict.approvalReasons());
    }

    /** The deal's terms as they stood when held, for the audit log. */
    public static Map<String, Object> heldTerms(ClosedWonDeal deal, Verdict verdict) {
        Map<String, Object> terms = new LinkedHashMap<>();
        terms.put("amount", deal.amount());
        terms.put("currency", deal.currency());
        terms.put("paymentTerms", deal.paymentTerms());
        terms.put("billingCadence", deal.billingCadence());
        terms.put("lines", deal.lines().stream().map(l -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("lineId", l.lineId());
            line.put("productCode", l.productCode());
            line.put("quantity", l.quantity());
            line.put("unitPrice", l.unitPrice());
            line.put("discountPercent", l.discountPercent());
            line.put("totalPrice", l.totalPrice());
            return line;
        }).toList());
        terms.put("heldFor", verdict.approvalReasons());
        return terms;
    }

    private static DealPlan decided(ClosedWonDeal deal, Outcome outcome, Verdict verdict, AuditStep audit, int version,
                                    String type) {
        return new DealPlan(deal.opportunityId(), outcome, verdict, audit, version, type, null, null);
    }
}
