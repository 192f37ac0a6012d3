package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.revenuebridge.deal.ClosedWonDeal.BillingAccount;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The basic checks report every failing reason at once, in words a sales rep can act on. */
class DealChecksTest {

    final DealChecks checks = new DealChecks(new MappingCatalog("mappings", false));

    @Test
    void theWorkedExamplePasses() {
        ClosedWonDeal deal = deal("Net 30", "US", List.of(
                line("L1", "IMPL-STD", "20000.00", null), line("L2", "PLAT-SUB", "10000.00", 10)));
        assertThat(checks.check(deal)).isSameAs(deal);
    }

    @Test
    void everyFailingCheckIsReportedAtOnce() {
        ClosedWonDeal deal = deal("Net 97", "ZZ", List.of(
                line("L1", "GOLD-PLATING", "100.00", null), line("L2", "PLAT-SUB", null, null)));
        DealRejectedException rejected = catchThrowableOfType(DealRejectedException.class, () -> checks.check(deal));
        assertThat(rejected.opportunityId()).isEqualTo("006Dn00000TestAAA");
        assertThat(rejected.reasons()).containsExactly(
                "Payment terms 'Net 97' are not in mappings/payment-terms.yaml",
                "Billing country ZZ is not mapped to a subsidiary in mappings/subsidiaries.yaml",
                "Line L1 (GOLD-PLATING): product code GOLD-PLATING is not in the catalog (mappings/products.yaml)",
                "Line L2 (PLAT-SUB) is a subscription but has no term in months",
                "Line L2 (PLAT-SUB) has no unit price",
                "Line L2 (PLAT-SUB) has no total price");
    }

    @Test
    void aDealWithoutLinesOrAmountIsRejected() {
        ClosedWonDeal deal = new ClosedWonDeal("006Dn00000TestAAA", "Test", "001Dn00000TestAAA", null, null,
                null, null, null, null, null, null, null, account("US"), List.of());
        assertThat(catchThrowableOfType(DealRejectedException.class, () -> checks.check(deal)).reasons()).contains(
                "Opportunity Amount is empty", "Opportunity currency is empty", "Contract start date is empty",
                "Payment terms are empty", "The Opportunity has no line items");
    }

    static ClosedWonDeal deal(String terms, String country, List<DealLine> lines) {
        return new ClosedWonDeal("006Dn00000TestAAA", "Test deal", "001Dn00000TestAAA", "2025-12-19T17:04:11.000+0000",
                LocalDate.of(2025, 12, 19), LocalDate.of(2026, 1, 1), LocalDate.of(2026, 10, 31), "Monthly", terms,
                "ACH", "USD", new BigDecimal("120000.00"), account(country), lines);
    }

    static BillingAccount account(String country) {
        return new BillingAccount("001Dn00000TestAAA", "Test Corp", "1 Main Street", "Springfield", "62701", "IL",
                country, null, "ap@test.example");
    }

    static DealLine line(String id, String code, String unitPrice, Integer term) {
        BigDecimal price = unitPrice == null ? null : new BigDecimal(unitPrice);
        BigDecimal total = price == null ? null : price.multiply(BigDecimal.valueOf(term == null ? 1 : term));
        return new DealLine(id, code, code, BigDecimal.ONE, price, null, total, term, LocalDate.of(2026, 2, 15), null);
    }
}
