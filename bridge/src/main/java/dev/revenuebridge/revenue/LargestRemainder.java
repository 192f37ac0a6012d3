package dev.revenuebridge.revenue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Splits a whole number of minor units in proportion to weights, so that the parts add up to the total exactly
 * (the largest-remainder method, also called Hamilton's method). Exact integer arithmetic, no rounding mode:
 * every part first gets the floor of its exact share {@code total x weight / sum of weights}; the minor units left
 * over (fewer than the number of parts) go one each to the parts with the largest remainders, and between equal
 * remainders to the earlier part. A part with weight zero gets nothing.
 */
public final class LargestRemainder {

    private LargestRemainder() {
    }

    public static List<BigInteger> apportion(BigInteger total, List<BigInteger> weights) {
        if (total.signum() < 0) {
            throw new IllegalArgumentException("cannot apportion a negative total " + total);
        }
        if (weights.stream().anyMatch(w -> w.signum() < 0)) {
            throw new IllegalArgumentException("weights must not be negative: " + weights);
        }
        BigInteger sum = weights.stream().reduce(BigInteger.ZERO, BigInteger::add);
        if (sum.signum() == 0) {
            if (total.signum() == 0) {
                return weights.stream().map(w -> BigInteger.ZERO).toList();
            }
            throw new IllegalArgumentException("cannot apportion " + total + " by weights that are all zero");
        }
        List<BigInteger> parts = new ArrayList<>(weights.size());
        List<BigInteger> remainders = new ArrayList<>(weights.size());
        BigInteger left = total;
        for (BigInteger weight : weights) {
            BigInteger[] share = total.multiply(weight).divideAndRemainder(sum);
            parts.add(share[0]);
            remainders.add(share[1]);
            left = left.subtract(share[0]);
        }
        int[] order = IntStream.range(0, weights.size()).boxed()
                .sorted(Comparator.comparing((Integer i) -> remainders.get(i)).reversed()
                        .thenComparing(Comparator.naturalOrder()))
                .mapToInt(Integer::intValue).toArray();
        for (int k = 0; left.signum() > 0; k++, left = left.subtract(BigInteger.ONE)) {
            parts.set(order[k], parts.get(order[k]).add(BigInteger.ONE));
        }
        return List.copyOf(parts);
    }
}
