package dev.revenuebridge.api;

import dev.revenuebridge.trace.Approvals;
import dev.revenuebridge.trace.DealTrace;

import dev.revenuebridge.kafka.DealEventPublisher;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/approvals/{opportunityId}} with {@code {"comment": "..."}}, signed in with the {@code finance} role:
 * finance approves the billing of a deal held as Pending Approval. The approver is the signed-in principal (never a
 * field of the request). The approval is written to the audit log with who approved and what, and the deal goes back
 * through deal-sync (a deal event on Kafka), which now lets it through.
 */
@RestController
@RequestMapping("/api/approvals")
public class ApprovalController {

    /** What the approver says about the approval; who approves is the signed-in principal. */
    public record ApprovalRequest(String comment) {
    }

    private final DealTrace trace;
    private final Approvals approvals;
    private final DealEventPublisher dealEvents;

    private final dev.revenuebridge.security.OpsSecurity.Settings security;

    public ApprovalController(DealTrace trace, Approvals approvals, DealEventPublisher dealEvents,
                              dev.revenuebridge.security.OpsSecurity.Settings security) {
        this.security = security;
        this.trace = trace;
        this.approvals = approvals;
        this.dealEvents = dealEvents;
    }

    @PostMapping("/{opportunityId}")
    public ResponseEntity<Map<String, Object>> approve(@PathVariable String opportunityId,
                                                       @RequestBody(required = false) ApprovalRequest request,
                                                       java.security.Principal approver) {
        if (approver == null || approver.getName() == null || approver.getName().isBlank()) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "an approval needs a signed-in approver"));
        }
        String comment = request == null ? null : request.comment();
        var status = trace.status(opportunityId);
        if (status.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "unknown deal", "opportunityId", opportunityId));
        }
        if (!DealTrace.PENDING_APPROVAL.equals(status.get())) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "the deal is not pending approval",
                    "opportunityId", opportunityId, "status", status.get()));
        }
        var closer = java.util.Optional.ofNullable(approvals.closedBy(opportunityId));
        if (closer.isPresent() && closer.equals(security.salesforceUserOf(approver))) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "you closed this deal in Salesforce ("
                    + closer.get() + "): someone else in finance approves its billing", "opportunityId", opportunityId));
        }
        List<String> reasons = approvals.openApprovalReasonsList(opportunityId);
        long approvalId = approvals.approve(opportunityId, approver.getName(), comment, Map.of("heldFor", reasons), reasons);
        dealEvents.publishDecision(opportunityId, "APPROVAL", "approval-" + approvalId, approver.getName());
        return ResponseEntity.accepted().body(Map.of("approvalId", approvalId, "opportunityId", opportunityId,
                "approvedBy", approver.getName(), "approved", reasons, "status", "approved; the deal is syncing"));
    }
}
