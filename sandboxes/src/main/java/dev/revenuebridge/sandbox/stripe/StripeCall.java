package dev.revenuebridge.sandbox.stripe;

import java.util.List;
import java.util.Map;

/**
 * One validated API call as the resource handlers see it: the path parameters and the typed parameters
 * (strings, Long, BigDecimal, Boolean, List, Map; an empty string where Stripe's "unset" alternative was used).
 */
record StripeCall(String method, Map<String, String> path, Map<String, Object> params) {

    String pathParam(String name) { return path.get(name); }

    boolean has(String name) { return params.containsKey(name); }

    /** True when the parameter was sent as an empty string, Stripe's way of unsetting a field. */
    boolean unset(String name) { return "".equals(params.get(name)); }

    String string(String name) { return params.get(name) instanceof String s && !s.isEmpty() ? s : null; }

    String string(String name, String fallback) {
        String s = string(name);
        return s == null ? fallback : s;
    }

    Long integer(String name) { return params.get(name) instanceof Long n ? n : null; }

    Boolean bool(String name) { return params.get(name) instanceof Boolean b ? b : null; }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(String name) { return params.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : null; }

    @SuppressWarnings("unchecked")
    List<Object> list(String name) { return params.get(name) instanceof List<?> l ? (List<Object>) l : null; }

    @SuppressWarnings("unchecked")
    List<String> expand() { return params.get("expand") instanceof List<?> l ? (List<String>) l : List.of(); }

    // ---- the same accessors over a nested parameter map ----

    static String string(Map<String, Object> map, String name) {
        return map != null && map.get(name) instanceof String s && !s.isEmpty() ? s : null;
    }

    static Long integer(Map<String, Object> map, String name) {
        return map != null && map.get(name) instanceof Long n ? n : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> map, String name) {
        return map != null && map.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }
}
