package dev.revenuebridge.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.plan.DealFacts.SyncedContract;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A contract's terms, what is billed, booked and recognized, as the JSON kept per synced version
 * ({@code contract_version.terms}), and how a deal read now relates to the newest synced version. Pure: no state.
 */
public final class ContractTerms {

    /** How a fetched deal relates to what was synced before. */
    public enum Change { NEW, UNCHANGED, AMENDMENT, STALE }

    private static final DateTimeFormatter SALESFORCE_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private ContractTerms() {
    }

    /**
     * NEW when nothing was synced; STALE when the deal was read at a SystemModstamp older than the synced version's
     * (a late event: never rolls the contract back); UNCHANGED when its terms equal the synced ones; else AMENDMENT.
     */
    public static Change classify(ClosedWonDeal deal, SyncedContract synced) {
        if (synced == null) {
            return Change.NEW;
        }
        Instant read = modstamp(deal.version());
        if (read != null && synced.sourceModstamp() != null && read.isBefore(synced.sourceModstamp())) {
            return Change.STALE;
        }
        return same(synced.terms(), of(deal)) ? Change.UNCHANGED : Change.AMENDMENT;
    }

    /** The contract value of a synced version. */
    public static Optional<BigDecimal> amount(SyncedContract synced) {
        return Optional.ofNullable(synced).map(s -> read(s.terms()).path("amount").asText(null)).map(BigDecimal::new);
    }

    /**
     * Lines of the synced version that the deal now drops or changes (quantity or total), by line id, with the product
     * code: e.g. one-time lines already invoiced that an amendment would change.
     */
    public static Map<String, String> changedOrRemovedLines(ClosedWonDeal deal, SyncedContract synced) {
        Map<String, String> changed = new LinkedHashMap<>();
        if (synced == null) {
            return changed;
        }
        for (JsonNode before : read(synced.terms()).path("lines")) {
            String id = before.path("lineId").asText();
            var now = deal.lines().stream().filter(l -> id.equals(l.lineId())).findFirst();
            boolean same = now.isPresent()
                    && before.path("quantity").asText().equals(plain(now.get().quantity()))
                    && before.path("totalPrice").asText().equals(plain(now.get().totalPrice()));
            if (!same) {
                changed.put(id, before.path("productCode").asText());
            }
        }
        return changed;
    }

    /** The deal's terms as JSON, keys sorted, amounts in plain notation without trailing zeros. */
    public static String of(ClosedWonDeal deal) {
        Map<String, Object> terms = new LinkedHashMap<>();
        terms.put("amount", plain(deal.amount()));
        terms.put("currency", deal.currency());
        terms.put("contractStart", deal.contractStart());
        terms.put("contractEnd", deal.contractEnd());
        terms.put("billingCadence", deal.billingCadence());
        terms.put("paymentTerms", deal.paymentTerms());
        terms.put("paymentMethod", deal.paymentMethod());
        List<Map<String, Object>> lines = deal.lines().stream().map(ContractTerms::line).toList();
        terms.put("lines", lines);
        try {
            return JSON.writeValueAsString(terms);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether two terms documents say the same (whatever their key order). */
    public static boolean same(String a, String b) {
        return read(a).equals(read(b));
    }

    /** A Salesforce datetime (SystemModstamp, e.g. 2026-03-02T10:15:00.000+0000), or null when absent or unreadable. */
    public static Instant modstamp(String systemModstamp) {
        if (systemModstamp == null) {
            return null;
        }
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

    private static JsonNode read(String terms) {
        try {
            return JSON.readTree(terms);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("contract terms are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String plain(BigDecimal value) {
        return value == null ? null : value.stripTrailingZeros().toPlainString();
    }
}
