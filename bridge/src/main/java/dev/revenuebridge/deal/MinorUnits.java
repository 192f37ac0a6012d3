package dev.revenuebridge.deal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;

/**
 * The one conversion between amounts of a currency (BigDecimal, e.g. 120000.00 USD) and whole minor units of it
 * (12000000 cents: what Stripe's API and the ledgers count in), by the currency's ISO 4217 minor unit (2 for USD, 0 for
 * JPY, 3 for BHD). Exact both ways: an amount finer than the minor unit is an error, never rounded. Never a double.
 */
public final class MinorUnits {

    private MinorUnits() {
    }

    /** Decimal digits of the currency's minor unit, if ISO 4217 knows the code (any case) and it has a minor unit. */
    public static Optional<Integer> digitsOf(String currency) {
        if (currency == null) {
            return Optional.empty();
        }
        try {
            int digits = Currency.getInstance(currency.trim().toUpperCase(Locale.ROOT)).getDefaultFractionDigits();
            return digits < 0 ? Optional.empty() : Optional.of(digits);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Decimal digits of the currency's minor unit; an unknown code is an IllegalArgumentException naming it. */
    public static int digits(String currency) {
        return digitsOf(currency).orElseThrow(() -> new IllegalArgumentException("not an ISO 4217 currency: " + currency));
    }

    /** The amount in minor units; it must be a whole number of them (ArithmeticException otherwise). */
    public static BigInteger toMinor(BigDecimal amount, int digits) {
        return amount.setScale(digits, RoundingMode.UNNECESSARY).unscaledValue();
    }

    /** The amount in minor units of the currency, as Stripe takes it; a value finer than that is an ArithmeticException. */
    public static long toMinor(BigDecimal amount, String currency) {
        return toMinor(amount, digits(currency)).longValueExact();
    }

    public static BigDecimal fromMinor(BigInteger minor, int digits) {
        return new BigDecimal(minor, digits);
    }

    public static BigDecimal fromMinor(long minor, int digits) {
        return BigDecimal.valueOf(minor, digits);
    }

    /** Minor units of the currency (e.g. Stripe's 2000000 usd) as an amount of it (20000.00). */
    public static BigDecimal fromMinor(long minor, String currency) {
        return BigDecimal.valueOf(minor, digits(currency));
    }

    /** An amount as finance writes it, to the currency's minor unit (120000.00, never 1.2E+5); two digits if unknown. */
    public static String format(BigDecimal amount, String currency) {
        int digits = digitsOf(currency).orElse(2);
        return amount.scale() > digits ? amount.toPlainString() : amount.setScale(digits, RoundingMode.UNNECESSARY).toPlainString();
    }
}
