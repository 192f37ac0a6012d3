package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog.Recognition;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * An amendment treated prospectively (ASC 606-10-25-13(a)): the original contract ends at the modification and a new
 * one begins. Revenue recognized in the months before the modification month stays as posted; the remaining price
 * (the amended transaction price less what was recognized) is allocated by relative standalone selling price to what
 * is still to deliver: point-in-time lines delivered from the modification month on, and the remaining months of
 * ratable lines. Prior months are never restated.
 *
 * <p>Limits, reported rather than guessed: the remaining service of a ratable line must begin on the first of the
 * modification month and run whole months (the contract's service must end on a month end), and the remaining price
 * must not be negative.
 */
public final class ContractModification {

    private final RevenueScheduler scheduler;

    public ContractModification(RevenueScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * The schedule of the amended deal, modified in {@code modificationMonth}, given what was posted before.
     * @throws RevenueRecognitionException when the modification cannot be treated prospectively as described
     */
    public RevenueSchedule schedule(ClosedWonDeal amended, List<RevenueSchedule.Entry> posted, YearMonth modificationMonth) {
        List<RevenueSchedule.Entry> recognized = posted.stream().filter(e -> e.month().isBefore(modificationMonth)).toList();
        BigDecimal recognizedTotal = recognized.stream().map(RevenueSchedule.Entry::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        Contract contract = scheduler.contract(amended);
        BigDecimal remainingPrice = contract.transactionPrice().subtract(recognizedTotal);
        if (remainingPrice.signum() < 0) {
            throw refuse(amended, "the amended price " + contract.transactionPrice().toPlainString()
                    + " is below the revenue already recognized (" + recognizedTotal.toPlainString() + ")");
        }
        LocalDate from = modificationMonth.atDay(1);
        List<DealLine> remaining = new ArrayList<>();
        for (PerformanceObligation obligation : contract.obligations()) {
            DealLine line = amended.lines().stream().filter(l -> l.lineId().equals(obligation.lineId())).findFirst().orElseThrow();
            if (obligation.recognition() == Recognition.POINT_IN_TIME) {
                boolean recognizedAlready = recognized.stream().anyMatch(e -> e.lineId().equals(line.lineId()));
                if (!recognizedAlready) {
                    LocalDate delivery = obligation.deliveryDate().isBefore(from) ? from : obligation.deliveryDate();
                    remaining.add(copy(line, BigDecimal.ZERO, null, delivery));
                }
            } else if (!obligation.serviceEnd().isBefore(from)) {
                LocalDate start = obligation.serviceStart().isAfter(from) ? obligation.serviceStart() : from;
                LocalDate end = obligation.serviceEnd();
                if (start.getDayOfMonth() != 1 || !end.equals(YearMonth.from(end).atEndOfMonth())) {
                    throw refuse(amended, "line " + line.lineId() + " does not run whole months from the modification");
                }
                int months = (int) ChronoUnit.MONTHS.between(YearMonth.from(start), YearMonth.from(end)) + 1;
                remaining.add(copy(line, BigDecimal.ZERO, months, start));
            }
        }
        if (remaining.isEmpty()) {
            if (remainingPrice.signum() != 0) {
                throw refuse(amended, "nothing is left to deliver for the remaining price " + remainingPrice.toPlainString());
            }
            return new RevenueSchedule(amended.opportunityId(), contract.currency(), recognized);
        }
        // the remaining price goes on the first remaining line; the allocation spreads it by standalone selling price
        DealLine first = remaining.get(0);
        remaining.set(0, copy(first, remainingPrice, first.termMonths(), first.serviceDate()));
        ClosedWonDeal rest = new ClosedWonDeal(amended.opportunityId(), amended.name(), amended.accountId(),
                amended.version(), amended.closeDate(), from, amended.contractEnd(), amended.billingCadence(),
                amended.paymentTerms(), amended.paymentMethod(), amended.currency(), remainingPrice, amended.account(),
                remaining);
        RevenueSchedule future = scheduler.schedule(scheduler.contract(rest));
        List<RevenueSchedule.Entry> entries = new ArrayList<>(recognized);
        entries.addAll(future.entries());
        return new RevenueSchedule(amended.opportunityId(), contract.currency(), entries);
    }

    private static DealLine copy(DealLine line, BigDecimal total, Integer termMonths, LocalDate serviceDate) {
        return new DealLine(line.lineId(), line.productCode(), line.productName(), line.quantity(), line.unitPrice(),
                null, total, termMonths, serviceDate, line.description());
    }

    private static RevenueRecognitionException refuse(ClosedWonDeal deal, String why) {
        return new RevenueRecognitionException(deal.opportunityId(), List.of(new RevenueFinding(
                RevenueFinding.Reason.MODIFICATION_NOT_PROSPECTIVE, null, null,
                "The amendment cannot be treated prospectively: " + why)));
    }
}
