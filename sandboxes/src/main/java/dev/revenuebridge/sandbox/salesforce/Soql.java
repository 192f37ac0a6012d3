package dev.revenuebridge.sandbox.salesforce;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The subset of SOQL the sandbox understands, read by a small tokenizer and a recursive-descent parser:
 * <pre>
 * SELECT item [, item]* FROM Object [WHERE condition [AND condition]*] [ORDER BY path [ASC|DESC]] [LIMIT n]
 *   item      := Field | Relationship.Field | ( SELECT ... FROM ChildRelationship [WHERE ...] [ORDER BY ...] [LIMIT n] )
 *   condition := path (= | != | &lt; | &lt;= | &gt; | &gt;=) literal | path IN ( literal [, literal]* )
 *   literal   := 'string' (\' escapes) | true | false | null | number | 2026-12-03 | 2026-12-03T10:15:30[.SSS](Z|+hh:mm)
 * </pre>
 * Date and dateTime literals are unquoted, as SOQL wants them ("SOQL and SOSL Reference: Date Formats and Date
 * Literals": "For a fieldExpression that uses date formats, the date is not enclosed in single quotes"). Anything else
 * (OR, NOT, LIKE, functions, nested subqueries, ...) is a MALFORMED_QUERY, the code an org answers for syntax it
 * cannot read.
 */
record Soql(List<SelectItem> select, String object, List<Condition> conditions, String orderBy, boolean descending,
            Integer limit) {

    /** One entry of the select list. */
    sealed interface SelectItem permits Column, Subquery {
    }

    /** A field of the queried object, or of a parent through a relationship ({@code Account.Name}). */
    record Column(String path) implements SelectItem {
    }

    /** A parent-to-child subquery; its {@code object} is the child relationship name ({@code OpportunityLineItems}). */
    record Subquery(Soql query) implements SelectItem {
    }

    enum Operator {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), IN("IN");

        final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    /** {@code field op value}, or {@code field IN (values)}: {@code values} has one literal unless the operator is IN. */
    record Condition(String field, Operator operator, List<Literal> values) {
    }

    enum LiteralKind { STRING, NUMBER, BOOLEAN, NULL, DATE, DATETIME }

    /** A literal as written ({@code text}) and as a value: String, BigDecimal, Boolean, null, LocalDate or Instant. */
    record Literal(LiteralKind kind, String text, Object value) {
    }

    /** The column paths of the select list, subqueries left out. */
    List<String> fields() {
        return select.stream().filter(Column.class::isInstance).map(i -> ((Column) i).path()).toList();
    }

    /** The subqueries of the select list. */
    List<Soql> subqueries() {
        return select.stream().filter(Subquery.class::isInstance).map(i -> ((Subquery) i).query()).toList();
    }

    static Soql parse(String query) {
        Parser parser = new Parser(tokenize(query == null ? "" : query));
        Soql soql = parser.query(false);
        parser.expectEnd();
        return soql;
    }

    // ------------------------------------------------------------------------------------------------- tokenizer

    private enum TokenType { WORD, STRING, NUMBER, DATE, DATETIME, SYMBOL, END }

    private record Token(TokenType type, String text, Object value) {
        boolean isKeyword(String keyword) {
            return type == TokenType.WORD && text.equalsIgnoreCase(keyword);
        }

        boolean isSymbol(String symbol) {
            return type == TokenType.SYMBOL && text.equals(symbol);
        }
    }

    private static final Set<String> KEYWORDS = Set.of("SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "ORDER",
            "BY", "ASC", "DESC", "LIMIT", "LIKE", "NULLS", "FIRST", "LAST", "GROUP", "HAVING", "OFFSET", "INCLUDES",
            "EXCLUDES", "WITH", "USING", "TYPEOF", "FOR");

    /** dateTime literal: yyyy-MM-ddTHH:mm:ss[.fraction](Z|+hh:mm|-hh:mm), the zone offset always given. */
    private static final DateTimeFormatter DATETIME_LITERAL = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter(Locale.ROOT);

    private static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < text.length()) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < text.length()) {
                        char e = text.charAt(j + 1);
                        value.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            default -> e;   // \' \" \\ and the LIKE escapes \% \_ stand for themselves
                        });
                        j += 2;
                    } else if (d == '\'') {
                        closed = true;
                        j++;
                        break;
                    } else {
                        value.append(d);
                        j++;
                    }
                }
                if (!closed) {
                    throw malformed("unterminated string literal: " + text.substring(i));
                }
                tokens.add(new Token(TokenType.STRING, text.substring(i, j), value.toString()));
                i = j;
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
                int j = i + 1;
                while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || ".:+-".indexOf(text.charAt(j)) >= 0)) {
                    j++;
                }
                tokens.add(number(text.substring(i, j)));
                i = j;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_'
                        || text.charAt(j) == '.')) {
                    j++;
                }
                tokens.add(new Token(TokenType.WORD, text.substring(i, j), null));
                i = j;
            } else if (c == '!' || c == '<' || c == '>') {
                boolean twoChars = i + 1 < text.length() && text.charAt(i + 1) == '=';
                String symbol = twoChars ? text.substring(i, i + 2) : String.valueOf(c);
                if (symbol.equals("!")) {
                    throw malformed("unexpected token: '!'");
                }
                tokens.add(new Token(TokenType.SYMBOL, symbol, null));
                i += symbol.length();
            } else if ("=(),".indexOf(c) >= 0) {
                tokens.add(new Token(TokenType.SYMBOL, String.valueOf(c), null));
                i++;
            } else {
                throw malformed("unexpected token: '" + c + "'");
            }
        }
        tokens.add(new Token(TokenType.END, "<EOF>", null));
        return tokens;
    }

    /** A token starting with a digit (or a minus and a digit): a number, a date or a dateTime literal. */
    private static Token number(String text) {
        if (text.matches("-?\\d+(\\.\\d+)?")) {
            return new Token(TokenType.NUMBER, text, new BigDecimal(text));
        }
        if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
            try {
                return new Token(TokenType.DATE, text, LocalDate.parse(text));
            } catch (DateTimeParseException e) {
                throw malformed("invalid date: " + text);
            }
        }
        if (text.matches("\\d{4}-\\d{2}-\\d{2}T.*")) {
            try {
                return new Token(TokenType.DATETIME, text, OffsetDateTime.parse(text, DATETIME_LITERAL).toInstant());
            } catch (DateTimeParseException e) {
                throw malformed("invalid dateTime: " + text);
            }
        }
        throw malformed("unexpected token: '" + text + "'");
    }

    // ---------------------------------------------------------------------------------------------------- parser

    private static final class Parser {
        private final List<Token> tokens;
        private int at;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        /** SELECT ... FROM ... [WHERE ...] [ORDER BY ...] [LIMIT n]; in a subquery the select list has columns only. */
        Soql query(boolean subquery) {
            keyword("SELECT");
            List<SelectItem> select = new ArrayList<>();
            do {
                if (peek().isSymbol("(")) {
                    if (subquery) {
                        throw malformed("the sandbox supports one level of parent-to-child subqueries");
                    }
                    next();
                    Soql inner = query(true);
                    symbol(")");
                    select.add(new Subquery(inner));
                } else {
                    select.add(new Column(path()));
                }
            } while (acceptSymbol(","));
            keyword("FROM");
            String object = name();
            List<Condition> conditions = new ArrayList<>();
            if (acceptKeyword("WHERE")) {
                do {
                    conditions.add(condition());
                } while (acceptKeyword("AND"));
            }
            String orderBy = null;
            boolean descending = false;
            if (acceptKeyword("ORDER")) {
                keyword("BY");
                orderBy = path();
                if (acceptKeyword("DESC")) {
                    descending = true;
                } else {
                    acceptKeyword("ASC");
                }
            }
            Integer limit = null;
            if (acceptKeyword("LIMIT")) {
                Token n = next();
                if (n.type() != TokenType.NUMBER || !n.text().matches("\\d+")) {
                    throw unexpected(n);
                }
                limit = Integer.valueOf(n.text());
            }
            return new Soql(List.copyOf(select), object, List.copyOf(conditions), orderBy, descending, limit);
        }

        private Condition condition() {
            String field = path();
            Token op = next();
            if (op.isKeyword("IN")) {
                symbol("(");
                List<Literal> values = new ArrayList<>();
                do {
                    values.add(literal());
                } while (acceptSymbol(","));
                symbol(")");
                return new Condition(field, Operator.IN, List.copyOf(values));
            }
            if (op.type() == TokenType.SYMBOL) {
                for (Operator operator : Operator.values()) {
                    if (operator.symbol.equals(op.text())) {
                        return new Condition(field, operator, List.of(literal()));
                    }
                }
            }
            throw unexpected(op);
        }

        private Literal literal() {
            Token t = next();
            return switch (t.type()) {
                case STRING -> new Literal(LiteralKind.STRING, t.text(), t.value());
                case NUMBER -> new Literal(LiteralKind.NUMBER, t.text(), t.value());
                case DATE -> new Literal(LiteralKind.DATE, t.text(), t.value());
                case DATETIME -> new Literal(LiteralKind.DATETIME, t.text(), t.value());
                case WORD -> {
                    if (t.isKeyword("true") || t.isKeyword("false")) {
                        yield new Literal(LiteralKind.BOOLEAN, t.text(), Boolean.valueOf(t.text().toLowerCase(Locale.ROOT)));
                    }
                    if (t.isKeyword("null")) {
                        yield new Literal(LiteralKind.NULL, t.text(), null);
                    }
                    throw unexpected(t);   // date literals such as TODAY, bind variables, field names: unsupported
                }
                default -> throw unexpected(t);
            };
        }

        /** A field path: {@code Name} or {@code Relationship.Name}; keywords are not field names. */
        private String path() {
            Token t = next();
            if (t.type() != TokenType.WORD || KEYWORDS.contains(t.text().toUpperCase(Locale.ROOT))
                    || t.text().startsWith(".") || t.text().endsWith(".") || t.text().contains("..")) {
                throw unexpected(t);
            }
            return t.text();
        }

        /** An object or relationship name (no dots). */
        private String name() {
            String name = path();
            if (name.contains(".")) {
                throw malformed("unexpected token: '" + name + "'");
            }
            return name;
        }

        void expectEnd() {
            if (peek().type() != TokenType.END) {
                throw unexpected(peek());
            }
        }

        private Token peek() {
            return tokens.get(at);
        }

        private Token next() {
            Token t = tokens.get(at);
            if (t.type() != TokenType.END) {
                at++;
            }
            return t;
        }

        private void keyword(String keyword) {
            Token t = next();
            if (!t.isKeyword(keyword)) {
                throw unexpected(t);
            }
        }

        private boolean acceptKeyword(String keyword) {
            if (peek().isKeyword(keyword)) {
                at++;
                return true;
            }
            return false;
        }

        private void symbol(String symbol) {
            Token t = next();
            if (!t.isSymbol(symbol)) {
                throw unexpected(t);
            }
        }

        private boolean acceptSymbol(String symbol) {
            if (peek().isSymbol(symbol)) {
                at++;
                return true;
            }
            return false;
        }
    }

    private static SoqlException unexpected(Token t) {
        return malformed(t.type() == TokenType.END ? "unexpected end of query" : "unexpected token: '" + t.text() + "'");
    }

    private static SoqlException malformed(String message) {
        return new SoqlException("MALFORMED_QUERY", message);
    }

    // ------------------------------------------------------------------------------------------------ evaluation

    /** The SOQL type of a field, as far as filtering and ordering need it. */
    enum FieldType { STRING, NUMBER, BOOLEAN, DATE, DATETIME }

    /**
     * Checks that a literal fits the field's type, as an org does before running the query: a quoted value for a
     * date, dateTime, number or boolean field, or an unquoted one for a text field, is refused with INVALID_FIELD
     * ("value of filter criterion for field 'SystemModstamp' must be of type dateTime and should not be enclosed in
     * quotes"). The SOQL reference ("fieldExpression Syntax") says the value's type must match the field's and that
     * "quotes are unnecessary for dates and numbers"; "Date Formats and Date Literals": a dateTime format filters
     * only dateTime fields, a date format only date fields. The error code is INVALID_FIELD, the code orgs answer for
     * this message (the reference names no code).
     */
    static void checkLiteral(String field, FieldType type, Literal literal) {
        if (literal.kind() == LiteralKind.NULL) {
            return;
        }
        String expected = switch (type) {
            case STRING -> "string";
            case NUMBER -> "double";
            case BOOLEAN -> "boolean";
            case DATE -> "date";
            case DATETIME -> "dateTime";
        };
        boolean fits = switch (type) {
            case STRING -> literal.kind() == LiteralKind.STRING;
            case NUMBER -> literal.kind() == LiteralKind.NUMBER;
            case BOOLEAN -> literal.kind() == LiteralKind.BOOLEAN;
            case DATE -> literal.kind() == LiteralKind.DATE;
            case DATETIME -> literal.kind() == LiteralKind.DATETIME;
        };
        if (fits) {
            return;
        }
        String quoting = type == FieldType.STRING ? "should be enclosed in quotes" : "should not be enclosed in quotes";
        throw new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + field + "' must be of type "
                + expected + " and " + quoting);
    }

    /** Whether a stored value satisfies the condition (already type-checked with {@link #checkLiteral}). */
    static boolean matches(Object stored, FieldType type, Condition condition) {
        if (condition.operator() == Operator.IN) {
            return condition.values().stream().anyMatch(v -> compare(stored, type, v) == 0);
        }
        Literal literal = condition.values().get(0);
        if (literal.kind() == LiteralKind.NULL || stored == null) {
            boolean bothNull = literal.kind() == LiteralKind.NULL && stored == null;
            return switch (condition.operator()) {
                case EQ -> bothNull;
                case NE -> !bothNull;
                default -> false;   // null is neither less nor greater than anything
            };
        }
        Integer c = compare(stored, type, literal);
        if (c == null) {
            return condition.operator() == Operator.NE;
        }
        return switch (condition.operator()) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
            case IN -> throw new IllegalStateException();
        };
    }

    /** Compares a stored value with a literal; null when they cannot be compared (either is null, unreadable). */
    private static Integer compare(Object stored, FieldType type, Literal literal) {
        if (stored == null || literal.value() == null) {
            return null;
        }
        Comparable<Object> left = comparable(stored, type);
        if (left == null) {
            return null;
        }
        Object right = type == FieldType.STRING ? String.valueOf(literal.value()).toLowerCase(Locale.ROOT) : literal.value();
        return left.compareTo(right);
    }

    /**
     * A stored value as something comparable of its field's type: Instant for dateTime (the sandbox stores
     * {@code 2026-12-03T10:15:30.000+0000}; API writes may carry {@code Z} or {@code +00:00}), LocalDate, BigDecimal
     * (never double), Boolean, or lower-cased text (text comparisons are case-insensitive, "fieldExpression Syntax").
     */
    @SuppressWarnings("unchecked")
    static Comparable<Object> comparable(Object stored, FieldType type) {
        if (stored == null) {
            return null;
        }
        try {
            Comparable<?> value = switch (type) {
                case DATETIME -> stored instanceof Instant i ? i : instant(String.valueOf(stored));
                case DATE -> stored instanceof LocalDate d ? d : LocalDate.parse(String.valueOf(stored).substring(0, 10));
                case NUMBER -> new BigDecimal(String.valueOf(stored));
                case BOOLEAN -> stored instanceof Boolean b ? b : Boolean.valueOf(String.valueOf(stored));
                case STRING -> String.valueOf(stored).toLowerCase(Locale.ROOT);
            };
            return (Comparable<Object>) value;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final DateTimeFormatter STORED_DATETIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    /** Reads a stored dateTime in any of the shapes Salesforce accepts on write. */
    static Instant instant(String text) {
        return OffsetDateTime.parse(text, STORED_DATETIME).toInstant();
    }

    static final class SoqlException extends RuntimeException {
        final String errorCode;

        SoqlException(String errorCode, String message) {
            super(message);
            this.errorCode = errorCode;
        }
    }
}
