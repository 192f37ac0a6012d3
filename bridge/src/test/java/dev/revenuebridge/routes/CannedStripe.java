package dev.revenuebridge.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.cash.StripeObjects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Stripe reads of the cash side (StripeObjects) answered from objects the test gives, for route tests that run
 * without the Stripe sandbox: {@code GET} of an object by its path, and lists paged as Stripe pages them
 * ({@code limit}, {@code starting_after}, {@code has_more}). Every request is kept, so a test can count them.
 */
final class CannedStripe extends StripeObjects {

    private final Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
    private final Map<String, List<Map<String, Object>>> lists = new LinkedHashMap<>();
    final List<String> requests = new ArrayList<>();

    CannedStripe() {
        super(null, new ObjectMapper());
    }

    CannedStripe object(String path, Map<String, Object> object) {
        objects.put(path, object);
        return this;
    }

    /** A list at {@code path} with its filters (e.g. {@code /v1/balance_transactions?payout=po_1}), in Stripe's order. */
    CannedStripe list(String pathAndFilters, List<Map<String, Object>> items) {
        lists.put(pathAndFilters, items);
        return this;
    }

    @Override
    public Map<String, Object> get(String path) {
        requests.add(path);
        if (objects.containsKey(path)) {
            return objects.get(path);
        }
        String[] parts = path.split("\\?", 2);
        Map<String, String> query = parts.length < 2 ? Map.of() : Arrays.stream(parts[1].split("&"))
                .map(p -> p.split("=", 2)).collect(Collectors.toMap(p -> p[0], p -> p.length > 1 ? p[1] : "",
                        (a, b) -> a, LinkedHashMap::new));
        String filters = query.entrySet().stream().filter(e -> !List.of("limit", "starting_after").contains(e.getKey())
                && !e.getKey().startsWith("expand")).map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
        List<Map<String, Object>> items = lists.get(parts[0] + (filters.isEmpty() ? "" : "?" + filters));
        if (items == null) {
            throw new IllegalStateException("no canned Stripe answer for GET " + path);
        }
        int limit = Integer.parseInt(query.getOrDefault("limit", "10"));
        int from = 0;
        if (query.containsKey("starting_after")) {
            String after = query.get("starting_after");
            from = items.stream().map(i -> String.valueOf(i.get("id"))).toList().indexOf(after) + 1;
        }
        List<Map<String, Object>> page = items.subList(from, Math.min(items.size(), from + limit));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("object", "list");
        answer.put("data", page);
        answer.put("has_more", from + limit < items.size());
        return answer;
    }
}
