package dev.revenuebridge.sandbox.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Stripe's published OpenAPI description, used to route requests and to validate their parameters the way Stripe
 * does: unknown, missing, mistyped, out-of-enum, too long and wrongly emptied parameters are rejected with Stripe's
 * error codes and bracket-notation parameter names. Parsed once per file and shared (it is immutable).
 */
final class StripeOpenApi {

    /** One operation: its input is a single object schema joining the form body and the query parameters. */
    record Operation(String method, String template, String operationId, ObjectNode input) {
    }

    record Match(Operation operation, Map<String, String> pathParams) {
    }

    /**
     * Parameters Stripe added after the spec's version (2023-08-16) that the bridge needs, each with the reason.
     * Everything else is validated strictly against the spec.
     */
    private record LaterParameter(String method, String template, String name, String schema) {
    }

    private static final String PRICING_SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"price\":{\"type\":\"string\",\"maxLength\":5000}}}";

    private static final List<LaterParameter> LATER_PARAMETERS = List.of(
            // API 2025-03-31.basil moved an invoice item's price to pricing[price]; stripe-java v31 can only send that.
            new LaterParameter("post", "/v1/invoiceitems", "pricing", PRICING_SCHEMA),
            new LaterParameter("post", "/v1/invoiceitems/{invoiceitem}", "pricing", PRICING_SCHEMA));

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<Path, StripeOpenApi> CACHE = new ConcurrentHashMap<>();
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,19}");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)");

    private record Route(Operation operation, String[] segments, String[] names) {
        /** Literal segments before parameters, so /v1/customers/search wins over /v1/customers/{customer}. */
        String specificity() {
            StringBuilder key = new StringBuilder();
            for (String name : names) key.append(name == null ? '1' : '0');
            return key.toString();
        }
    }

    private final JsonNode spec;
    private final String version;
    private final Map<String, List<Route>> routes = new HashMap<>();
    private int operationCount;

    private StripeOpenApi(JsonNode spec) {
        this.spec = spec;
        this.version = spec.path("info").path("version").asText();
        for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                addRoute(path.getKey(), op.getKey(), op.getValue());
            }
        }
        for (List<Route> list : routes.values()) {
            list.sort(Comparator.comparing(Route::specificity).reversed());
        }
    }

    /** Loads (once per file) the spec at {@code file}. */
    static StripeOpenApi load(Path file) {
        return CACHE.computeIfAbsent(file.toAbsolutePath().normalize(), f -> {
            try {
                return new StripeOpenApi(MAPPER.readTree(f.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Stripe's OpenAPI description at " + f, e);
            }
        });
    }

    String version() { return version; }

    int operationCount() { return operationCount; }

    private void addRoute(String template, String method, JsonNode op) {
        ObjectNode input = MAPPER.createObjectNode();
        input.put("type", "object");
        input.put("additionalProperties", false);
        ObjectNode properties = input.putObject("properties");
        ArrayNode required = input.putArray("required");
        JsonNode body = resolve(op.path("requestBody").path("content")
                .path("application/x-www-form-urlencoded").path("schema"));
        body.path("properties").properties().forEach(e -> properties.set(e.getKey(), e.getValue()));
        body.path("required").forEach(required::add);
        for (JsonNode parameter : op.path("parameters")) {
            parameter = resolve(parameter);
            if ("query".equals(parameter.path("in").asText())) {
                properties.set(parameter.path("name").asText(), parameter.path("schema"));
                if (parameter.path("required").asBoolean(false)) required.add(parameter.path("name").asText());
            }
        }
        for (LaterParameter later : LATER_PARAMETERS) {
            if (later.method().equals(method) && later.template().equals(template)) {
                try {
                    properties.set(later.name(), MAPPER.readTree(later.schema()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        String[] parts = template.split("/");
        String[] segments = new String[parts.length];
        String[] names = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                names[i] = parts[i].substring(1, parts[i].length() - 1);
            } else {
                segments[i] = parts[i];
            }
        }
        String upper = method.toUpperCase();
        Operation operation = new Operation(upper, template, op.path("operationId").asText(), input);
        routes.computeIfAbsent(upper + " " + parts.length, k -> new ArrayList<>())
                .add(new Route(operation, segments, names));
        operationCount++;
    }

    /** The operation for a method and a raw (still percent-encoded) path, or null when Stripe has none. */
    Match match(String method, String rawPath) {
        String[] parts = rawPath.split("/");
        List<Route> candidates = routes.get(method + " " + parts.length);
        if (candidates == null) return null;
        for (Route route : candidates) {
            Map<String, String> params = matchRoute(route, parts);
            if (params != null) return new Match(route.operation(), params);
        }
        return null;
    }

    private static Map<String, String> matchRoute(Route route, String[] parts) {
        Map<String, String> params = null;
        for (int i = 0; i < parts.length; i++) {
            if (route.names()[i] == null) {
                if (!route.segments()[i].equals(parts[i])) return null;
            } else {
                if (parts[i].isEmpty()) return null;
                if (params == null) params = new LinkedHashMap<>();
                params.put(route.names()[i], URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
            }
        }
        return params == null ? Map.of() : params;
    }

    // ---------------------------------------------------------------- validation

    /** Checks decoded parameters against the operation and returns them typed: Long, BigDecimal, Boolean, List, Map. */
    @SuppressWarnings("unchecked")
    Map<String, Object> validate(Operation operation, Map<String, Object> params) {
        return (Map<String, Object>) check(operation.input(), params, "");
    }

    private JsonNode resolve(JsonNode schema) {
        JsonNode ref = schema.get("$ref");
        while (ref != null) {
            String pointer = ref.asText();
            if (!pointer.startsWith("#")) throw new IllegalStateException("external $ref " + pointer);
            schema = spec.at(pointer.substring(1));
            ref = schema.get("$ref");
        }
        return schema;
    }

    private Object check(JsonNode schema, Object value, String param) {
        schema = resolve(schema);
        JsonNode anyOf = schema.get("anyOf");
        if (anyOf != null) return checkAnyOf(anyOf, value, param);
        return switch (schema.path("type").asText("")) {
            case "object" -> checkObject(schema, value, param);
            case "array" -> checkArray(schema, value, param);
            case "string" -> checkString(schema, value, param);
            case "integer" -> checkInteger(value, param);
            case "number" -> checkNumber(value, param);
            case "boolean" -> checkBoolean(value, param);
            default -> value;
        };
    }

    /** The first alternative that accepts the value; otherwise the complaint of the alternative that fits it best. */
    private Object checkAnyOf(JsonNode alternatives, Object value, String param) {
        StripeError best = null;
        int bestFit = -1;
        for (JsonNode alternative : alternatives) {
            try {
                return check(alternative, value, param);
            } catch (StripeError e) {
                int fit = fit(resolve(alternative), value);
                if (fit > bestFit) {
                    best = e;
                    bestFit = fit;
                }
            }
        }
        throw best;
    }

    private static int fit(JsonNode schema, Object value) {
        String type = schema.path("type").asText("");
        boolean container = type.equals("object") || type.equals("array");
        if (value instanceof Map) return container ? 2 : 0;
        JsonNode values = schema.get("enum");
        if (values != null && values.size() == 1 && values.get(0).asText().isEmpty()) return 0;  // Stripe's "unset"
        return container ? 1 : 2;
    }

    @SuppressWarnings("unchecked")
    private Object checkObject(JsonNode schema, Object value, String param) {
        if (!(value instanceof Map)) {
            if ("".equals(value)) throw StripeError.emptyParameter(param);
            throw StripeError.invalid(param, "Invalid hash");
        }
        Map<String, Object> map = (Map<String, Object>) value;
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean open = (properties == null && additional == null) || (additional != null && additional.asBoolean(false));
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : map.entrySet()) {
            String key = entry.getKey();
            String child = param.isEmpty() ? key : param + "[" + key + "]";
            JsonNode property = properties == null ? null : properties.get(key);
            if (property != null) {
                out.put(key, check(property, entry.getValue(), child));
            } else if (additional != null && additional.isObject()) {
                // metadata[key]= (empty) unsets that key, so an empty string passes where strings are expected
                boolean unset = "".equals(entry.getValue()) && "string".equals(resolve(additional).path("type").asText());
                out.put(key, unset ? "" : check(additional, entry.getValue(), child));
            } else if (open) {
                out.put(key, entry.getValue());
            } else {
                throw StripeError.unknownParameter(child);
            }
        }
        JsonNode required = schema.get("required");
        if (required != null) {
            for (JsonNode name : required) {
                if (!map.containsKey(name.asText())) {
                    throw StripeError.missingParameter(param.isEmpty() ? name.asText() : param + "[" + name.asText() + "]");
                }
            }
        }
        return out;
    }

    private Object checkArray(JsonNode schema, Object value, String param) {
        if (!(value instanceof Map<?, ?> map)) {
            if ("".equals(value)) throw StripeError.emptyParameter(param);
            throw StripeError.invalid(param, "Invalid array");
        }
        TreeMap<Integer, Object> ordered = new TreeMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String index = (String) entry.getKey();
            if (!index.matches("\\d{1,6}")) throw StripeError.invalid(param, "Invalid array");
            ordered.put(Integer.parseInt(index), entry.getValue());
        }
        JsonNode items = schema.get("items");
        List<Object> out = new ArrayList<>(ordered.size());
        for (Map.Entry<Integer, Object> entry : ordered.entrySet()) {
            out.add(items == null ? entry.getValue() : check(items, entry.getValue(), param + "[" + entry.getKey() + "]"));
        }
        return out;
    }

    private static Object checkString(JsonNode schema, Object value, String param) {
        if (!(value instanceof String s)) throw StripeError.invalid(param, "Invalid string: " + value);
        JsonNode values = schema.get("enum");
        if (s.isEmpty() && (values == null || !contains(values, ""))) throw StripeError.emptyParameter(param);
        if (values != null && !schema.path("x-stripeBypassValidation").asBoolean(false) && !contains(values, s)) {
            throw StripeError.invalid(param, "Invalid " + param + ": must be one of " + oneOf(values));
        }
        JsonNode maxLength = schema.get("maxLength");
        if (maxLength != null && s.length() > maxLength.asInt()) {
            throw StripeError.invalid(param, "Invalid string: " + (s.length() > 20 ? s.substring(0, 20) + "..." : s)
                    + "; must be at most " + maxLength.asInt() + " characters");
        }
        if ("decimal".equals(schema.path("format").asText()) && !DECIMAL.matcher(s).matches()) {
            throw StripeError.invalid(param, "Invalid decimal: " + s);
        }
        return s;
    }

    private static Object checkInteger(Object value, String param) {
        if ("".equals(value)) throw StripeError.emptyParameter(param);
        if (value instanceof String s && INTEGER.matcher(s).matches()) {
            try {
                return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException e) {
                throw StripeError.invalidInteger(param, s);
            }
        }
        throw StripeError.invalidInteger(param, String.valueOf(value));
    }

    private static Object checkNumber(Object value, String param) {
        if ("".equals(value)) throw StripeError.emptyParameter(param);
        if (value instanceof String s && DECIMAL.matcher(s).matches()) return new BigDecimal(s);
        throw StripeError.invalid(param, "Invalid decimal: " + value);
    }

    private static Object checkBoolean(Object value, String param) {
        if ("".equals(value)) throw StripeError.emptyParameter(param);
        if ("true".equals(value)) return Boolean.TRUE;
        if ("false".equals(value)) return Boolean.FALSE;
        throw StripeError.invalid(param, "Invalid boolean: " + value);
    }

    private static boolean contains(JsonNode values, String s) {
        for (JsonNode v : values) {
            if (v.asText().equals(s)) return true;
        }
        return false;
    }

    /** "a, b, or c" as Stripe lists allowed values. */
    private static String oneOf(JsonNode values) {
        List<String> names = new ArrayList<>();
        values.forEach(v -> names.add(v.asText().isEmpty() ? "\"\"" : v.asText()));
        if (names.size() == 1) return names.get(0);
        if (names.size() == 2) return names.get(0) + " or " + names.get(1);
        return String.join(", ", names.subList(0, names.size() - 1)) + ", or " + names.get(names.size() - 1);
    }
}
