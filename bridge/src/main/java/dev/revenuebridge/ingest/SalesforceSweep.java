package dev.revenuebridge.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What change events cannot say, read by {@code SystemModstamp} (routes/salesforce-sweep.camel.yaml). Change Data
 * Capture sends no events for OpportunityLineItem, and the org selects Opportunity only, so an edit of a line (a term, a
 * service date, a quantity with the same total) or of the Account (the tax id a held deal waits for) never reaches the
 * subscription; an Opportunity closed while the subscription was away past Salesforce's retention never does either.
 * Each sweep reads, per object, the records changed since the newest {@code SystemModstamp} it saw last time
 * (SOQL, {@code ORDER BY SystemModstamp LIMIT 2000}: a full page means more is left for the next sweep), and turns them
 * into deal events of change type {@code SWEEP}:
 * <ul>
 *   <li>a changed line item or Account of a deal the bridge tracks (synced or held): the deal is evaluated again;</li>
 *   <li>a won Opportunity the bridge has never seen: it closed while no event reached the bridge;</li>
 *   <li>every won Opportunity changed in an open event gap ({@link #gapQueries}): re-read, then the gap is recovered.</li>
 * </ul>
 * An event's key holds the change's SystemModstamp, so a change swept twice is applied once. That allows each sweep to
 * read again the last {@code overlap-seconds} before the newest change it saw: a record's SystemModstamp is set when
 * its transaction starts, so a slow transaction can become visible after a newer one was already swept. The sweep
 * compares only Salesforce's own timestamps with each other, never this host's clock with Salesforce's.
 */
@Component("salesforceSweep")
public class SalesforceSweep {

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceSweep.class);
    /** Salesforce returns up to 2000 records per query page: the sweep reads one page per object and sweep. */
    static final int PAGE = 2000;
    /** SOQL dateTime literals: unquoted, UTC (SOQL and SOSL Reference, "Date Formats and Date Literals"). */
    private static final DateTimeFormatter SOQL_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Salesforce REST writes datetimes as 2026-12-03T10:15:30.000+0000. */
    private static final DateTimeFormatter SALESFORCE_DATETIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd'T'HH:mm:ss").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd().appendPattern("[XXX][XX][X]").toFormatter();
    static final List<String> OBJECTS = List.of("Opportunity", "OpportunityLineItem", "Account");

    /** Where one sweep starts reading, per object: changes after {@code since}. */
    public record Window(Map<String, Instant> since) {
    }

    /** One object's query of a sweep. */
    public record Query(String object, String soql) {
    }

    private final JdbcTemplate jdbc;
    private final dev.revenuebridge.trace.DealTrace trace;
    private final ObjectMapper json;
    private final Duration overlap;
    private final Duration initialLookback;

    public SalesforceSweep(JdbcTemplate jdbc, dev.revenuebridge.trace.DealTrace trace, ObjectMapper json,
                           @Value("${revenue.ingest.sweep.overlap-seconds:60}") long overlapSeconds,
                           @Value("${revenue.ingest.sweep.initial-lookback-hours:24}") long initialLookbackHours) {
        this.jdbc = jdbc;
        this.trace = trace;
        this.json = json;
        this.overlap = Duration.ofSeconds(overlapSeconds);
        this.initialLookback = Duration.ofHours(initialLookbackHours);
    }

    /**
     * This sweep's window: per object, after its high-water mark; the very first sweep reads
     * {@code initial-lookback-hours} back from now.
     */
    public Window window() {
        Instant first = Instant.now().minus(initialLookback).truncatedTo(ChronoUnit.MILLIS);
        Map<String, Instant> since = new LinkedHashMap<>();
        for (String object : OBJECTS) {
            since.put(object, highWaterMark(object).orElse(first));
        }
        return new Window(since);
    }

    /** The objects a sweep reads, in order. */
    public List<String> objects() {
        return OBJECTS;
    }

    /** A sweep's high-water marks, filled per object by {@link #dealEvents}. */
    public Map<String, Instant> newMarks() {
        return new java.util.concurrent.ConcurrentHashMap<>();
    }

    /** The SOQL of one object's page of changes in the window. */
    public String query(@Header("sweepObject") String object, @ExchangeProperty("sweepWindow") Window window) {
        String fields = switch (object) {
            case "Opportunity" -> "Id, SystemModstamp";
            case "OpportunityLineItem" -> "Id, OpportunityId, SystemModstamp";
            case "Account" -> "Id, SystemModstamp";
            default -> throw new IllegalArgumentException("the sweep does not read " + object);
        };
        String filter = "Opportunity".equals(object) ? "IsWon = true AND " : "";
        return "SELECT " + fields + " FROM " + object + " WHERE " + filter + "SystemModstamp > "
                + SOQL_DATETIME.format(window.since().get(object)) + " ORDER BY SystemModstamp LIMIT " + PAGE;
    }

    /**
     * The deal events for one object's page of changes, and the object's new high-water mark (stored by
     * {@link #advance} once the events are on Kafka): the newest SystemModstamp read less {@code overlap-seconds}, or
     * the last record's SystemModstamp when the page was full (the rest is read next time); never earlier than before.
     */
    public List<Map<String, Object>> dealEvents(@Header("sweepObject") String object, @Body String queryResult,
                                                @ExchangeProperty("sweepWindow") Window window,
                                                @ExchangeProperty("sweepMarks") Map<String, Instant> marks)
            throws IOException {
        JsonNode records = json.readTree(queryResult).path("records");
        Map<String, Map<String, Object>> events = new LinkedHashMap<>();
        Instant last = null;
        for (JsonNode record : records) {
            Instant modstamp = parse(record.path("SystemModstamp").asText());
            last = modstamp;
            String id = record.path("Id").asText();
            List<String> opportunities = switch (object) {
                case "Opportunity" -> trace.known(id) ? List.of() : List.of(id);
                case "OpportunityLineItem" -> tracked(record.path("OpportunityId").asText());
                default -> trackedOfAccount(id);
            };
            for (String opportunityId : opportunities) {
                String reason = switch (object) {
                    case "Opportunity" -> "won Opportunity never seen by the bridge";
                    case "OpportunityLineItem" -> "line item " + id + " changed";
                    default -> "Account " + id + " changed";
                };
                // the newest change per deal wins: its SystemModstamp makes the event's key
                events.put(opportunityId, event(opportunityId, object, modstamp, reason));
            }
        }
        if (marks != null) {
            Instant since = window.since().get(object);
            Instant mark = last == null ? since : records.size() >= PAGE ? last : last.minus(overlap);
            marks.put(object, mark.isAfter(since) ? mark : since);
        }
        if (!events.isEmpty()) {
            LOG.info("Salesforce sweep of {}: {} changed record(s), {} deal(s) to evaluate", object, records.size(),
                    events.size());
        }
        return List.copyOf(events.values());
    }

    /** Stores the high-water marks of a sweep whose deal events are all on Kafka. */
    public void advance(@ExchangeProperty("sweepMarks") Map<String, Instant> marks) {
        marks.forEach((object, mark) -> jdbc.update("""
                INSERT INTO salesforce_sweep_position (object_name, high_water_mark, swept_at) VALUES (?, ?, now())
                ON CONFLICT (object_name) DO UPDATE SET high_water_mark = EXCLUDED.high_water_mark, swept_at = now()
                """, object, Timestamp.from(mark)));
    }

    /** The queries that re-read open event gaps: every won Opportunity changed inside the gap's window. */
    public List<Query> gapQueries() {
        return jdbc.query("SELECT id, window_start, window_end FROM salesforce_event_gap WHERE recovered_at IS NULL ORDER BY id",
                (rs, i) -> new Query("gap:" + rs.getLong(1), "SELECT Id, SystemModstamp FROM Opportunity WHERE IsWon = true"
                        + " AND SystemModstamp >= " + SOQL_DATETIME.format(rs.getTimestamp(2).toInstant())
                        + " AND SystemModstamp <= " + SOQL_DATETIME.format(rs.getTimestamp(3).toInstant())
                        + " ORDER BY SystemModstamp LIMIT " + PAGE));
    }

    /**
     * The deal events that re-read a gap's Opportunities (tracked ones included: their edits may be lost too). A gap
     * with more won Opportunities than one page is a finding for ops: its exception names the count.
     */
    public List<Map<String, Object>> gapEvents(@Header("sweepGap") String gap, @Body String queryResult) throws IOException {
        JsonNode result = json.readTree(queryResult);
        List<Map<String, Object>> events = new ArrayList<>();
        for (JsonNode record : result.path("records")) {
            events.add(event(record.path("Id").asText(), gap, parse(record.path("SystemModstamp").asText()),
                    "re-read after a possible event gap"));
        }
        return events;
    }

    /** A gap whose Opportunities are all on Kafka is recovered. */
    public void gapRecovered(@Header("sweepGap") String gap, @Header("sweepGapDeals") Integer deals) {
        long id = Long.parseLong(gap.substring("gap:".length()));
        jdbc.update("UPDATE salesforce_event_gap SET recovered_at = now(), deals_reread = ? WHERE id = ?", deals, id);
        LOG.warn("Salesforce event gap {} recovered: {} won Opportunities changed in its window re-read", id, deals);
    }

    private Map<String, Object> event(String opportunityId, String source, Instant modstamp, String reason) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("opportunityId", opportunityId);
        event.put("changeType", "SWEEP");
        // the deal's processed key is opportunityId:commitNumber: one per swept change
        event.put("commitNumber", "sweep:" + source.replace(':', '-') + ":" + modstamp.toEpochMilli());
        event.put("commitTimestamp", modstamp.toString());
        event.put("sweptFrom", source);
        event.put("reason", reason);
        event.put("closedWon", false);
        event.put("dealChanged", true);
        event.put("changedFields", List.of());
        return event;
    }

    private Optional<Instant> highWaterMark(String object) {
        return jdbc.query("SELECT high_water_mark FROM salesforce_sweep_position WHERE object_name = ?",
                (rs, i) -> rs.getTimestamp(1).toInstant(), object).stream().findFirst();
    }

    private List<String> tracked(String opportunityId) {
        return jdbc.queryForList("SELECT opportunity_id FROM deal_sync WHERE opportunity_id = ? AND status <> 'Received'",
                String.class, opportunityId);
    }

    private List<String> trackedOfAccount(String accountId) {
        return jdbc.queryForList("SELECT opportunity_id FROM deal_sync WHERE account_id = ? AND status <> 'Received'"
                + " ORDER BY opportunity_id", String.class, accountId);
    }

    static Instant parse(String salesforceDateTime) {
        return OffsetDateTime.parse(salesforceDateTime, SALESFORCE_DATETIME).toInstant();
    }
}
