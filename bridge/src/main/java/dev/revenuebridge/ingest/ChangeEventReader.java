package dev.revenuebridge.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.trace.DealTrace;
import org.springframework.stereotype.Component;

/**
 * Turns one Opportunity change event (as the Pub/Sub API delivers it, deserialized to a Map) into deal events, one per
 * changed record (a change event may carry several Opportunity ids), each saying why it may matter:
 * {@code closedWon} (IsWon was set to true) or {@code dealChanged} (a deal the bridge tracks, synced or held, had one
 * of its Salesforce-owned fields changed, a field cleared to null included: evaluated again, or amended). Which fields
 * changed is read from the header's bitmaps ({@link #changedFields}); a change of bridge-owned fields only is the
 * bridge's own write-back.
 */
@Component("changeEventReader")
public class ChangeEventReader {

    /** Salesforce's 15- and 18-character Opportunity ids (and the worked example's 17). */
    private static final java.util.regex.Pattern OPPORTUNITY_ID = java.util.regex.Pattern.compile("006[A-Za-z0-9]{12,15}");

    private final MappingCatalog mappings;
    private final DealTrace trace;

    public ChangeEventReader(MappingCatalog mappings, DealTrace trace) {
        this.mappings = mappings;
        this.trace = trace;
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> dealEvents(@Body Map<String, Object> event,
                                                @Header("CamelSalesforcePubSubReplayId") String replayId) {
        if (event == null || !(event.get("ChangeEventHeader") instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(event == null || event.get("ChangeEventHeader") == null
                    ? "change event without ChangeEventHeader" : "change event whose ChangeEventHeader is not a record");
        }
        Map<String, Object> header = (Map<String, Object>) event.get("ChangeEventHeader");
        if (header.get("recordIds") != null && !(header.get("recordIds") instanceof List<?>)) {
            throw new IllegalArgumentException("change event whose recordIds is not a list: " + header.get("recordIds"));
        }
        for (String bitmap : List.of("changedFields", "nulledFields")) {
            if (header.get(bitmap) != null && !(header.get(bitmap) instanceof List<?>)) {
                throw new IllegalArgumentException("change event whose " + bitmap + " is not a list of bitmaps");
            }
        }
        List<String> changedDealFields = changedFields(event, header).stream()
                .filter(field -> !mappings.bridgeOwnedFields().contains(field) && !mappings.systemFields().contains(field))
                .toList();
        boolean closedWon = Boolean.TRUE.equals(event.get("IsWon"));
        // a gap event says "this record changed" without what changed: the deal is read afresh and evaluated
        boolean gap = String.valueOf(header.get("changeType")).startsWith("GAP_");
        List<Map<String, Object>> out = new ArrayList<>();
        List<?> recordIds = header.get("recordIds") instanceof List<?> ids ? ids : List.of();
        for (Object recordId : recordIds) {
            if (!(recordId instanceof String id) || !OPPORTUNITY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("change event with a record id that is not an Opportunity Id: "
                        + String.valueOf(recordId).replace("\u0000", "\\0"));
            }
        }
        for (Object recordId : recordIds) {
            Map<String, Object> dealEvent = new LinkedHashMap<>();
            dealEvent.put("opportunityId", String.valueOf(recordId));
            dealEvent.put("changeType", String.valueOf(header.get("changeType")));
            dealEvent.put("stageName", event.get("StageName"));
            dealEvent.put("commitNumber", header.get("commitNumber"));
            dealEvent.put("commitTimestamp", header.get("commitTimestamp") instanceof Number n
                    ? Instant.ofEpochMilli(n.longValue()).toString() : null);
            dealEvent.put("transactionKey", header.get("transactionKey"));
            dealEvent.put("commitUser", header.get("commitUser"));
            dealEvent.put("replayId", replayId);
            dealEvent.put("closedWon", closedWon);
            dealEvent.put("dealChanged", !closedWon && !changedDealFields.isEmpty()
                    && trace.tracked(String.valueOf(recordId)));
            dealEvent.put("changedFields", changedDealFields);
            dealEvent.put("gap", gap);
            out.add(dealEvent);
        }
        return out;
    }

    /**
     * The fields the change event says changed. The Pub/Sub API sends every field of the schema, unchanged ones as null,
     * and a field set to null is null too: which fields changed is only in the header's {@code changedFields} bitmap
     * (Pub/Sub API, "Event Deserialization Considerations"): a list whose first element is a hex bitmap of top-level
     * field positions in the event's Avro schema (bit i = the i-th field, the header being field 0), then
     * {@code "<position>-0x..."} bitmaps of the nested fields of a compound field at that position, which count as a
     * change of the compound field. The event map keeps the schema's field order. Fields set to null are also in
     * {@code nulledFields}. Without bitmaps (an event that names no changed fields), the non-null values are taken.
     */
    @SuppressWarnings("unchecked")
    static List<String> changedFields(Map<String, Object> event, Map<String, Object> header) {
        List<String> positions = new ArrayList<>(event.keySet());
        java.util.Set<String> changed = new java.util.LinkedHashSet<>();
        for (String bitmapField : List.of("changedFields", "nulledFields")) {
            if (header.get(bitmapField) instanceof List<?> bitmaps) {
                for (Object bitmap : bitmaps) {
                    changed.addAll(decode(String.valueOf(bitmap), positions));
                }
            }
        }
        if (changed.isEmpty() && !(header.get("changedFields") instanceof List<?> l && !l.isEmpty())) {
            event.forEach((field, value) -> {
                if (value != null && !field.equals("ChangeEventHeader")) changed.add(field);
            });
        }
        changed.remove("ChangeEventHeader");
        return List.copyOf(changed);
    }

    /** The field names a bitmap string sets: {@code 0x...} over top-level positions, {@code n-0x...} nested in field n. */
    static List<String> decode(String bitmap, List<String> positions) {
        String value = bitmap.trim();
        int dash = value.indexOf('-');
        if (dash > 0) {
            // nested fields of the compound field at that position: a change of the compound field itself
            int parent = Integer.parseInt(value.substring(0, dash));
            java.math.BigInteger nested = hex(value.substring(dash + 1));
            return parent < positions.size() && nested.signum() > 0 ? List.of(positions.get(parent)) : List.of();
        }
        java.math.BigInteger bits = hex(value);
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < Math.min(bits.bitLength(), positions.size()); i++) {
            if (bits.testBit(i)) {
                fields.add(positions.get(i));
            }
        }
        return fields;
    }

    private static java.math.BigInteger hex(String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (digits.isEmpty() || !digits.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("not a change event bitmap: " + text);
        }
        return new java.math.BigInteger(digits, 16);
    }
}
