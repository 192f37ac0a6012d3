package dev.revenuebridge.sandbox.stripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the operation ("METHOD /v1/template") of a request among the templates the sandbox registered. Literal
 * segments win over {@code {param}} ones, so /v1/customers/search is not taken for /v1/customers/{customer}.
 */
final class StripeRoutes {

    /** A matched operation and its decoded path parameters. */
    record Match(String operation, String template, Map<String, String> pathParams) {
    }

    private record Route(String operation, String method, String template, String[] literals, String[] names) {
        /** '0' for a literal segment, '1' for a parameter: sorting these keys puts literal-first routes first. */
        String specificity() {
            StringBuilder key = new StringBuilder();
            for (String name : names) key.append(name == null ? '0' : '1');
            return key.toString();
        }
    }

    private final List<Route> routes = new ArrayList<>();

    /** @param operations keys like "GET /v1/customers/{customer}" */
    StripeRoutes(Collection<String> operations) {
        for (String operation : operations) {
            int space = operation.indexOf(' ');
            String method = operation.substring(0, space);
            String template = operation.substring(space + 1);
            String[] parts = template.split("/");
            String[] literals = new String[parts.length];
            String[] names = new String[parts.length];
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    names[i] = parts[i].substring(1, parts[i].length() - 1);
                } else {
                    literals[i] = parts[i];
                }
            }
            routes.add(new Route(operation, method, template, literals, names));
        }
        routes.sort(Comparator.comparing(Route::specificity));
    }

    /** The operation for a method and a raw (still percent-encoded) path, or null when none is registered. */
    Match match(String method, String rawPath) {
        String[] parts = rawPath.split("/");
        for (Route route : routes) {
            if (!route.method().equals(method) || route.names().length != parts.length) continue;
            Map<String, String> params = matchRoute(route, parts);
            if (params != null) return new Match(route.operation(), route.template(), params);
        }
        return null;
    }

    private static Map<String, String> matchRoute(Route route, String[] parts) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            if (route.names()[i] == null) {
                if (!route.literals()[i].equals(parts[i])) return null;
            } else {
                if (parts[i].isEmpty()) return null;
                params.put(route.names()[i], URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
