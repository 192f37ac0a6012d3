package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.MinorUnits;
import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Revenue to recognize, by calendar month and obligation, in the contract's currency at its minor unit. Entries are
 * ordered by month, then by the deal's line order. The schedule adds up to the transaction price exactly.
 *
 * @param opportunityId the Opportunity the schedule belongs to
 * @param currency      ISO 4217 code of every amount
 * @param entries       one entry per obligation and month in which it recognizes revenue
 */
public record RevenueSchedule(String opportunityId, String currency, List<Entry> entries) {

    public RevenueSchedule {
        Objects.requireNonNull(currency, "currency");
        entries = List.copyOf(entries);
    }

    /**
     * Revenue recognized for one obligation in one calendar month.
     *
     * @param month       the calendar month, written {@code YYYY-MM}
     * @param lineId      the obligation's OpportunityLineItem id
     * @param productCode the obligation's product
     * @param amount      the amount recognized, never negative
     */
    public record Entry(@JsonFormat(shape = JsonFormat.Shape.STRING, pattern = "yyyy-MM") YearMonth month,
                        String lineId, String productCode, BigDecimal amount) {
    }

    /** Everything the schedule recognizes. */
    public BigDecimal total() {
        return entries.stream().map(Entry::amount).reduce(zero(), BigDecimal::add);
    }

    /** Revenue per calendar month, all obligations together, in month order. */
    public SortedMap<YearMonth, BigDecimal> byMonth() {
        SortedMap<YearMonth, BigDecimal> months = new TreeMap<>();
        entries.forEach(e -> months.merge(e.month(), e.amount(), BigDecimal::add));
        return months;
    }

    /** The entries of one obligation, in month order. */
    public List<Entry> forLine(String lineId) {
        return entries.stream().filter(e -> e.lineId().equals(lineId)).toList();
    }

    /** Everything recognized for one obligation. */
    public BigDecimal totalFor(String lineId) {
        return forLine(lineId).stream().map(Entry::amount).reduce(zero(), BigDecimal::add);
    }

    private BigDecimal zero() {
        return BigDecimal.ZERO.setScale(MinorUnits.digits(currency));
    }
}
