package dev.revenuebridge.sandbox.erp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stored record, immutable: an update stores a new instance under the same internal id.
 * Field values are normalised: String, Boolean, BigDecimal (money and quantities), ISO dates as String,
 * {@link Ref} (a reference to another record), {@link Choice} (a select value), raw JSON maps and lists,
 * and for sublists a {@code List<Map<String, Object>>} of lines.
 */
@SuppressWarnings("unchecked")
record ErpRecord(String type, String id, String externalId, Map<String, Object> fields,
                 Instant created, Instant lastModified, boolean seeded) {

    /** A reference to another record by internal id. */
    record Ref(String type, String id) {
    }

    /** A value of a select field, such as a sales order status. */
    record Choice(String id, String name) {
    }

    ErpRecord {
        fields = (Map<String, Object>) freeze(fields);
    }

    /** A deep, unmodifiable copy of a JSON-like value (maps keep their order; lists may hold nulls). */
    static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            return Collections.unmodifiableList(new ArrayList<>(list.stream().map(ErpRecord::freeze).toList()));
        }
        return value;
    }

    Object get(String field) { return fields.get(field); }

    Ref ref(String field) { return fields.get(field) instanceof Ref r ? r : null; }

    String text(String field) { return fields.get(field) instanceof String s ? s : null; }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> lines(String sublist) {
        return fields.get(sublist) instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** Whether any field, sublist line or subrecord of this record refers to the record given. */
    boolean references(String targetType, String targetId) {
        return refersTo(fields, new Ref(targetType, targetId));
    }

    private static boolean refersTo(Object value, Ref target) {
        if (value instanceof Ref r) return r.equals(target);
        if (value instanceof Map<?, ?> map) return map.values().stream().anyMatch(v -> refersTo(v, target));
        if (value instanceof List<?> list) return list.stream().anyMatch(v -> refersTo(v, target));
        return false;
    }
}
