package dev.revenuebridge.revenue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The days a ratable obligation is served, first and last included, and how they fall into calendar months. */
record ServicePeriod(LocalDate start, LocalDate end) {

    /** The days of service within one calendar month. */
    record ServiceMonth(YearMonth month, int daysServed) {

        boolean whole() {
            return daysServed == month.lengthOfMonth();
        }
    }

    /** Every calendar month the period touches, in order, with its days of service. */
    List<ServiceMonth> months() {
        List<ServiceMonth> months = new ArrayList<>();
        for (YearMonth m = YearMonth.from(start); !m.isAfter(YearMonth.from(end)); m = m.plusMonths(1)) {
            LocalDate from = start.isAfter(m.atDay(1)) ? start : m.atDay(1);
            LocalDate to = end.isBefore(m.atEndOfMonth()) ? end : m.atEndOfMonth();
            months.add(new ServiceMonth(m, (int) ChronoUnit.DAYS.between(from, to) + 1));
        }
        return months;
    }

    /**
     * The length of the period in months counted from the start date's anniversaries: whole months while
     * {@code start.plusMonths(k)} is still within the period, then the days left over as a fraction of the next
     * anniversary month. Rounded half-even to 10 decimals. Used only to price a recurring line's SSP when the line
     * has no term in months.
     */
    BigDecimal lengthInMonths() {
        LocalDate after = end.plusDays(1);
        int whole = 0;
        while (!start.plusMonths(whole + 1L).isAfter(after)) {
            whole++;
        }
        LocalDate anniversary = start.plusMonths(whole);
        long left = ChronoUnit.DAYS.between(anniversary, after);
        long monthDays = ChronoUnit.DAYS.between(anniversary, start.plusMonths(whole + 1L));
        return BigDecimal.valueOf(whole).add(BigDecimal.valueOf(left)
                .divide(BigDecimal.valueOf(monthDays), 10, RoundingMode.HALF_EVEN));
    }
}
