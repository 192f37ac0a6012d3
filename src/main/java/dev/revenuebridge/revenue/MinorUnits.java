package dev.revenuebridge.revenue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;
import java.util.Optional;

/** The minor unit of a currency (cents for USD), and amounts converted to and from whole minor units. */
final class MinorUnits {

    private MinorUnits() {
    }

    /** Decimal digits of the currency's minor unit, if ISO 4217 knows the code and it has a minor unit. */
    static Optional<Integer> digitsOf(String currency) {
        if (currency == null) {
            return Optional.empty();
        }
        try {
            int digits = Currency.getInstance(currency.trim().toUpperCase(java.util.Locale.ROOT)).getDefaultFractionDigits();
            return digits < 0 ? Optional.empty() : Optional.of(digits);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static int digits(String currency) {
        return digitsOf(currency).orElseThrow(() -> new IllegalArgumentException("not an ISO 4217 currency: " + currency));
    }

    /** The amount in minor units; it must already be a whole number of them. */
    static BigInteger toMinor(BigDecimal amount, int digits) {
        return amount.setScale(digits).unscaledValue();
    }

    static BigDecimal fromMinor(BigInteger minor, int digits) {
        return new BigDecimal(minor, digits);
    }
}
