package dev.revenuebridge.outcome;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Header;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Outcome events for downstream consumers (a warehouse, a lakehouse): every outcome the bridge books becomes one
 * canonical JSON event on Kafka {@code revenue.events} (schema: src/main/resources/schema/outcome-event.schema.json,
 * README "Outcome events"). Events are written to the {@code outcome_event} outbox next to the booking and published
 * in order by {@code outcome-events-publish}, so an event is never lost when Kafka is away and never sent before what
 * it reports is stored.
 */
@Component("outcomeEvents")
public class OutcomeEvents {

    public static final int SCHEMA_VERSION = 1;

    /** One event ready to send: its outbox id, its Kafka key (the Opportunity Id, else the subject) and its JSON. */
    public record Pending(long id, String key, String json) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final int batchSize;

    public OutcomeEvents(JdbcTemplate jdbc, ObjectMapper json,
                         @Value("${revenue.events.batch-size:500}") int batchSize) {
        this.jdbc = jdbc;
        this.json = json;
        this.batchSize = batchSize;
    }

    /** Records an outcome (type as in the schema, e.g. deal.synced) about an Opportunity or another subject. */
    public void record(String type, String opportunityId, String subject, Map<String, Object> data) {
        jdbc.update("""
                INSERT INTO outcome_event (type, opportunity_id, subject, data) VALUES (?, ?, ?, ?::jsonb)
                ON CONFLICT DO NOTHING
                """, type, opportunityId, subject == null ? opportunityId : subject, toJson(data));
    }

    /**
     * A cash document as booked (cash_document): invoice.booked, payment.booked, refund.booked, dispute.booked or
     * deposit.booked (a payout reconciled to its bank deposit), with its amounts as decimal strings in major units.
     */
    public void cashDocument(String stripeId) {
        jdbc.query("""
                SELECT kind, opportunity_id, number, status, currency, amount, amount_remaining, erp_id, related_id,
                       occurred_at FROM cash_document WHERE stripe_id = ?
                """, rs -> {
            String kind = rs.getString(1);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("stripeId", stripeId);
            data.put("number", rs.getString(3));
            data.put("status", rs.getString(4));
            data.put("currency", rs.getString(5));
            data.put("amount", rs.getBigDecimal(6) == null ? null : rs.getBigDecimal(6).toPlainString());
            data.put("amountRemaining", rs.getBigDecimal(7) == null ? null : rs.getBigDecimal(7).toPlainString());
            data.put("erpId", rs.getString(8));
            data.put("relatedId", rs.getString(9));
            Timestamp occurred = rs.getTimestamp(10);
            data.put("occurredAt", occurred == null ? null : occurred.toInstant().toString());
            String type = ("payout".equals(kind) ? "deposit" : kind) + ".booked";
            record(type, rs.getString(2), stripeId, data);
        }, stripeId);
    }

    /** The next unpublished events, oldest first (outcome-events-publish). */
    public List<Pending> pending() {
        return jdbc.query("""
                SELECT id, event_id, type, opportunity_id, subject, data::text, occurred_at FROM outcome_event
                WHERE published_at IS NULL ORDER BY id LIMIT ?
                """, (rs, i) -> {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("schemaVersion", SCHEMA_VERSION);
            event.put("eventId", rs.getString(2));
            event.put("type", rs.getString(3));
            event.put("occurredAt", rs.getTimestamp(7).toInstant().toString());
            event.put("opportunityId", rs.getString(4));
            event.put("subject", rs.getString(5));
            event.put("data", readTree(rs.getString(6)));
            String key = rs.getString(4) == null ? rs.getString(5) : rs.getString(4);
            return new Pending(rs.getLong(1), key, toJson(event));
        }, batchSize);
    }

    /** Deletes the events published more than {@code days} ago (Kafka and the consumers have them). */
    public int purgePublished(@Header("keepPublishedDays") int days) {
        return jdbc.update("DELETE FROM outcome_event WHERE published_at < now() - make_interval(days => ?)", days);
    }

    /** The event is on Kafka (acknowledged by every in-sync replica). */
    public void published(@Header("outcomeEventId") long id) {
        jdbc.update("UPDATE outcome_event SET published_at = now() WHERE id = ?", id);
    }

    private com.fasterxml.jackson.databind.JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outcome_event holds data that is not JSON", e);
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("outcome event cannot be written as JSON", e);
        }
    }
}
