package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.MinorUnits;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Product;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The ASC 606 revenue engine: turns a closed-won deal into a {@link Contract} (performance obligations, transaction
 * price, allocation) and the contract into a {@link RevenueSchedule} by calendar month. Pure: no I/O beyond the
 * product catalog, the same deal always gives the same contract and schedule.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li><b>Performance obligations.</b> One per deal line, typed by the catalog entry of its product code:
 *     point in time or ratable. A product the catalog does not know, a usage-based (metered) product, a catalog
 *     standalone selling price in another currency than the deal, and the other problems listed in
 *     {@link RevenueFinding.Reason} are reported by {@link #findings} and make {@link #contract} throw
 *     {@link RevenueRecognitionException}; the engine never guesses.</li>
 * <li><b>Transaction price.</b> The sum of the lines' TotalPrice, i.e. after their discounts; each TotalPrice is
 *     rounded half-even to the currency's minor unit first (Salesforce already stores them so).</li>
 * <li><b>Standalone selling price</b> of an obligation: the catalog's unit SSP x Quantity, and for a recurring
 *     product x the months of service (Subscription_Term__c; without a term, the service period's length in months
 *     counted by anniversaries of the start date), rounded half-even to the minor unit.</li>
 * <li><b>Allocation</b> by relative SSP, to the minor unit, by the largest-remainder method
 *     ({@link RevenueAllocator}): the allocations add up to the transaction price exactly. A free line gets its share
 *     by its SSP (carve-out); a discount is spread over all obligations in proportion to SSP.</li>
 * <li><b>Delivery date</b> of a point-in-time obligation: the line's ServiceDate (required).</li>
 * <li><b>Service period</b> of a ratable obligation: from the line's ServiceDate (the contract start date if the
 *     line has none) through the day before {@code start.plusMonths(Subscription_Term__c)}, both days included; a line
 *     without a term runs through the contract end date. The line's own term wins over the contract end date because
 *     it is what the line was priced on. {@code plusMonths} clamps to the month's end (a 1-month term from 31 January
 *     2026 ends on 27 February 2026).</li>
 * </ul>
 *
 * <h2>Schedule</h2>
 * All amounts are in the contract currency at its minor unit; no month is ever negative; each obligation's entries
 * add up to its allocation exactly, so the schedule adds up to the transaction price. Entries are ordered by month,
 * then by line.
 * <ul>
 * <li><b>Point in time:</b> the whole allocation in the calendar month of the delivery date.</li>
 * <li><b>Ratable, monthly convention</b> (the default, {@code revenue.recognition.convention=monthly}):
 *     every calendar month the service period touches counts as its fraction {@code days served / days in that
 *     month} (1 for a whole month); the <i>monthly amount</i> is {@code allocation / sum of those fractions}, rounded
 *     half-even to the minor unit. A whole calendar month recognizes the monthly amount; a partial month (first or
 *     last) recognizes {@code monthly amount x days served / days in that month}, rounded half-even. The last month
 *     of the service period recognizes the allocation minus every earlier month, so the whole rounding remainder
 *     (under one minor unit per month of service) sits there; all whole months before it are equal, and a whole
 *     last month differs from them only by that remainder. Should half-even rounding leave the last month negative
 *     (only for allocations of a few minor units over many months), the monthly and partial amounts are rounded
 *     down instead, which keeps every earlier month at or below its exact share and so the last month at or above
 *     its own (the remainder is then under two minor units per month).</li>
 * <li><b>Ratable, daily convention</b> ({@code revenue.recognition.convention=daily}): each calendar month gets
 *     {@code allocation x days served in that month / days in the service period}, to the minor unit by the
 *     largest-remainder method (floors, then the leftover minor units to the largest remainders, the earlier month
 *     first on a tie).</li>
 * </ul>
 * Example (the worked example): IMPL-STD 20,000.00 delivered 2026-02-15 and PLAT-SUB 100,000.00 from 2026-01-01
 * for 10 months give 20,000.00 in 2026-02 and 10,000.00 in each month 2026-01 to 2026-10. A 12-month
 * subscription of 120,000.00 from 2026-03-15 gives, monthly, 5,483.87 in 2026-03 (10,000.00 x 17/31), 10,000.00 in
 * each month 2026-04 to 2027-02 and 4,516.13 in 2027-03.
 */
@Component("revenueScheduler")
public class RevenueScheduler {

    private final ContractAssembler assembler;
    private final RatableRecognition ratable = new RatableRecognition();
    private final Convention convention;

    /** For Spring: the catalog and the {@code revenue.recognition.convention} setting (monthly or daily). */
    @Autowired
    public RevenueScheduler(MappingCatalog catalog,
                            @Value("${revenue.recognition.convention:monthly}") String convention) {
        this(catalog, Convention.of(convention));
    }

    public RevenueScheduler(MappingCatalog catalog, Convention convention) {
        this(catalog::product, convention);
    }

    RevenueScheduler(Function<String, Optional<Product>> catalog, Convention convention) {
        this.assembler = new ContractAssembler(catalog);
        this.convention = convention;
    }

    /** The configured convention for ratable obligations. */
    public Convention convention() {
        return convention;
    }

    /** Everything that keeps the deal from a contract, all at once; empty when {@link #contract} will succeed. */
    public List<RevenueFinding> findings(ClosedWonDeal deal) {
        return assembler.findings(deal);
    }

    /**
     * The deal's ASC 606 contract: obligations, transaction price and allocation.
     *
     * @throws RevenueRecognitionException with every finding, if the deal cannot be scheduled
     */
    public Contract contract(ClosedWonDeal deal) {
        return assembler.contract(deal);
    }

    /** The revenue schedule of a contract under the configured convention. */
    public RevenueSchedule schedule(Contract contract) {
        return scheduleWith(contract, convention);
    }

    /** The revenue schedule of a contract under a given convention, e.g. to compare both in a preview. */
    public RevenueSchedule scheduleWith(Contract contract, Convention convention) {
        int digits = MinorUnits.digits(contract.currency());
        List<RevenueSchedule.Entry> entries = new ArrayList<>();
        for (PerformanceObligation o : contract.obligations()) {
            switch (o.recognition()) {
                case POINT_IN_TIME -> entries.add(new RevenueSchedule.Entry(YearMonth.from(o.deliveryDate()),
                        o.lineId(), o.productCode(), o.allocatedAmount()));
                case RATABLE -> {
                    Map<YearMonth, BigDecimal> spread = ratable.spread(o.allocatedAmount(),
                            new ServicePeriod(o.serviceStart(), o.serviceEnd()), convention, digits);
                    spread.forEach((month, amount) ->
                            entries.add(new RevenueSchedule.Entry(month, o.lineId(), o.productCode(), amount)));
                }
                default -> throw new IllegalStateException("Line " + o.lineId() + ": no recognition rule for "
                        + o.recognition());
            }
        }
        entries.sort(Comparator.comparing(RevenueSchedule.Entry::month));
        return new RevenueSchedule(contract.opportunityId(), contract.currency(), entries);
    }
}
