package dev.revenuebridge.revenue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A closed-won deal as ASC 606 sees it: the contract with the customer (step 1), its performance obligations
 * (step 2), the transaction price (step 3) and that price allocated to the obligations by relative standalone
 * selling price (step 4). Recognition (step 5) is the {@link RevenueSchedule} that {@link RevenueScheduler} derives.
 *
 * <p>All amounts are in {@code currency} (ISO 4217), at the currency's minor unit (two decimals for USD, EUR, GBP).
 * The allocations add up to the transaction price exactly: the constructor refuses a contract where they do not.
 *
 * @param opportunityId    the Salesforce Opportunity the contract comes from
 * @param currency         ISO 4217 code of every amount in the contract
 * @param contractStart    the contract start date (Contract_Start_Date__c); may be null if the deal had none
 * @param contractEnd      the contract end date (Contract_End_Date__c); may be null if the deal had none
 * @param transactionPrice the sum of the lines' prices after discounts
 * @param obligations      one performance obligation per line, in the deal's line order
 */
public record Contract(String opportunityId, String currency, LocalDate contractStart, LocalDate contractEnd,
                       BigDecimal transactionPrice, List<PerformanceObligation> obligations) {

    public Contract {
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(transactionPrice, "transactionPrice");
        obligations = List.copyOf(obligations);
        BigDecimal allocated = obligations.stream().map(PerformanceObligation::allocatedAmount)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        if (allocated.compareTo(transactionPrice) != 0) {
            throw new IllegalArgumentException("Contract " + opportunityId + ": allocations add up to "
                    + allocated.toPlainString() + ", not to the transaction price " + transactionPrice.toPlainString());
        }
    }

    /** The obligation of a line, by the line's Salesforce id. */
    public Optional<PerformanceObligation> obligation(String lineId) {
        return obligations.stream().filter(o -> o.lineId().equals(lineId)).findFirst();
    }

    /** The sum of the obligations' standalone selling prices: the base of the relative allocation. */
    public BigDecimal totalStandaloneSellingPrice() {
        return obligations.stream().map(PerformanceObligation::standaloneSellingPrice)
                .reduce(BigDecimal.ZERO.setScale(transactionPrice.scale()), BigDecimal::add);
    }
}
