package dev.revenuebridge.revenue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Recognition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;

/**
 * For random deals over the shipped catalog (any mix of IMPL-STD, PLAT-SUB and TRAIN-STD, quantities, prices,
 * discounts up to 100%, terms of 1 to 36 months or none, service starting on any day), under both conventions:
 * the allocation and the schedule tie out to the cent and never go negative.
 */
@PropertyDefaults(tries = 300)
class RevenuePropertiesTest {

    private static final LocalDate EPOCH = LocalDate.of(2020, 1, 1);
    private static final BigDecimal HUNDRED = new BigDecimal("100");

    private final MappingCatalog catalog = new MappingCatalog("mappings", false);

    /** One generated line before it is priced. */
    record LineSpec(String productCode, int quantity, BigDecimal unitPrice, BigDecimal discount, Integer termMonths,
                    Integer serviceOffsetDays) {
    }

    @Property
    void allocationsAddUpToTheTransactionPriceAndStayWithinACentOfTheExactShare(@ForAll("deals") ClosedWonDeal deal) {
        RevenueScheduler scheduler = new RevenueScheduler(catalog, Convention.MONTHLY);
        assertThat(scheduler.findings(deal)).isEmpty();
        Contract contract = scheduler.contract(deal);

        BigDecimal linePrices = deal.lines().stream().map(DealLine::totalPrice).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(contract.transactionPrice()).isEqualByComparingTo(linePrices);
        assertThat(contract.obligations().stream().map(PerformanceObligation::allocatedAmount)
                .reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualTo(contract.transactionPrice());
        BigDecimal totalSsp = contract.totalStandaloneSellingPrice();
        for (PerformanceObligation o : contract.obligations()) {
            assertThat(o.allocatedAmount().signum()).isNotNegative();
            assertThat(o.allocatedAmount().scale()).isEqualTo(2);
            if (totalSsp.signum() > 0) {
                BigDecimal exact = contract.transactionPrice().multiply(o.standaloneSellingPrice())
                        .divide(totalSsp, 10, RoundingMode.HALF_EVEN);
                assertThat(o.allocatedAmount().subtract(exact).abs()).isLessThan(new BigDecimal("0.01"));
            }
        }
    }

    @Property
    void everyScheduleTiesOutToTheCentAndNoMonthIsNegative(@ForAll("deals") ClosedWonDeal deal,
                                                           @ForAll Convention convention) {
        RevenueScheduler scheduler = new RevenueScheduler(catalog, convention);
        Contract contract = scheduler.contract(deal);
        RevenueSchedule schedule = scheduler.schedule(contract);

        assertThat(schedule.total()).isEqualTo(contract.transactionPrice());
        assertThat(schedule.entries()).allSatisfy(e -> assertThat(e.amount().signum()).isNotNegative());
        assertThat(schedule.entries()).extracting(RevenueSchedule.Entry::month).isSorted();
        for (PerformanceObligation o : contract.obligations()) {
            assertThat(schedule.totalFor(o.lineId())).isEqualTo(o.allocatedAmount());
            List<YearMonth> months = schedule.forLine(o.lineId()).stream().map(RevenueSchedule.Entry::month).toList();
            if (o.recognition() == Recognition.POINT_IN_TIME) {
                assertThat(months).containsExactly(YearMonth.from(o.deliveryDate()));
            } else {
                assertThat(months).first().isEqualTo(YearMonth.from(o.serviceStart()));
                assertThat(months).last().isEqualTo(YearMonth.from(o.serviceEnd()));
                assertThat(months).doesNotHaveDuplicates().hasSize(
                        (int) YearMonth.from(o.serviceStart()).until(YearMonth.from(o.serviceEnd()),
                                java.time.temporal.ChronoUnit.MONTHS) + 1);
            }
        }
    }

    @Property
    void wholeMonthsOfARatableObligationAreEqualUnderTheMonthlyConvention(@ForAll("deals") ClosedWonDeal deal) {
        RevenueScheduler scheduler = new RevenueScheduler(catalog, Convention.MONTHLY);
        Contract contract = scheduler.contract(deal);
        RevenueSchedule schedule = scheduler.schedule(contract);
        for (PerformanceObligation o : contract.obligations()) {
            if (o.recognition() != Recognition.RATABLE) {
                continue;
            }
            List<RevenueSchedule.Entry> entries = schedule.forLine(o.lineId());
            List<BigDecimal> wholeMonths = new ArrayList<>();
            for (RevenueSchedule.Entry e : entries.subList(0, entries.size() - 1)) {
                if (whole(e.month(), o)) {
                    wholeMonths.add(e.amount());
                }
            }
            assertThat(wholeMonths).as("whole months before the last of line %s", o.lineId()).allSatisfy(
                    amount -> assertThat(amount).isEqualTo(wholeMonths.get(0)));
            RevenueSchedule.Entry last = entries.get(entries.size() - 1);
            if (!wholeMonths.isEmpty() && whole(last.month(), o)) {
                // the last month carries the rounding remainder: at most two cents per month of service
                BigDecimal bound = new BigDecimal("0.02").multiply(BigDecimal.valueOf(entries.size()));
                assertThat(last.amount().subtract(wholeMonths.get(0)).abs()).isLessThanOrEqualTo(bound);
            }
        }
    }

    private static boolean whole(YearMonth month, PerformanceObligation o) {
        return !o.serviceStart().isAfter(month.atDay(1)) && !o.serviceEnd().isBefore(month.atEndOfMonth());
    }

    @Provide
    Arbitrary<ClosedWonDeal> deals() {
        Arbitrary<BigDecimal> discounts = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(BigDecimal.ZERO)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(HUNDRED)),
                net.jqwik.api.Tuple.of(4, Arbitraries.bigDecimals().between(BigDecimal.ZERO, HUNDRED).ofScale(2)));
        Arbitrary<Integer> terms = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, Arbitraries.integers().between(1, 36).map(Integer::valueOf)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Integer) null)));
        Arbitrary<Integer> serviceOffsets = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0, 400).map(Integer::valueOf)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Integer) null)));
        Arbitrary<LineSpec> lines = Combinators.combine(
                Arbitraries.of("IMPL-STD", "PLAT-SUB", "TRAIN-STD"),
                Arbitraries.integers().between(1, 25),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("60000")).ofScale(2),
                discounts, terms, serviceOffsets).as(LineSpec::new);
        return Combinators.combine(lines.list().ofMinSize(1).ofMaxSize(6),
                        Arbitraries.integers().between(0, 366 * 16), Arbitraries.integers().between(1, 60))
                .as(this::deal);
    }

    private ClosedWonDeal deal(List<LineSpec> specs, int startOffset, int contractMonths) {
        LocalDate start = EPOCH.plusDays(startOffset);
        LocalDate end = start.plusMonths(contractMonths).plusDays(400);
        List<DealLine> lines = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            LineSpec s = specs.get(i);
            boolean recurring = s.productCode().equals("PLAT-SUB");
            Integer term = recurring ? s.termMonths() : null;
            // a one-time line always has its delivery date; a subscription may fall back to the contract start
            LocalDate serviceDate = s.serviceOffsetDays() == null
                    ? (recurring ? null : start) : start.plusDays(s.serviceOffsetDays());
            BigDecimal months = recurring ? BigDecimal.valueOf(term == null ? contractMonths : term) : BigDecimal.ONE;
            BigDecimal total = s.unitPrice().multiply(BigDecimal.valueOf(s.quantity())).multiply(months)
                    .multiply(HUNDRED.subtract(s.discount())).divide(HUNDRED).setScale(2, RoundingMode.HALF_EVEN);
            lines.add(new DealLine("00kLINE" + i, s.productCode(), s.productCode(), BigDecimal.valueOf(s.quantity()),
                    s.unitPrice(), s.discount(), total, term, serviceDate, null));
        }
        BigDecimal amount = lines.stream().map(DealLine::totalPrice).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new ClosedWonDeal("006PROPERTY", "Generated", "001PROPERTY", "1", start, start, end, "Monthly",
                "Net 30", "ACH", "USD", amount, null, List.copyOf(lines));
    }
}
