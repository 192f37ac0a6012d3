package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.MinorUnits;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spreads one ratable obligation's allocation over the calendar months of its service period, by the monthly or the
 * daily convention. The rules are documented on {@link RevenueScheduler}.
 */
final class RatableRecognition {

    /** lcm(28, 29, 30, 31): every month's days divide it, so sums of month fractions stay exact integers. */
    private static final BigInteger MONTH_LENGTHS_LCM = BigInteger.valueOf(377_580);

    /**
     * @return the amount per month, in month order, adding up to {@code allocation} exactly, none negative
     */
    Map<YearMonth, BigDecimal> spread(BigDecimal allocation, ServicePeriod period, Convention convention, int digits) {
        return switch (convention) {
            case MONTHLY -> monthly(allocation, period.months(), digits);
            case DAILY -> daily(allocation, period.months(), digits);
        };
    }

    private Map<YearMonth, BigDecimal> monthly(BigDecimal allocation, List<ServicePeriod.ServiceMonth> months,
                                               int digits) {
        Map<YearMonth, BigDecimal> spread = monthly(allocation, months, digits, RoundingMode.HALF_EVEN);
        BigDecimal last = spread.get(months.get(months.size() - 1).month());
        // Half-even rounding can overshoot only when the allocation is a few minor units spread over many months;
        // rounding down instead keeps every month but the last at or below its exact share, so none goes negative.
        return last.signum() >= 0 ? spread : monthly(allocation, months, digits, RoundingMode.DOWN);
    }

    private Map<YearMonth, BigDecimal> monthly(BigDecimal allocation, List<ServicePeriod.ServiceMonth> months,
                                               int digits, RoundingMode rounding) {
        BigInteger monthEquivalents = BigInteger.ZERO;
        for (ServicePeriod.ServiceMonth m : months) {
            monthEquivalents = monthEquivalents.add(BigInteger.valueOf(m.daysServed())
                    .multiply(MONTH_LENGTHS_LCM.divide(BigInteger.valueOf(m.month().lengthOfMonth()))));
        }
        BigDecimal monthlyAmount = allocation.multiply(new BigDecimal(MONTH_LENGTHS_LCM))
                .divide(new BigDecimal(monthEquivalents), digits, rounding);
        Map<YearMonth, BigDecimal> spread = new LinkedHashMap<>();
        BigDecimal recognized = BigDecimal.ZERO;
        for (ServicePeriod.ServiceMonth m : months.subList(0, months.size() - 1)) {
            BigDecimal amount = m.whole() ? monthlyAmount
                    : monthlyAmount.multiply(BigDecimal.valueOf(m.daysServed()))
                            .divide(BigDecimal.valueOf(m.month().lengthOfMonth()), digits, rounding);
            spread.put(m.month(), amount);
            recognized = recognized.add(amount);
        }
        spread.put(months.get(months.size() - 1).month(), allocation.subtract(recognized).setScale(digits));
        return spread;
    }

    private Map<YearMonth, BigDecimal> daily(BigDecimal allocation, List<ServicePeriod.ServiceMonth> months,
                                             int digits) {
        List<BigInteger> parts = LargestRemainder.apportion(MinorUnits.toMinor(allocation, digits),
                months.stream().map(m -> BigInteger.valueOf(m.daysServed())).toList());
        Map<YearMonth, BigDecimal> spread = new LinkedHashMap<>();
        for (int i = 0; i < months.size(); i++) {
            spread.put(months.get(i).month(), MinorUnits.fromMinor(parts.get(i), digits));
        }
        return spread;
    }
}
