package dev.revenuebridge.plan;

import java.util.List;
import java.util.Map;

/**
 * An entry the decision asks to be written to the audit log before the deal goes on (deal-sync's
 * {@code record-approval-decision} step): finance approving in Salesforce, or that approval refused (four eyes).
 */
public record AuditStep(Action action, String actor, String comment, Map<String, Object> heldTerms,
                        List<String> approvedReasons) {

    public enum Action {
        /** Billing_Approved__c set by someone other than the closer: the approval is recorded and the deal goes on. */
        BILLING_APPROVAL("billing-approval"),
        /** Billing_Approved__c set by the user who closed the deal: refused, the deal stays held. */
        APPROVAL_REFUSED("approval-refused");

        private final String auditAction;

        Action(String auditAction) {
            this.auditAction = auditAction;
        }

        /** The audit log's action column. */
        public String auditAction() {
            return auditAction;
        }
    }

    public AuditStep {
        heldTerms = heldTerms == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(heldTerms));
        approvedReasons = approvedReasons == null ? List.of() : List.copyOf(approvedReasons);
    }
}
