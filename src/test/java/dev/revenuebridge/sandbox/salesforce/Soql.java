package dev.revenuebridge.sandbox.salesforce;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of SOQL the sandbox understands: {@code SELECT f1, Rel.f2 FROM Object [WHERE a = 'x' [AND b IN ('y','z')]]
 * [ORDER BY f [ASC|DESC]] [LIMIT n]}. Anything else is a MALFORMED_QUERY, as an org answers for bad syntax.
 */
record Soql(List<String> fields, String object, List<Condition> conditions, String orderBy, boolean descending,
            Integer limit) {

    record Condition(String field, List<String> values) {
    }

    private static final Pattern QUERY = Pattern.compile(
            "^\\s*SELECT\\s+(.+?)\\s+FROM\\s+(\\w+)(?:\\s+WHERE\\s+(.+?))?(?:\\s+ORDER\\s+BY\\s+([\\w.]+)(?:\\s+(ASC|DESC))?)?"
                    + "(?:\\s+LIMIT\\s+(\\d+))?\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern EQUALS = Pattern.compile("^\\s*([\\w.]+)\\s*=\\s*(.+?)\\s*$", Pattern.DOTALL);
    private static final Pattern IN = Pattern.compile("^\\s*([\\w.]+)\\s+IN\\s*\\((.+)\\)\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    static Soql parse(String query) {
        Matcher m = QUERY.matcher(query == null ? "" : query);
        if (!m.matches()) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected token in query: " + query);
        }
        List<String> fields = new ArrayList<>();
        for (String f : m.group(1).split(",")) {
            String field = f.trim();
            if (!field.matches("[\\w.]+")) {
                throw new SoqlException("MALFORMED_QUERY", "unexpected token: '" + field + "'");
            }
            fields.add(field);
        }
        List<Condition> conditions = new ArrayList<>();
        if (m.group(3) != null) {
            for (String clause : m.group(3).split("(?i)\\s+AND\\s+")) {
                conditions.add(condition(clause));
            }
        }
        Integer limit = m.group(6) == null ? null : Integer.valueOf(m.group(6));
        boolean desc = m.group(5) != null && m.group(5).toUpperCase(Locale.ROOT).equals("DESC");
        return new Soql(fields, m.group(2), conditions, m.group(4), desc, limit);
    }

    private static Condition condition(String clause) {
        Matcher in = IN.matcher(clause);
        if (in.matches()) {
            List<String> values = new ArrayList<>();
            for (String v : in.group(2).split(",")) {
                values.add(literal(v.trim()));
            }
            return new Condition(in.group(1), values);
        }
        Matcher eq = EQUALS.matcher(clause);
        if (eq.matches()) {
            return new Condition(eq.group(1), List.of(literal(eq.group(2))));
        }
        throw new SoqlException("MALFORMED_QUERY", "unsupported condition: " + clause.trim());
    }

    private static String literal(String token) {
        if (token.length() >= 2 && token.startsWith("'") && token.endsWith("'")) {
            return token.substring(1, token.length() - 1).replace("\\'", "'");
        }
        if (token.matches("(?i)true|false|null|-?\\d+(\\.\\d+)?")) {
            return token;
        }
        throw new SoqlException("MALFORMED_QUERY", "unexpected token: " + token);
    }

    static final class SoqlException extends RuntimeException {
        final String errorCode;

        SoqlException(String errorCode, String message) {
            super(message);
            this.errorCode = errorCode;
        }
    }
}
