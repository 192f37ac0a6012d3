package dev.revenuebridge.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.deal.DealRejectedException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps every message a route could not process, with its headers, its error and the remote system's error body,
 * in PostgreSQL. Nothing is dropped: a deal that fails is here, named and explained, until it is replayed.
 */
@Component("deadLetters")
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private static final java.util.regex.Pattern SECRET_HEADER =
            java.util.regex.Pattern.compile("(?i)authorization|cookie|token|secret|password|api.?key");

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public DeadLetters(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Stores the failed exchange; returns the plain-words reason, also set as header {@code syncError}. */
    public String store(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        if (routeId == null) routeId = exchange.getFromRouteId();
        String opportunityId = salesforceId(exchange.getIn().getHeader("opportunityId", String.class));
        String reason = reason(error);
        Throwable cause = rootOfInterest(error);
        String remoteBody = cause instanceof HttpOperationFailedException http ? http.getResponseBody()
                : cause instanceof com.stripe.exception.StripeException stripe && stripe.getStripeError() != null
                ? stripe.getStripeError().toJson() : null;
        Integer attempts = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        Object original = exchange.getProperty("originalBody");
        String body = original != null ? String.valueOf(original) : exchange.getIn().getBody(String.class);
        Long id = jdbc.queryForObject("""
                INSERT INTO dead_letter (route_id, source_route, opportunity_id, message_key, headers, body, error_type,
                  error_message, remote_body, attempts)
                VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) RETURNING id
                """, Long.class, routeId, exchange.getFromRouteId(), opportunityId,
                exchange.getIn().getHeader("dealEventKey", String.class), headers(exchange), body,
                cause == null ? "unknown" : cause.getClass().getName(), reason, remoteBody,
                attempts == null ? 1 : attempts + 1);
        LOG.error("Dead letter {}: route {}, Opportunity {}: {}{}", id, routeId, opportunityId, reason,
                remoteBody == null ? "" : " (remote answer: " + remoteBody + ")");
        exchange.getIn().setHeader("syncError", reason);
        exchange.getIn().setHeader("deadLetterId", id);
        return reason;
    }

    /** What revenue.dead-letters carries about a stored dead letter. */
    public java.util.Map<String, Object> announcement(@org.apache.camel.Header("deadLetterId") Long id) {
        DeadLetter d = find(id).orElseThrow();
        java.util.Map<String, Object> out = new LinkedHashMap<>();
        out.put("deadLetterId", d.id());
        out.put("opportunityId", d.opportunityId());
        out.put("sourceRoute", d.sourceRoute());
        out.put("route", d.routeId());
        out.put("error", d.errorMessage());
        out.put("failedAt", d.failedAt().toString());
        return out;
    }

    /** A dead letter as ops see it. */
    public record DeadLetter(long id, String routeId, String sourceRoute, String opportunityId, String messageKey,
                             String body, String errorType, String errorMessage, String remoteBody, int attempts,
                             String status, java.time.Instant failedAt, java.time.Instant resolvedAt, String resolution) {
    }

    private static final String COLUMNS = "id, route_id, source_route, opportunity_id, message_key, body, error_type, "
            + "error_message, remote_body, attempts, status, failed_at, resolved_at, resolution";

    private static DeadLetter row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new DeadLetter(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10), rs.getString(11),
                rs.getTimestamp(12).toInstant(), rs.getTimestamp(13) == null ? null : rs.getTimestamp(13).toInstant(),
                rs.getString(14));
    }

    /** Dead letters with a status (open, replayed, discarded), or all when null; newest first. */
    public java.util.List<DeadLetter> list(String status) {
        return status == null
                ? jdbc.query("SELECT " + COLUMNS + " FROM dead_letter ORDER BY id DESC LIMIT 500", DeadLetters::row)
                : jdbc.query("SELECT " + COLUMNS + " FROM dead_letter WHERE status = ? ORDER BY id DESC LIMIT 500",
                        DeadLetters::row, status);
    }

    public java.util.Optional<DeadLetter> find(long id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letter WHERE id = ?", DeadLetters::row, id).stream().findFirst();
    }

    /** Marks an open dead letter; false when it was not open (already replayed or discarded). */
    public boolean resolve(long id, String status, String resolution) {
        return jdbc.update("""
                UPDATE dead_letter SET status = ?, resolution = ?, resolved_at = now() WHERE id = ? AND status = 'open'
                """, status, resolution, id) == 1;
    }

    /**
     * A deal that synced (after an edit in Salesforce, a redelivery, a replay of another of its letters) settles its
     * open dead letters: status resolved, with why. Replaying them would create nothing, and ops need not look at them.
     */
    public int resolveAll(String opportunityId, String resolution) {
        return jdbc.update("""
                UPDATE dead_letter SET status = 'resolved', resolution = ?, resolved_at = now()
                WHERE opportunity_id = ? AND status = 'open'
                """, resolution, opportunityId);
    }

    /** Only a well-formed Salesforce id is kept as the dead letter's Opportunity; anything else stays in the body. */
    static String salesforceId(String value) {
        return value != null && value.matches("[A-Za-z0-9]{15,18}") ? value : null;
    }

    /** What went wrong, in words that make sense on the Opportunity's Sync_Error__c. */
    static String reason(Throwable caught) {
        Throwable error = rootOfInterest(caught);
        if (error == null) return "unknown error";
        if (error instanceof DealRejectedException rejected) {
            return String.join("; ", rejected.reasons());
        }
        if (error instanceof HttpOperationFailedException http) {
            return "HTTP " + http.getStatusCode() + " from " + http.getUri();
        }
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : message;
    }

    /**
     * Camel wraps what a bean threw (e.g. "Failed to invoke method ..."): the cause that explains the failure is the
     * deepest one, e.g. Stripe's own error or the HTTP answer.
     */
    static Throwable rootOfInterest(Throwable error) {
        Throwable current = error;
        while (current != null && current.getCause() != null && current.getCause() != current
                && !(current instanceof DealRejectedException) && !(current instanceof HttpOperationFailedException)
                && !(current instanceof com.stripe.exception.StripeException)) {
            current = current.getCause();
        }
        return current;
    }

    private String headers(Exchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getIn().getHeaders().forEach((k, v) -> {
            if (SECRET_HEADER.matcher(k).find()) {
                return; // credentials never reach the dead-letter table
            }
            if (v == null || v instanceof CharSequence || v instanceof Number || v instanceof Boolean) {
                headers.put(k, String.valueOf(v));
            } else if (v instanceof byte[] bytes) {
                headers.put(k, new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        try {
            return json.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }
}
