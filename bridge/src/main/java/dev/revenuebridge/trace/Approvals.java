package dev.revenuebridge.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import dev.revenuebridge.plan.AuditStep;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Billing approvals and the audit log. A deal held for approval records what was held (the terms and the reasons);
 * an approval records who approved, when, with what comment, and what exactly they approved; once the deal syncs the
 * approval records which downstream records followed. An approval covers the reasons it was given for: a later change
 * that raises a new reason holds the deal again.
 */
@Component("approvals")
public class Approvals {

    public record AuditEntry(long id, String opportunityId, String action, String actor, String comment,
                             String originalValues, String approvedValues, String downstreamRecords, Instant at) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public Approvals(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Records a billing approval given through the ops API or in Salesforce (Billing_Approved__c). */
    public long approve(String opportunityId, String actor, String comment, Map<String, Object> heldTerms,
                        List<String> approvedReasons) {
        return jdbc.queryForObject("""
                INSERT INTO audit_log (opportunity_id, action, actor, comment, original_values, approved_values)
                VALUES (?, 'billing-approval', ?, ?, ?::jsonb, ?::jsonb) RETURNING id
                """, Long.class, opportunityId, actor, comment, toJson(heldTerms),
                toJson(Map.of("approvedReasons", approvedReasons)));
    }

    /** Every approval reason finance approved for this deal (through the ops API or in Salesforce), oldest first. */
    @SuppressWarnings("unchecked")
    public List<String> approvedReasons(String opportunityId) {
        return jdbc.query("""
                SELECT approved_values FROM audit_log WHERE opportunity_id = ? AND action = 'billing-approval' ORDER BY id
                """, (rs, i) -> rs.getString(1), opportunityId).stream().flatMap(text -> {
            try {
                return ((List<String>) json.readValue(text, Map.class).getOrDefault("approvedReasons", List.of())).stream();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }).distinct().toList();
    }

    /**
     * Writes what the plan's decision asks the audit log to hold before the deal goes on: finance's approval in
     * Salesforce, with the user who made the change, or that approval refused (four eyes).
     */
    public void record(@Header("opportunityId") String opportunityId, AuditStep step) {
        if (step.action() == AuditStep.Action.BILLING_APPROVAL) {
            approve(opportunityId, step.actor(), step.comment(), step.heldTerms(), step.approvedReasons());
        } else {
            operatorAction(opportunityId, step.action().auditAction(), step.actor(), step.comment());
        }
    }

    /** The deal synced: its approvals name the records that followed. */
    public void downstream(@Header("opportunityId") String opportunityId, Map<String, Map<String, String>> records) {
        jdbc.update("""
                UPDATE audit_log SET downstream_records = ?::jsonb
                WHERE opportunity_id = ? AND action = 'billing-approval' AND downstream_records IS NULL
                """, toJson(records), opportunityId);
    }

    public void operatorAction(String opportunityId, String action, String actor, String comment) {
        jdbc.update("INSERT INTO audit_log (opportunity_id, action, actor, comment) VALUES (?, ?, ?, ?)",
                opportunityId, action, actor, comment);
    }

    /** Who closed the deal won in Salesforce (deal_sync.closed_by), or null when not known. */
    public String closedBy(String opportunityId) {
        return jdbc.query("SELECT closed_by FROM deal_sync WHERE opportunity_id = ?", (rs, i) -> rs.getString(1),
                opportunityId).stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    public List<AuditEntry> forOpportunity(String opportunityId) {
        return jdbc.query("""
                SELECT id, opportunity_id, action, actor, comment, original_values, approved_values,
                  downstream_records, at FROM audit_log WHERE opportunity_id = ? ORDER BY id
                """, (rs, i) -> new AuditEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), instant(rs.getTimestamp(9))),
                opportunityId);
    }

    /** What the deal is held for now (its open approval exception). */
    @SuppressWarnings("unchecked")
    public List<String> openApprovalReasonsList(String opportunityId) {
        return jdbc.query("""
                SELECT reasons::text FROM deal_exception WHERE opportunity_id = ? AND kind = 'approval' AND status = 'open'
                ORDER BY id DESC LIMIT 1
                """, (rs, i) -> rs.getString(1), opportunityId).stream().findFirst().map(text -> {
            try {
                return (List<String>) json.readValue(text, List.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }).orElse(List.of());
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
