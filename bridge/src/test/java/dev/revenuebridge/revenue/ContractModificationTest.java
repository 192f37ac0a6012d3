package dev.revenuebridge.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Amendments treated prospectively: recognized months stay, the remaining price goes to what is left to deliver. */
class ContractModificationTest {

    static final RevenueScheduler SCHEDULER = new RevenueScheduler(new MappingCatalog("mappings", false), Convention.MONTHLY);
    static final ContractModification MODIFICATION = new ContractModification(SCHEDULER);
    static final ClosedWonDeal WORKED_EXAMPLE = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");

    @Test
    void anExpansionInMayKeepsJanuaryToAprilAndSpreadsTheRestOverMayToOctober() {
        RevenueSchedule posted = SCHEDULER.schedule(SCHEDULER.contract(WORKED_EXAMPLE));
        // from May the platform has 2 seats: 4 months x 10,000 + 6 months x 20,000 = 160,000; implementation 20,000
        ClosedWonDeal amended = withPlatform(WORKED_EXAMPLE, 2, "160000.00", "180000.00");

        RevenueSchedule modified = MODIFICATION.schedule(amended, posted.entries(), YearMonth.of(2026, 5));

        Map<String, BigDecimal> byMonth = new TreeMap<>();
        modified.byMonth().forEach((month, amount) -> byMonth.put(month.toString(), amount));
        assertThat(byMonth).containsEntry("2026-01", new BigDecimal("10000.00"))
                .containsEntry("2026-02", new BigDecimal("30000.00"))
                .containsEntry("2026-04", new BigDecimal("10000.00"))
                .containsEntry("2026-05", new BigDecimal("20000.00"))
                .containsEntry("2026-10", new BigDecimal("20000.00"));
        assertThat(modified.total()).isEqualByComparingTo("180000.00");
        // the months before the modification are exactly as posted: nothing restated
        assertThat(modified.entries().stream().filter(e -> e.month().isBefore(YearMonth.of(2026, 5))).toList())
                .isEqualTo(posted.entries().stream().filter(e -> e.month().isBefore(YearMonth.of(2026, 5))).toList());
    }

    @Test
    void aReductionBelowWhatWasRecognizedIsRefused() {
        RevenueSchedule posted = SCHEDULER.schedule(SCHEDULER.contract(WORKED_EXAMPLE));
        ClosedWonDeal amended = withPlatform(WORKED_EXAMPLE, 1, "30000.00", "50000.00");
        assertThatThrownBy(() -> MODIFICATION.schedule(amended, posted.entries(), YearMonth.of(2026, 6)))
                .isInstanceOf(RevenueRecognitionException.class)
                .hasMessageContaining("below the revenue already recognized");
    }

    static ClosedWonDeal withPlatform(ClosedWonDeal deal, int seats, String platformTotal, String amount) {
        List<DealLine> lines = deal.lines().stream().map(l -> !l.productCode().equals("PLAT-SUB") ? l
                : new DealLine(l.lineId(), l.productCode(), l.productName(), BigDecimal.valueOf(seats), l.unitPrice(),
                null, new BigDecimal(platformTotal), l.termMonths(), l.serviceDate(), l.description())).toList();
        return new ClosedWonDeal(deal.opportunityId(), deal.name(), deal.accountId(), deal.version(), deal.closeDate(),
                deal.contractStart(), deal.contractEnd(), deal.billingCadence(), deal.paymentTerms(), deal.paymentMethod(),
                deal.currency(), new BigDecimal(amount), deal.account(), lines);
    }
}
