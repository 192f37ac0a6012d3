package dev.revenuebridge.deal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The versions of each deal's contract as synced. A closed-won deal is version 1; a later change of its terms in
 * Salesforce (quantities, prices, lines, dates) is an amendment, version n+1, applied to the same Stripe subscription
 * and ERP sales order. A deal read at a SystemModstamp older than the newest synced version is stale and never rolls
 * the contract back.
 */
@Component("contractVersions")
public class ContractVersions {

    /** How a fetched deal relates to what was synced before. */
    public enum Change { NEW, UNCHANGED, AMENDMENT, STALE }

    public record Version(int version, Instant sourceModstamp, String terms) {
    }

    private static final DateTimeFormatter SALESFORCE_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private final JdbcTemplate jdbc;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public ContractVersions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Change classify(@ExchangeProperty("deal") ClosedWonDeal deal) {
        Optional<Version> latest = latest(deal.opportunityId());
        if (latest.isEmpty()) {
            return Change.NEW;
        }
        Instant read = modstamp(deal.version());
        if (read != null && latest.get().sourceModstamp() != null && read.isBefore(latest.get().sourceModstamp())) {
            return Change.STALE;
        }
        return sameTerms(latest.get().terms(), terms(deal)) ? Change.UNCHANGED : Change.AMENDMENT;
    }

    /** The contract value of the newest synced version, if any. */
    public Optional<java.math.BigDecimal> syncedAmount(String opportunityId) {
        return latest(opportunityId).map(v -> {
            try {
                String amount = json.readTree(v.terms()).path("amount").asText(null);
                return amount == null ? null : new java.math.BigDecimal(amount);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The contract start of the newest synced version, if any. */
    public Optional<java.time.LocalDate> syncedStart(String opportunityId) {
        return latest(opportunityId).map(v -> {
            try {
                String start = json.readTree(v.terms()).path("contractStart").asText(null);
                return start == null ? null : java.time.LocalDate.parse(start);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Lines of the newest synced version that the deal now drops or changes (quantity or total), by line id, with the
     * product code: e.g. to find one-time lines already invoiced that an amendment would change.
     */
    public Map<String, String> changedOrRemovedLines(ClosedWonDeal deal) {
        Map<String, String> changed = new LinkedHashMap<>();
        latest(deal.opportunityId()).ifPresent(version -> {
            try {
                for (JsonNode before : json.readTree(version.terms()).path("lines")) {
                    String id = before.path("lineId").asText();
                    var now = deal.lines().stream().filter(l -> l.lineId().equals(id)).findFirst();
                    boolean same = now.isPresent()
                            && before.path("quantity").asText().equals(plain(now.get().quantity()))
                            && before.path("totalPrice").asText().equals(plain(now.get().totalPrice()));
                    if (!same) {
                        changed.put(id, before.path("productCode").asText());
                    }
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        return changed;
    }

    /** The version number the deal will have once synced. */
    public int nextVersion(@Header("opportunityId") String opportunityId) {
        return latest(opportunityId).map(v -> v.version() + 1).orElse(1);
    }

    /** Records the deal's terms as synced (a no-op when they equal the newest version's). */
    public void synced(@ExchangeProperty("deal") ClosedWonDeal deal) {
        Optional<Version> latest = latest(deal.opportunityId());
        String terms = terms(deal);
        if (latest.isPresent() && sameTerms(latest.get().terms(), terms)) {
            return;
        }
        Instant modstamp = modstamp(deal.version());
        jdbc.update("""
                INSERT INTO contract_version (opportunity_id, version, source_modstamp, terms) VALUES (?, ?, ?, ?::jsonb)
                ON CONFLICT (opportunity_id, version) DO NOTHING
                """, deal.opportunityId(), latest.map(v -> v.version() + 1).orElse(1),
                modstamp == null ? null : Timestamp.from(modstamp), terms);
    }

    public Optional<Version> latest(String opportunityId) {
        return jdbc.query("""
                SELECT version, source_modstamp, terms::text FROM contract_version WHERE opportunity_id = ?
                ORDER BY version DESC LIMIT 1
                """, (rs, i) -> new Version(rs.getInt(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(),
                rs.getString(3)), opportunityId).stream().findFirst();
    }

    /** The terms that make a contract: what is billed, booked and recognized. */
    String terms(ClosedWonDeal deal) {
        Map<String, Object> terms = new LinkedHashMap<>();
        terms.put("amount", plain(deal.amount()));
        terms.put("currency", deal.currency());
        terms.put("contractStart", deal.contractStart());
        terms.put("contractEnd", deal.contractEnd());
        terms.put("billingCadence", deal.billingCadence());
        terms.put("paymentTerms", deal.paymentTerms());
        terms.put("paymentMethod", deal.paymentMethod());
        List<Map<String, Object>> lines = deal.lines().stream().map(ContractVersions::line).toList();
        terms.put("lines", lines);
        try {
            return json.writeValueAsString(terms);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> line(DealLine l) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("lineId", l.lineId());
        line.put("productCode", l.productCode());
        line.put("quantity", plain(l.quantity()));
        line.put("unitPrice", plain(l.unitPrice()));
        line.put("discountPercent", plain(l.discountPercent()));
        line.put("totalPrice", plain(l.totalPrice()));
        line.put("termMonths", l.termMonths());
        line.put("serviceDate", l.serviceDate());
        return line;
    }

    private boolean sameTerms(String a, String b) {
        try {
            JsonNode left = json.readTree(a);
            JsonNode right = json.readTree(b);
            return left.equals(right);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String plain(java.math.BigDecimal value) {
        return value == null ? null : value.stripTrailingZeros().toPlainString();
    }

    static Instant modstamp(String systemModstamp) {
        if (systemModstamp == null) return null;
        try {
            return OffsetDateTime.parse(systemModstamp, SALESFORCE_DATETIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(systemModstamp);
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
