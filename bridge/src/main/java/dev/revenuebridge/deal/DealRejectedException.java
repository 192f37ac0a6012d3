package dev.revenuebridge.deal;

import java.util.List;

/**
 * A business exception: the deal cannot be synced as it stands in Salesforce. Never retried; every reason is kept,
 * in words a sales rep can act on, and written back to the Opportunity.
 */
public class DealRejectedException extends RuntimeException {

    private final String opportunityId;
    private final List<String> reasons;

    public DealRejectedException(String opportunityId, List<String> reasons) {
        super("Opportunity " + opportunityId + " cannot be synced: " + String.join("; ", reasons));
        this.opportunityId = opportunityId;
        this.reasons = List.copyOf(reasons);
    }

    public String opportunityId() {
        return opportunityId;
    }

    public List<String> reasons() {
        return reasons;
    }
}
