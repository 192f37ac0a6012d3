package dev.revenuebridge.trace;


import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The trace of each deal in PostgreSQL: its sync status and the cross-system links (Opportunity to Stripe customer,
 * subscription, invoices, to ERP customer and sales order). The links are also the bridge's own memory of what it
 * created, consulted before every create so that a replay long after Stripe forgot an idempotency key duplicates nothing.
 */
@Component("dealTrace")
public class DealTrace {

    public static final String RECEIVED = "Received";
    public static final String SYNCED = "Synced";
    public static final String FAILED = "Failed";
    public static final String REQUIRES_REVIEW = "Requires Review";
    public static final String PENDING_APPROVAL = "Pending Approval";
    /** Statuses of a deal that waits for a change of its Opportunity to be evaluated again. */
    public static final java.util.Set<String> AWAITING_CHANGE = java.util.Set.of(FAILED, REQUIRES_REVIEW, PENDING_APPROVAL);

    /** One link: a record the bridge created or found in another system for this deal. */
    public record Link(String system, String kind, String externalId, Instant createdAt) {
    }

    /** A month of the deal's revenue schedule. */
    public record ScheduleLine(String month, String lineId, String productCode, java.math.BigDecimal amount,
                               String currency) {
    }

    /** The trace API's view of a deal. */
    public record Trace(String opportunityId, String accountId, String status, String lastError, Instant receivedAt,
                        Instant syncedAt, Instant updatedAt, Map<String, Map<String, String>> externalIds,
                        List<Link> links, List<DealExceptions.DealException> exceptions,
                        List<ScheduleLine> revenueSchedule, RevenueTieOut revenueTieOut,
                        List<Approvals.AuditEntry> auditLog) {
    }

    /**
     * Revenue as the ERP has it: {@code TiedOut} (ARM's revenue plans equal the bridge's schedule), {@code Differences}
     * (each named, also an exception), {@code NotPlannedYet} (ARM has made no plans for the order yet) or
     * {@code PostedAsJournalEntries} (an account without ARM: the bridge posted its schedule).
     */
    public record RevenueTieOut(String status, String salesOrderId, List<String> differences, Instant checkedAt) {
    }

    private final JdbcTemplate jdbc;
    private final DealExceptions exceptions;
    private final Approvals approvals;
    private final dev.revenuebridge.trace.DeadLetters deadLetters;
    private final dev.revenuebridge.metrics.DealOutcomes outcomes;
    private final dev.revenuebridge.outcome.OutcomeEvents events;

    public DealTrace(JdbcTemplate jdbc, DealExceptions exceptions, Approvals approvals,
                     dev.revenuebridge.trace.DeadLetters deadLetters,
                     dev.revenuebridge.metrics.DealOutcomes outcomes, dev.revenuebridge.outcome.OutcomeEvents events) {
        this.events = events;
        this.deadLetters = deadLetters;
        this.outcomes = outcomes;
        this.jdbc = jdbc;
        this.exceptions = exceptions;
        this.approvals = approvals;
    }

    /** The bridge has received this Opportunity (whatever became of it). */
    public boolean known(String opportunityId) {
        return !jdbc.queryForList("SELECT 1 FROM deal_sync WHERE opportunity_id = ?", Integer.class, opportunityId).isEmpty();
    }

    /**
     * True when a change of the Opportunity matters to the bridge: the deal waits for one (it failed, needs review or
     * approval), or it is synced and a change of its terms is an amendment.
     */
    public boolean tracked(String opportunityId) {
        return jdbc.query("SELECT status FROM deal_sync WHERE opportunity_id = ?", (rs, i) -> rs.getString(1),
                opportunityId).stream().anyMatch(s -> SYNCED.equals(s) || AWAITING_CHANGE.contains(s) || RECEIVED.equals(s));
    }

    /** A deal synced once, then held (review, approval, failure): its last sync still stands in Stripe and the ERP. */
    public boolean heldAfterSync(String opportunityId) {
        return jdbc.query("SELECT status, synced_at FROM deal_sync WHERE opportunity_id = ?",
                (rs, i) -> !SYNCED.equals(rs.getString(1)) && rs.getTimestamp(2) != null, opportunityId)
                .stream().findFirst().orElse(false);
    }

    /** The validation gate refused the deal: its reasons are the deal's last error. */
    public void requiresReview(String opportunityId, List<String> reasons) {
        jdbc.update("""
                UPDATE deal_sync SET status = ?, last_error = ?, updated_at = now() WHERE opportunity_id = ?
                """, REQUIRES_REVIEW, String.join("; ", reasons), opportunityId);
        exceptions.open(opportunityId, "validation", reasons);
        outcomes.outcome(REQUIRES_REVIEW);
        dealEvent("deal.requires_review", opportunityId, Map.of("reasons", reasons));
    }

    /** The deal is held for billing approval, for these reasons. */
    public void pendingApproval(String opportunityId, List<String> reasons) {
        jdbc.update("""
                UPDATE deal_sync SET status = ?, last_error = ?, updated_at = now() WHERE opportunity_id = ?
                """, PENDING_APPROVAL, String.join("; ", reasons), opportunityId);
        exceptions.open(opportunityId, "approval", reasons);
        outcomes.outcome(PENDING_APPROVAL);
        dealEvent("deal.pending_approval", opportunityId, Map.of("reasons", reasons));
    }

    public Optional<String> status(String opportunityId) {
        return jdbc.query("SELECT status FROM deal_sync WHERE opportunity_id = ?", (rs, i) -> rs.getString(1),
                opportunityId).stream().findFirst();
    }

    /** The external ids of the deal, by system and kind. */
    public Map<String, Map<String, String>> externalIds(String opportunityId) {
        Map<String, Map<String, String>> ids = new LinkedHashMap<>();
        jdbc.query("SELECT system, kind, external_id FROM deal_link WHERE opportunity_id = ? AND system <> 'stripe-attempt' "
                        + "ORDER BY created_at",
                rs -> {
                    ids.computeIfAbsent(rs.getString(1), s -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
                }, opportunityId);
        return ids;
    }

    /** Replaces the deal's stored revenue schedule. */
    public void revenueSchedule(String opportunityId, List<ScheduleLine> lines) {
        jdbc.update("DELETE FROM revenue_schedule_line WHERE opportunity_id = ?", opportunityId);
        jdbc.batchUpdate("""
                INSERT INTO revenue_schedule_line (opportunity_id, line_id, product_code, month, amount, currency)
                VALUES (?, ?, ?, ?, ?, ?)
                """, lines.stream().map(l -> new Object[] {opportunityId, l.lineId(), l.productCode(), l.month(),
                l.amount(), l.currency()}).toList());
    }

    /** A change event for this Opportunity arrived and is being processed. */
    public void received(@Header("opportunityId") String opportunityId, @Header("dealEventKey") String eventKey) {
        jdbc.update("""
                INSERT INTO deal_sync (opportunity_id, status, last_event_key) VALUES (?, ?, ?)
                ON CONFLICT (opportunity_id) DO UPDATE SET last_event_key = EXCLUDED.last_event_key, updated_at = now(),
                  status = CASE WHEN deal_sync.status = 'Synced' THEN deal_sync.status ELSE EXCLUDED.status END
                """, opportunityId, RECEIVED, eventKey);
    }

    /** Records who closed the deal won (the commitUser of the change event that did), once, from the deal event. */
    public void closedBy(@Header("opportunityId") String opportunityId, @org.apache.camel.Body Map<String, Object> dealEvent) {
        if (dealEvent != null && Boolean.TRUE.equals(dealEvent.get("closedWon")) && dealEvent.get("commitUser") != null) {
            jdbc.update("UPDATE deal_sync SET closed_by = ? WHERE opportunity_id = ?",
                    String.valueOf(dealEvent.get("commitUser")), opportunityId);
        }
        if (dealEvent != null && Boolean.TRUE.equals(dealEvent.get("closedWon"))
                && dealEvent.get("commitTimestamp") instanceof String committed) {
            // the first close counts: a deal reopened and closed again keeps its first close time
            jdbc.update("UPDATE deal_sync SET closed_at = coalesce(closed_at, ?) WHERE opportunity_id = ?",
                    Timestamp.from(Instant.parse(committed)), opportunityId);
        }
    }

    public void account(String opportunityId, String accountId) {
        jdbc.update("UPDATE deal_sync SET account_id = ?, updated_at = now() WHERE opportunity_id = ?",
                accountId, opportunityId);
    }

    public void link(String opportunityId, String system, String kind, String externalId) {
        jdbc.update("""
                INSERT INTO deal_link (opportunity_id, system, kind, external_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (opportunity_id, system, kind) DO UPDATE SET external_id = EXCLUDED.external_id
                """, opportunityId, system, kind, externalId);
    }

    /** The deal's record of this kind in that system, or null (for the routes, which test it). */
    public String linkedId(String opportunityId, String system, String kind) {
        return linked(opportunityId, system, kind).orElse(null);
    }

    public Optional<String> linked(String opportunityId, String system, String kind) {
        return jdbc.query("SELECT external_id FROM deal_link WHERE opportunity_id = ? AND system = ? AND kind = ?",
                (rs, i) -> rs.getString(1), opportunityId, system, kind).stream().findFirst();
    }

    /** A record linked to any deal of the Account (e.g. its Stripe customer, shared by all its deals). */
    public Optional<String> linkedForAccount(String accountId, String system, String kind) {
        return jdbc.query("""
                SELECT l.external_id FROM deal_link l JOIN deal_sync d ON d.opportunity_id = l.opportunity_id
                WHERE d.account_id = ? AND l.system = ? AND l.kind = ? ORDER BY l.created_at LIMIT 1
                """, (rs, i) -> rs.getString(1), accountId, system, kind).stream().findFirst();
    }

    public void synced(@Header("opportunityId") String opportunityId) {
        List<Instant> firstSyncClosedAt = jdbc.query("SELECT closed_at FROM deal_sync WHERE opportunity_id = ?"
                + " AND synced_at IS NULL", (rs, i) -> instant(rs.getTimestamp(1)), opportunityId);
        jdbc.update("""
                UPDATE deal_sync SET status = ?, last_error = NULL, synced_at = now(), updated_at = now()
                WHERE opportunity_id = ?
                """, SYNCED, opportunityId);
        exceptions.resolveAll(opportunityId);
        deadLetters.resolveAll(opportunityId, "the deal synced later");
        outcomes.outcome(SYNCED);
        dealEvent("deal.synced", opportunityId, Map.of("externalIds", externalIds(opportunityId)));
        firstSyncClosedAt.forEach(outcomes::firstSynced);
    }

    public void failed(String opportunityId, String reason) {
        jdbc.update("""
                INSERT INTO deal_sync (opportunity_id, status, last_error) VALUES (?, ?, ?)
                ON CONFLICT (opportunity_id) DO UPDATE SET status = EXCLUDED.status, last_error = EXCLUDED.last_error,
                  updated_at = now()
                """, opportunityId, FAILED, reason);
        outcomes.outcome(FAILED);
        dealEvent("deal.failed", opportunityId, Map.of("reasons", List.of(reason == null ? "" : reason)));
    }

    /** An outcome event about the deal: its status now, the deal event it answers, and what the outcome adds. */
    private void dealEvent(String type, String opportunityId, Map<String, Object> more) {
        jdbc.query("SELECT status, last_event_key, account_id FROM deal_sync WHERE opportunity_id = ?", rs -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("status", rs.getString(1));
            data.put("dealEventKey", rs.getString(2));
            data.put("accountId", rs.getString(3));
            data.putAll(more);
            events.record(type, opportunityId, opportunityId, data);
        }, opportunityId);
    }

    public Optional<Trace> trace(String opportunityId) {
        List<Link> links = jdbc.query("""
                SELECT system, kind, external_id, created_at FROM deal_link WHERE opportunity_id = ? AND system <> 'stripe-attempt'
                ORDER BY created_at, system, kind
                """, (rs, i) -> new Link(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4))),
                opportunityId);
        return jdbc.query("""
                SELECT opportunity_id, account_id, status, last_error, received_at, synced_at, updated_at
                FROM deal_sync WHERE opportunity_id = ?
                """, (rs, i) -> {
            Map<String, Map<String, String>> ids = new LinkedHashMap<>();
            for (Link link : links) {
                ids.computeIfAbsent(link.system(), s -> new LinkedHashMap<>()).put(link.kind(), link.externalId());
            }
            return new Trace(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)), ids, links,
                    exceptions.forOpportunity(opportunityId), schedule(opportunityId), tieOut(opportunityId),
                    approvals.forOpportunity(opportunityId));
        }, opportunityId).stream().findFirst();
    }

    /** Keeps the outcome of the deal's revenue tie-out (or posting) with the ERP. */
    public void revenueTieOut(String opportunityId, String salesOrderId, String status, List<String> differences) {
        jdbc.update("""
                INSERT INTO revenue_tie_out (opportunity_id, sales_order_id, status, differences, checked_at)
                VALUES (?, ?, ?, ?::jsonb, now())
                ON CONFLICT (opportunity_id) DO UPDATE SET sales_order_id = EXCLUDED.sales_order_id,
                  status = EXCLUDED.status, differences = EXCLUDED.differences, checked_at = now()
                """, opportunityId, salesOrderId, status, toJson(differences));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status);
        data.put("salesOrderId", salesOrderId);
        data.put("differences", differences);
        events.record("revenue.tie_out", opportunityId, opportunityId, data);
    }

    private RevenueTieOut tieOut(String opportunityId) {
        return jdbc.query("SELECT status, sales_order_id, differences, checked_at FROM revenue_tie_out "
                + "WHERE opportunity_id = ?", (rs, i) -> new RevenueTieOut(rs.getString(1), rs.getString(2),
                fromJson(rs.getString(3)), instant(rs.getTimestamp(4))), opportunityId).stream().findFirst().orElse(null);
    }

    private static String toJson(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fromJson(String value) {
        try {
            return value == null ? List.of() : JSON.readValue(value,
                    new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return List.of(value);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The revenue schedule last posted for the deal. */
    public List<ScheduleLine> scheduleOf(String opportunityId) {
        return schedule(opportunityId);
    }

    private List<ScheduleLine> schedule(String opportunityId) {
        return jdbc.query("""
                SELECT month, line_id, product_code, amount, currency FROM revenue_schedule_line
                WHERE opportunity_id = ? ORDER BY month, line_id
                """, (rs, i) -> new ScheduleLine(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getBigDecimal(4).setScale(dev.revenuebridge.deal.MinorUnits.digits(rs.getString(5)),
                        java.math.RoundingMode.UNNECESSARY), rs.getString(5)), opportunityId);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
