package dev.revenuebridge.sandbox.stripe;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * A simulated Stripe operation: its handler and the parameters it simulates. A parameter that Stripe's spec allows
 * but the sandbox would only ignore is refused with a message saying so, rather than silently accepted.
 */
record StripeEndpoint(Set<String> simulated, Function<StripeCall, Object> handler) {

    /** Pagination parameters every list operation takes. */
    static final Set<String> PAGINATION = Set.of("limit", "starting_after", "ending_before", "created");

    static StripeEndpoint of(Function<StripeCall, Object> handler, Set<String> simulated, String... more) {
        return new StripeEndpoint(union(simulated, more), handler);
    }

    static StripeEndpoint of(Function<StripeCall, Object> handler, String... simulated) {
        return new StripeEndpoint(Set.of(simulated), handler);
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> out = new HashSet<>(base);
        out.addAll(Set.of(more));
        return Set.copyOf(out);
    }

    /** Refuses parameters the sandbox does not simulate; {@code expand} is simulated everywhere. */
    void checkSimulated(String method, String template, StripeCall call) {
        for (String name : call.params().keySet()) {
            if (!name.equals("expand") && !simulated.contains(name)) {
                throw StripeError.invalid(name, "The revenue-bridge Stripe sandbox does not simulate the parameter '"
                        + name + "' of " + method + " " + template + " (Stripe accepts it; the sandbox would ignore it).");
            }
        }
    }
}
