package dev.revenuebridge.sandbox.stripe;

import java.util.concurrent.ThreadLocalRandom;

/** Identifiers in Stripe's formats: a type prefix and random base62 characters. */
final class StripeIds {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String UPPER_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private StripeIds() {
    }

    /** A new id such as {@code cus_NffrFeUfNV2Hib} (14 characters) or {@code sub_1MowQVLkdIwHu7ixeRlqHVzs} (24). */
    static String next(String prefix) {
        int length = switch (prefix) {
            case "cus_", "prod_", "si_", "req_" -> 14;
            default -> 24;
        };
        return prefix + random(BASE62, length);
    }

    /** A customer's invoice number prefix, 8 upper-case letters or digits (Stripe allows 3 to 12). */
    static String invoicePrefix() {
        return random(UPPER_ALNUM, 8);
    }

    private static String random(String alphabet, int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
