package dev.revenuebridge.sandbox.stripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes Stripe's form encoding, where nesting is written in brackets: {@code metadata[sf_account_id]=x},
 * {@code items[0][price_data][recurring][interval]=month}, {@code expand[]=customer}.
 * <p>
 * The result is a tree of maps with string leaves. Array positions stay map keys ({@code "0"}, {@code "1"}; an
 * empty {@code []} takes the next position): whether {@code metadata[0]} is an array element or a metadata key is
 * for the schema to say, so {@link SdkParamSchema} turns such maps into lists where the SDK types a List.
 */
final class FormDecoder {

    /** One {@code key=value} pair, percent-decoded, in arrival order. */
    record Pair(String key, String value) {
    }

    private FormDecoder() {
    }

    static List<Pair> pairs(String raw) {
        List<Pair> out = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String key = decode(eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : decode(part.substring(eq + 1));
            if (!key.isEmpty()) out.add(new Pair(key, value));
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw StripeError.invalid(null, "Invalid URL encoding: " + s);
        }
    }

    /** Builds the nested structure; a key given both as a value and as a container is rejected like Stripe does. */
    static Map<String, Object> decode(List<Pair> pairs) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Pair pair : pairs) {
            insert(root, segments(pair.key()), pair.value());
        }
        return root;
    }

    /** {@code a[b][0][]} -> [a, b, 0, ""]; a key that is not well-formed bracket notation is one segment. */
    static List<String> segments(String key) {
        int open = key.indexOf('[');
        if (open <= 0) {
            return List.of(key);
        }
        List<String> out = new ArrayList<>();
        out.add(key.substring(0, open));
        int i = open;
        while (i < key.length()) {
            if (key.charAt(i) != '[') return List.of(key);
            int close = key.indexOf(']', i);
            if (close < 0) return List.of(key);
            out.add(key.substring(i + 1, close));
            i = close + 1;
        }
        return out;
    }

    /** Renders segments back into bracket notation, as Stripe names parameters in its errors. */
    static String name(List<String> segments) {
        StringBuilder out = new StringBuilder(segments.get(0));
        for (int i = 1; i < segments.size(); i++) {
            out.append('[').append(segments.get(i)).append(']');
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void insert(Map<String, Object> root, List<String> segments, String value) {
        Map<String, Object> node = root;
        List<String> path = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            boolean leaf = i == segments.size() - 1;
            String segment = segments.get(i);
            if (segment.isEmpty() && i > 0) {
                segment = appendPosition(node, leaf ? null : segments.get(i + 1));
            }
            path.add(segment);
            Object existing = node.get(segment);
            if (leaf) {
                if (existing instanceof Map) {
                    throw StripeError.invalid(name(path), "Invalid string: " + name(path)
                            + " was given both as a value and with nested parameters");
                }
                node.put(segment, value);
            } else {
                if (existing == null) {
                    existing = new LinkedHashMap<String, Object>();
                    node.put(segment, existing);
                } else if (!(existing instanceof Map)) {
                    throw StripeError.invalid(name(path), "Invalid hash");
                }
                node = (Map<String, Object>) existing;
            }
        }
    }

    /**
     * The position an empty {@code []} stands for: a new element, except that {@code items[][price]=a&items[][quantity]=2}
     * fills one element until a key repeats (the Rack convention older Stripe libraries rely on).
     */
    @SuppressWarnings("unchecked")
    private static String appendPosition(Map<String, Object> node, String nextKey) {
        int size = node.size();
        if (nextKey != null && size > 0 && node.get(String.valueOf(size - 1)) instanceof Map<?, ?> last
                && !((Map<String, Object>) last).containsKey(nextKey)) {
            return String.valueOf(size - 1);
        }
        return String.valueOf(size);
    }
}
