package dev.revenuebridge.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Business exceptions: deals the bridge will not sync as they stand, with every reason in plain words. One open
 * exception per deal and kind; it is replaced when the deal is evaluated again and resolved when the deal syncs.
 */
@Component("dealExceptions")
public class DealExceptions {

    /** subject: the external object concerned when no Opportunity is known (e.g. a Stripe invoice made outside). */
    public record DealException(long id, String opportunityId, String subject, String kind, List<String> reasons,
                                String status, Instant openedAt, Instant resolvedAt) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public DealExceptions(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Opens (or replaces) the deal's open exception of this kind. */
    public void open(String opportunityId, String kind, List<String> reasons) {
        jdbc.update("UPDATE deal_exception SET status = 'resolved', resolved_at = now() "
                + "WHERE opportunity_id = ? AND kind = ? AND status = 'open'", opportunityId, kind);
        jdbc.update("INSERT INTO deal_exception (opportunity_id, kind, reasons) VALUES (?, ?, ?::jsonb)",
                opportunityId, kind, toJson(reasons));
    }

    /**
     * An event about an object the bridge does not know (no deal of its own): kept with the reason, once per object
     * and kind, for finance to look at; never retried.
     */
    public void openForObject(String subject, String kind, String reason) {
        openForObject(subject, kind, reason, null, null);
    }

    /** As {@link #openForObject(String, String, String)}, with the money it is about (major units). */
    public void openForObject(String subject, String kind, String reason, java.math.BigDecimal amount, String currency) {
        Integer open = jdbc.queryForObject("SELECT count(*) FROM deal_exception WHERE subject = ? AND kind = ? "
                + "AND status = 'open'", Integer.class, subject, kind);
        if (open == null || open == 0) {
            jdbc.update("INSERT INTO deal_exception (subject, kind, reasons, amount, currency) VALUES (?, ?, ?::jsonb, ?, ?)",
                    subject, kind, toJson(List.of(reason)), amount, currency);
        }
    }

    /** The deal's open exception of this kind, if any, is resolved (what it was about no longer holds). */
    public void resolve(String opportunityId, String kind) {
        jdbc.update("UPDATE deal_exception SET status = 'resolved', resolved_at = now() "
                + "WHERE opportunity_id = ? AND kind = ? AND status = 'open'", opportunityId, kind);
    }

    /** The deal synced: whatever was open for it is resolved. */
    public void resolveAll(String opportunityId) {
        jdbc.update("UPDATE deal_exception SET status = 'resolved', resolved_at = now() "
                + "WHERE opportunity_id = ? AND status = 'open'", opportunityId);
    }

    /** Exceptions with a status (open or resolved), or all when null; newest first. */
    public List<DealException> list(String status) {
        String sql = "SELECT id, opportunity_id, subject, kind, reasons, status, opened_at, resolved_at FROM deal_exception "
                + (status == null ? "" : "WHERE status = ? ") + "ORDER BY id DESC LIMIT 500";
        org.springframework.jdbc.core.RowMapper<DealException> row = (rs, i) -> new DealException(rs.getLong(1),
                rs.getString(2), rs.getString(3), rs.getString(4), fromJson(rs.getString(5)), rs.getString(6),
                instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)));
        return status == null ? jdbc.query(sql, row) : jdbc.query(sql, row, status);
    }

    public List<DealException> forOpportunity(String opportunityId) {
        return jdbc.query("""
                SELECT id, opportunity_id, subject, kind, reasons, status, opened_at, resolved_at FROM deal_exception
                WHERE opportunity_id = ? ORDER BY id
                """, (rs, i) -> new DealException(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                fromJson(rs.getString(5)), rs.getString(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8))),
                opportunityId);
    }

    private String toJson(List<String> reasons) {
        try {
            return json.writeValueAsString(reasons);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> fromJson(String reasons) {
        try {
            return json.readValue(reasons, new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
