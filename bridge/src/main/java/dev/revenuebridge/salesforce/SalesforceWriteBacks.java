package dev.revenuebridge.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.trace.DealExceptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The Opportunity write-backs, sent in batches. A route that writes back ({@code direct:salesforce-update-opportunity})
 * adds the fields to the {@code salesforce_write_back} table; {@code salesforce-write-back-batch} then takes the pending
 * write-backs of up to 200 Opportunities ({@link #claim}) as soon as 200 are waiting or the oldest has waited
 * {@code max-wait-ms} (as a Kafka producer's batch size and linger), each Opportunity's rows merged in the order they were made
 * (a later value of a field wins), and sends them in one sObject Collections call ("Update Multiple Records with Fewer
 * Round-Trips", REST API Developer Guide: up to 200 records, {@code allOrNone} false so one refused record does not
 * hold the others back). A burst of deals and their cash events so costs one API call per 200 Opportunities instead
 * of one per write.
 *
 * <p>Salesforce's answer is settled per record ({@link #settle}): taken rows are deleted; a record refused for a reason
 * that may pass (a row lock, a timeout on Salesforce's side) is tried again with backoff; any other refusal is kept as
 * state {@code refused} with Salesforce's error and opens a {@code write-back-refused} exception for the deal. When the
 * call itself fails (Salesforce down, a session to renew), the batch is released ({@link #release}) and tried again.
 * Claims expire ({@code revenue.salesforce.write-back.claim-timeout-seconds}), so a bridge that died mid-call loses
 * nothing, and an Opportunity with a claimed row is never in two batches at once, so its writes stay in order.
 */
@Component("salesforceWriteBacks")
public class SalesforceWriteBacks {

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceWriteBacks.class);
    /** sObject Collections takes at most 200 records a call. */
    public static final int MAX_RECORDS_PER_CALL = 200;
    /** Per-record errors that say "try again", not "this record is wrong" (SOAP API Developer Guide, StatusCode). */
    static final Set<String> RETRYABLE = Set.of("UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE",
            "UNKNOWN_EXCEPTION", "ALL_OR_NONE_OPERATION_ROLLED_BACK");

    /** One Opportunity in a batch: the rows it merges and the fields to write. */
    public record Entry(String opportunityId, List<Long> rowIds, Map<String, Object> fields) {
    }

    /** The write-backs of one call, in the order their records are sent. */
    public record Batch(List<Entry> entries) {
        public int size() {
            return entries.size();
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ObjectMapper json;
    private final DealExceptions exceptions;
    private final int batchSize;
    private final Duration claimTimeout;
    private final Duration maxBackoff;
    private final Duration maxWait;

    public SalesforceWriteBacks(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectMapper json,
                                DealExceptions exceptions, MeterRegistry meters,
                                @Value("${revenue.salesforce.write-back.batch-size:200}") int batchSize,
                                @Value("${revenue.salesforce.write-back.claim-timeout-seconds:120}") long claimTimeoutSeconds,
                                @Value("${revenue.salesforce.write-back.max-backoff-seconds:300}") long maxBackoffSeconds,
                                @Value("${revenue.salesforce.write-back.max-wait-ms:2000}") long maxWaitMillis) {
        if (batchSize < 1 || batchSize > MAX_RECORDS_PER_CALL) {
            throw new IllegalArgumentException("revenue.salesforce.write-back.batch-size must be 1 to "
                    + MAX_RECORDS_PER_CALL + " (sObject Collections' limit), not " + batchSize);
        }
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.exceptions = exceptions;
        this.batchSize = batchSize;
        this.claimTimeout = Duration.ofSeconds(claimTimeoutSeconds);
        this.maxBackoff = Duration.ofSeconds(maxBackoffSeconds);
        this.maxWait = Duration.ofMillis(maxWaitMillis);
        Gauge.builder("revenue.bridge.salesforce.write.backs.pending", this, SalesforceWriteBacks::pending)
                .description("Opportunity write-backs not yet taken by Salesforce").register(meters);
        Gauge.builder("revenue.bridge.salesforce.write.backs.refused", this, SalesforceWriteBacks::refused)
                .description("Opportunity write-backs Salesforce refused (kept with its error)").register(meters);
    }

    /** Adds a write-back of the Opportunity in header {@code opportunityId}; the fields passed the ownership check. */
    public void enqueue(@Header("opportunityId") String opportunityId, @Body Map<String, Object> fields)
            throws JsonProcessingException {
        if (opportunityId == null || opportunityId.isBlank()) {
            throw new IllegalArgumentException("a write-back needs an Opportunity Id (header opportunityId)");
        }
        if (fields == null || fields.isEmpty()) {
            return;
        }
        jdbc.update("INSERT INTO salesforce_write_back (opportunity_id, fields) VALUES (?, ?::jsonb)", opportunityId,
                json.writeValueAsString(fields));
    }

    /**
     * Claims the due write-backs of up to {@code batch-size} Opportunities (oldest first), skipping any Opportunity with
     * a write-back claimed by a call in flight. Null when nothing is due.
     */
    public Batch claim() {
        return transactions.execute(status -> {
            Map<String, Object> due = jdbc.queryForMap("""
                    SELECT count(DISTINCT opportunity_id) AS opportunities,
                           coalesce(min(enqueued_at) <= now() - make_interval(secs => ?), false) AS waited
                    FROM salesforce_write_back w
                    WHERE state = 'pending' AND next_attempt_at <= now()
                      AND NOT EXISTS (SELECT 1 FROM salesforce_write_back c WHERE c.opportunity_id = w.opportunity_id
                                      AND c.state = 'pending' AND c.claimed_until > now())
                    """, maxWait.toMillis() / 1000.0);
            long opportunities = ((Number) due.get("opportunities")).longValue();
            if (opportunities == 0 || (opportunities < batchSize && !Boolean.TRUE.equals(due.get("waited")))) {
                return null;   // nothing due, or too few to fill a call and none has waited max-wait-ms yet
            }
            List<Map<String, Object>> rows = jdbc.queryForList("""
                    WITH due AS (
                        SELECT opportunity_id, min(id) AS first_id FROM salesforce_write_back w
                        WHERE state = 'pending' AND next_attempt_at <= now()
                          AND NOT EXISTS (SELECT 1 FROM salesforce_write_back c WHERE c.opportunity_id = w.opportunity_id
                                          AND c.state = 'pending' AND c.claimed_until > now())
                        GROUP BY opportunity_id ORDER BY first_id LIMIT ?)
                    SELECT w.id, w.opportunity_id, w.fields::text AS fields FROM salesforce_write_back w
                    JOIN due ON due.opportunity_id = w.opportunity_id
                    WHERE w.state = 'pending' ORDER BY due.first_id, w.id
                    FOR UPDATE OF w SKIP LOCKED
                    """, batchSize);
            if (rows.isEmpty()) {
                return null;
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Map<String, Object> row : rows) {
                String opportunityId = (String) row.get("opportunity_id");
                Entry entry = entries.computeIfAbsent(opportunityId,
                        id -> new Entry(id, new ArrayList<>(), new LinkedHashMap<>()));
                entry.rowIds().add(((Number) row.get("id")).longValue());
                entry.fields().putAll(read((String) row.get("fields")));
            }
            List<Long> ids = entries.values().stream().flatMap(e -> e.rowIds().stream()).toList();
            jdbc.update("UPDATE salesforce_write_back SET claimed_until = now() + make_interval(secs => ?) WHERE id = ANY (?)",
                    claimTimeout.toSeconds(), ids.toArray(Long[]::new));
            return new Batch(List.copyOf(entries.values()));
        });
    }

    /** The sObject Collections request body for a batch: Opportunity records with their fields. */
    public String request(@ExchangeProperty("writeBackBatch") Batch batch) throws JsonProcessingException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Entry entry : batch.entries()) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("attributes", Map.of("type", "Opportunity"));
            record.put("id", entry.opportunityId());
            record.putAll(entry.fields());
            records.add(record);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("allOrNone", false);
        body.put("records", records);
        return json.writeValueAsString(body);
    }

    /**
     * Settles a batch with Salesforce's answer, one result per record in request order: taken rows are deleted,
     * retryable refusals wait and go again, other refusals are kept as refused with an exception for the deal.
     * @return how many records Salesforce took
     */
    public int settle(@ExchangeProperty("writeBackBatch") Batch batch, @Body String response) throws JsonProcessingException {
        JsonNode results = json.readTree(response);
        if (!results.isArray() || results.size() != batch.size()) {
            throw new IllegalStateException("sObject Collections answered " + (results.isArray() ? results.size()
                    + " results" : "no result list") + " for " + batch.size() + " records: " + abbreviate(response));
        }
        int taken = 0;
        for (int i = 0; i < batch.size(); i++) {
            Entry entry = batch.entries().get(i);
            JsonNode result = results.get(i);
            Long[] ids = entry.rowIds().toArray(Long[]::new);
            if (result.path("success").asBoolean(false)) {
                jdbc.update("DELETE FROM salesforce_write_back WHERE id = ANY (?)", (Object) ids);
                exceptions.resolve(entry.opportunityId(), "write-back-refused");
                taken++;
                continue;
            }
            String code = result.path("errors").path(0).path("statusCode").asText("UNKNOWN_EXCEPTION");
            String error = errors(result);
            if (RETRYABLE.contains(code)) {
                retryLater(ids, error);
                LOG.info("Opportunity {}: write-back not taken ({}), tried again", entry.opportunityId(), error);
            } else {
                jdbc.update("UPDATE salesforce_write_back SET state = 'refused', claimed_until = NULL, last_error = ?,"
                        + " attempts = attempts + 1 WHERE id = ANY (?)", error, ids);
                exceptions.open(entry.opportunityId(), "write-back-refused", List.of("Salesforce refused the write-back of "
                        + String.join(", ", entry.fields().keySet()) + " to the Opportunity: " + error));
                LOG.warn("Opportunity {}: Salesforce refused the write-back of {}: {} (kept as refused)",
                        entry.opportunityId(), entry.fields().keySet(), error);
            }
        }
        return taken;
    }

    /** The call failed as a whole (Salesforce unreachable, a 5xx, a session to renew): the batch goes again later. */
    public void release(@ExchangeProperty("writeBackBatch") Batch batch, @ExchangeProperty("writeBackError") String error) {
        if (batch == null) {
            return;
        }
        Long[] ids = batch.entries().stream().flatMap(e -> e.rowIds().stream()).toArray(Long[]::new);
        retryLater(ids, error == null ? "the call failed" : error);
    }

    /** Write-backs not yet taken by Salesforce. */
    public long pending() {
        Long count = jdbc.queryForObject("SELECT count(*) FROM salesforce_write_back WHERE state = 'pending'", Long.class);
        return count == null ? 0 : count;
    }

    /** Write-backs Salesforce refused for good. */
    public long refused() {
        Long count = jdbc.queryForObject("SELECT count(*) FROM salesforce_write_back WHERE state = 'refused'", Long.class);
        return count == null ? 0 : count;
    }

    private void retryLater(Long[] ids, String error) {
        // exponential backoff from 1 s, capped: 1, 2, 4, ... seconds after each failed attempt
        jdbc.update("""
                UPDATE salesforce_write_back SET attempts = attempts + 1, claimed_until = NULL, last_error = ?,
                    next_attempt_at = now() + make_interval(secs => least(?, power(2, least(attempts, 20))))
                WHERE id = ANY (?)
                """, abbreviate(error), maxBackoff.toSeconds(), ids);
    }

    private Map<String, Object> read(String fields) {
        try {
            return json.readValue(fields, new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable write-back row: " + e.getMessage(), e);
        }
    }

    private static String errors(JsonNode result) {
        List<String> messages = new ArrayList<>();
        for (JsonNode error : result.path("errors")) {
            messages.add(error.path("statusCode").asText() + ": " + error.path("message").asText()
                    + (error.path("fields").isEmpty() ? "" : " " + error.path("fields")));
        }
        return messages.isEmpty() ? "no reason given" : String.join("; ", messages);
    }

    private static String abbreviate(String text) {
        return text == null ? null : text.length() > 2000 ? text.substring(0, 1999) + "…" : text;
    }
}
