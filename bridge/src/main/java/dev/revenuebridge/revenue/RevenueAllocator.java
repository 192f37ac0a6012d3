package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.MinorUnits;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * Allocates a contract's transaction price to its performance obligations in proportion to their standalone selling
 * prices (ASC 606-10-32-28 to 32-31). Each obligation gets {@code transaction price x its SSP / sum of SSPs},
 * rounded to the minor unit by the largest-remainder method: floors first, then the leftover cents one each to the
 * largest remainders, ties going to the earlier line. The allocations therefore add up to the transaction price
 * exactly, each is within one minor unit of its exact share, and the result does not depend on anything but the
 * inputs and their order. Any discount is spread over every obligation (no obligation-specific discount, no residual
 * approach); a free line receives its share by SSP.
 */
public final class RevenueAllocator {

    /**
     * @param transactionPrice        the price to allocate, not negative, a whole number of minor units
     * @param standaloneSellingPrices one per obligation, in line order, not negative (any scale)
     * @param minorUnitDigits         decimals of the currency's minor unit
     * @return the allocated amounts, in the same order, at {@code minorUnitDigits} decimals
     * @throws IllegalArgumentException if the price is negative or not whole minor units, an SSP is negative, or the
     *                                  price is positive while every SSP is zero
     */
    public List<BigDecimal> allocate(BigDecimal transactionPrice, List<BigDecimal> standaloneSellingPrices,
                                     int minorUnitDigits) {
        BigInteger price;
        try {
            price = MinorUnits.toMinor(transactionPrice, minorUnitDigits);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("transaction price " + transactionPrice.toPlainString()
                    + " is not a whole number of minor units (" + minorUnitDigits + " decimals)", e);
        }
        int scale = standaloneSellingPrices.stream().mapToInt(BigDecimal::scale).max().orElse(0);
        List<BigInteger> weights = standaloneSellingPrices.stream()
                .map(ssp -> ssp.setScale(Math.max(scale, 0)).unscaledValue()).toList();
        return LargestRemainder.apportion(price, weights).stream()
                .map(minor -> MinorUnits.fromMinor(minor, minorUnitDigits)).toList();
    }
}
