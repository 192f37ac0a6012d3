package dev.revenuebridge.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import dev.revenuebridge.mapping.MappingCatalog.Product;
import dev.revenuebridge.mapping.MappingCatalog.Recognition;
import dev.revenuebridge.revenue.RevenueFinding.Reason;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** The engine's edge cases beyond the golden files: month ends, tiny amounts, missing terms, refusals. */
class RevenueSchedulerTest {

    private static final MappingCatalog CATALOG = new MappingCatalog("mappings", false);
    private final RevenueScheduler monthly = new RevenueScheduler(CATALOG, Convention.MONTHLY);

    @Test
    void theSeedDealGivesTheWorkedExampleSchedule() {
        ClosedWonDeal seed = SeedDeals.fromClasspath("/deals/seed-120k-deal.json");
        RevenueSchedule schedule = monthly.schedule(monthly.contract(seed));

        assertThat(schedule.total()).isEqualTo(new BigDecimal("120000.00"));
        assertThat(schedule.forLine("00kDn00000Impl1AAA")).containsExactly(new RevenueSchedule.Entry(
                YearMonth.of(2026, 2), "00kDn00000Impl1AAA", "IMPL-STD", new BigDecimal("20000.00")));
        assertThat(schedule.forLine("00kDn00000Plat1AAA")).hasSize(10).allSatisfy(e -> {
            assertThat(e.amount()).isEqualTo(new BigDecimal("10000.00"));
            assertThat(e.month()).isBetween(YearMonth.of(2026, 1), YearMonth.of(2026, 10));
        });
        assertThat(schedule.byMonth()).containsEntry(YearMonth.of(2026, 2), new BigDecimal("30000.00"))
                .doesNotContainKey(YearMonth.of(2026, 11));
    }

    @Test
    void aTermStartingOnTheLastDayOfAMonthEndsTheDayBeforeTheClampedAnniversary() {
        ClosedWonDeal deal = deal("USD", subscription("L1", "3100.00", 1, LocalDate.of(2026, 1, 31)));
        Contract contract = monthly.contract(deal);
        PerformanceObligation platform = contract.obligations().get(0);
        assertThat(platform.serviceStart()).isEqualTo(LocalDate.of(2026, 1, 31));
        assertThat(platform.serviceEnd()).isEqualTo(LocalDate.of(2026, 2, 27));

        // fractions 1/31 + 27/28 = 865/868; monthly amount 3,100.00 x 868/865 = 3,110.75; January 1/31 of it
        RevenueSchedule schedule = monthly.schedule(contract);
        assertThat(schedule.byMonth()).containsExactly(
                Map.entry(YearMonth.of(2026, 1), new BigDecimal("100.35")),
                Map.entry(YearMonth.of(2026, 2), new BigDecimal("2999.65")));
    }

    @Test
    void aFewCentsOverManyMonthsNeverMakeAMonthNegative() {
        ClosedWonDeal deal = deal("USD", subscription("L1", "0.04", 6, LocalDate.of(2026, 1, 1)));
        RevenueSchedule schedule = monthly.schedule(monthly.contract(deal));
        // half-even would give 0.01 a month and -0.01 in June; rounding down keeps June at the exact share or above
        assertThat(schedule.entries()).extracting(RevenueSchedule.Entry::amount).containsExactly(
                new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.00"),
                new BigDecimal("0.00"), new BigDecimal("0.04"));
    }

    @Test
    void wholeMonthsStayEqualAndTheLastMonthCarriesTheRemainder() {
        ClosedWonDeal deal = deal("USD", subscription("L1", "100.00", 3, LocalDate.of(2026, 4, 1)));
        RevenueSchedule schedule = monthly.schedule(monthly.contract(deal));
        assertThat(schedule.entries()).extracting(RevenueSchedule.Entry::amount).containsExactly(
                new BigDecimal("33.33"), new BigDecimal("33.33"), new BigDecimal("33.34"));
        RevenueSchedule daily = monthly.scheduleWith(monthly.contract(deal), Convention.DAILY);
        // 30, 31 and 30 days of 91: 32.967, 34.065, 32.967 -> two cents left, to the larger remainders (April, June)
        assertThat(daily.entries()).extracting(RevenueSchedule.Entry::amount).containsExactly(
                new BigDecimal("32.97"), new BigDecimal("34.06"), new BigDecimal("32.97"));
    }

    @Test
    void aSubscriptionWithoutATermRunsToTheContractEnd() {
        DealLine noTerm = new DealLine("L1", "PLAT-SUB", "Platform", BigDecimal.ONE, new BigDecimal("1000.00"), null,
                new BigDecimal("2500.00"), null, null, null);
        ClosedWonDeal deal = deal("USD", noTerm);
        PerformanceObligation platform = monthly.contract(deal).obligations().get(0);
        assertThat(platform.serviceStart()).isEqualTo(LocalDate.of(2026, 1, 1));
        assertThat(platform.serviceEnd()).isEqualTo(LocalDate.of(2026, 3, 15));
        // catalog SSP 10,000.00 a month x (2 months plus 15 of March's 31 days = 2.4838709677)
        assertThat(platform.standaloneSellingPrice()).isEqualTo(new BigDecimal("24838.71"));
    }

    @Test
    void aUsageBasedProductIsRefusedAsUnsupported() {
        Product metered = new Product("API-CALLS", "API calls", Billing.RECURRING, "usage", Recognition.RATABLE,
                "API-CALLS", "509", new BigDecimal("0.01"), "USD", java.util.Map.of("USD", new BigDecimal("0.01")),
                dev.revenuebridge.mapping.MappingCatalog.ErpAccounts.NONE);
        RevenueScheduler scheduler = new RevenueScheduler(
                code -> code.equals("API-CALLS") ? Optional.of(metered) : CATALOG.product(code), Convention.MONTHLY);
        ClosedWonDeal deal = deal("USD", subscription("L1", "1000.00", 12, LocalDate.of(2026, 1, 1)),
                new DealLine("L2", "API-CALLS", "API calls", new BigDecimal("100000"), new BigDecimal("0.01"), null,
                        new BigDecimal("1000.00"), 12, LocalDate.of(2026, 1, 1), null));

        assertThat(scheduler.findings(deal)).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(Reason.UNSUPPORTED_RECOGNITION);
            assertThat(f.lineId()).isEqualTo("L2");
            assertThat(f.message()).contains("usage-based (metered) revenue is not supported");
        });
        assertThatThrownBy(() -> scheduler.contract(deal)).isInstanceOf(RevenueRecognitionException.class)
                .hasMessageContaining("Line L2 (API-CALLS)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ClosedWonDeal deal = new ClosedWonDeal("006X", "n", "001X", "v", null, null, null, null, null, null, "XYZ",
                null, null, List.of(
                new DealLine("L1", "PLAT-SUB", null, BigDecimal.ZERO, null, null, new BigDecimal("-5.00"), 0, null, null),
                new DealLine("L2", null, null, BigDecimal.ONE, null, null, BigDecimal.TEN, null, null, null)));
        assertThat(monthly.findings(deal)).extracting(RevenueFinding::reason).containsExactly(
                Reason.UNKNOWN_CURRENCY, Reason.SSP_CURRENCY_MISMATCH, Reason.INVALID_QUANTITY, Reason.INVALID_PRICE,
                Reason.INVALID_SERVICE_PERIOD, Reason.INCOMPLETE_LINE);
        assertThat(monthly.findings(deal("USD"))).extracting(RevenueFinding::reason).containsExactly(Reason.NO_LINES);
    }

    @Test
    void theConventionSettingIsReadInAnyCase() {
        assertThat(Convention.of("monthly")).isEqualTo(Convention.MONTHLY);
        assertThat(Convention.of(" Daily ")).isEqualTo(Convention.DAILY);
        assertThatThrownBy(() -> Convention.of("weekly")).hasMessageContaining("monthly or daily");
        assertThat(new RevenueScheduler(CATALOG, "daily").convention()).isEqualTo(Convention.DAILY);
    }

    @Test
    void springBuildsTheSchedulerWithTheConfiguredConvention() {
        assertThat(springScheduler(Map.of()).convention()).isEqualTo(Convention.MONTHLY);
        assertThat(springScheduler(Map.of("revenue.recognition.convention", "daily")).convention())
                .isEqualTo(Convention.DAILY);
    }

    private static RevenueScheduler springScheduler(Map<String, Object> properties) {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
            context.register(MappingCatalog.class, RevenueScheduler.class);
            context.refresh();
            return context.getBean("revenueScheduler", RevenueScheduler.class);
        }
    }

    @Test
    void aContractWhoseAllocationsMissThePriceCannotExist() {
        PerformanceObligation o = new PerformanceObligation("L1", "IMPL-STD", Recognition.POINT_IN_TIME,
                new BigDecimal("10.00"), new BigDecimal("10.00"), new BigDecimal("9.99"), LocalDate.of(2026, 1, 1),
                null, null);
        assertThatThrownBy(() -> new Contract("006X", "USD", null, null, new BigDecimal("10.00"), List.of(o)))
                .hasMessageContaining("allocations add up to 9.99, not to the transaction price 10.00");
    }

    @Test
    void scheduleMonthsAreWrittenAsYearAndMonth() throws Exception {
        RevenueSchedule schedule = monthly.schedule(monthly.contract(
                deal("USD", subscription("L1", "100.00", 1, LocalDate.of(2026, 4, 1)))));
        ObjectMapper json = new ObjectMapper().findAndRegisterModules()
                .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        assertThat(json.writeValueAsString(schedule.entries().get(0)))
                .isEqualTo("{\"month\":\"2026-04\",\"lineId\":\"L1\",\"productCode\":\"PLAT-SUB\",\"amount\":100.00}");
    }

    private static DealLine subscription(String id, String totalPrice, int months, LocalDate start) {
        return new DealLine(id, "PLAT-SUB", "Platform", BigDecimal.ONE, new BigDecimal("10000.00"), null,
                new BigDecimal(totalPrice), months, start, null);
    }

    private static ClosedWonDeal deal(String currency, DealLine... lines) {
        return new ClosedWonDeal("006Dn00000TestAAA", "Test", "001Dn00000TestAAA", "v1", LocalDate.of(2025, 12, 1),
                LocalDate.of(2026, 1, 1), LocalDate.of(2026, 3, 15), "Monthly", "Net 30", "ACH", currency,
                null, null, List.of(lines));
    }
}
