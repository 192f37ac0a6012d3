package dev.revenuebridge.sandbox.erp;

import dev.revenuebridge.sandbox.erp.ErpSchema.Mode;
import dev.revenuebridge.sandbox.erp.ErpSchema.RecordSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of NetSuite's collection filter ({@code ?q=}) the sandbox understands: conditions
 * {@code field OPERATOR value} joined by {@code AND}, with the operators IS, IS_NOT, EQUAL, START_WITH and CONTAIN
 * (text comparisons ignore case; a reference compares by internal id). Anything else is answered with 400
 * INVALID_PARAMETER rather than ignored, so a lookup can never silently return every record.
 */
final class ErpQuery {

    private static final Pattern CONDITION = Pattern.compile(
            "^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s+(IS|IS_NOT|EQUAL|START_WITH|CONTAIN)\\s+(\"[^\"]*\"|\\S+)\\s*$");
    private static final Set<String> SYSTEM_FIELDS = Set.of("id", "externalId", "tranId", "total", "subtotal",
            "createdDate", "lastModifiedDate");

    private record Condition(String field, String operator, String value) implements Predicate<Map<String, Object>> {

        @Override
        public boolean test(Map<String, Object> record) {
            Object raw = record.get(field);
            if (raw instanceof Map<?, ?> ref) {
                raw = ref.get("id");
            }
            String actual = raw == null ? "" : raw instanceof BigDecimal d ? d.toPlainString() : String.valueOf(raw);
            String a = actual.toLowerCase(Locale.ROOT);
            String v = value.toLowerCase(Locale.ROOT);
            return switch (operator) {
                case "IS" -> a.equals(v);
                case "IS_NOT" -> !a.equals(v);
                case "EQUAL" -> raw != null && isNumber(actual) && new BigDecimal(actual).compareTo(new BigDecimal(value)) == 0;
                case "START_WITH" -> a.startsWith(v);
                default -> a.contains(v);
            };
        }
    }

    private ErpQuery() {
    }

    /** A filter over the plain form of records ({@link ErpRecordView#plain}); null or blank matches everything. */
    static Predicate<Map<String, Object>> parse(RecordSpec spec, String q) {
        if (q == null || q.isBlank()) {
            return r -> true;
        }
        List<Condition> conditions = new ArrayList<>();
        for (String part : q.split("\\s+AND\\s+")) {
            Matcher m = CONDITION.matcher(part);
            if (!m.matches()) {
                throw invalid(q, "cannot read the condition '" + part.trim() + "'");
            }
            String field = m.group(1);
            String value = m.group(3).startsWith("\"") ? m.group(3).substring(1, m.group(3).length() - 1) : m.group(3);
            if (spec.mode() == Mode.STRICT && spec.field(field).isEmpty() && !SYSTEM_FIELDS.contains(field)) {
                throw invalid(q, "the record type " + spec.name() + " has no field " + field);
            }
            if ("EQUAL".equals(m.group(2)) && !isNumber(value)) {
                throw invalid(q, "EQUAL needs a number, not " + value);
            }
            conditions.add(new Condition(field, m.group(2), value));
        }
        return record -> conditions.stream().allMatch(c -> c.test(record));
    }

    private static boolean isNumber(String s) {
        return s.matches("-?\\d+(\\.\\d+)?");
    }

    private static NetSuiteErrors.Failure invalid(String q, String why) {
        return NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_PARAMETER,
                "Invalid query parameter value for q: " + q + " (" + why + ").", "q");
    }
}
