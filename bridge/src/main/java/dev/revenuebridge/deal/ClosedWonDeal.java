package dev.revenuebridge.deal;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A closed-won Opportunity as read from Salesforce, in the bridge's own terms (read through mappings/salesforce-fields.yaml).
 * Amounts are BigDecimal in {@code currency}; dates are the contract's calendar dates. Fields may be null when
 * Salesforce had no value: {@link DealChecks} decides what a deal must carry.
 */
public record ClosedWonDeal(
        String opportunityId,
        String name,
        String accountId,
        String version,
        LocalDate closeDate,
        LocalDate contractStart,
        LocalDate contractEnd,
        String billingCadence,
        String paymentTerms,
        String paymentMethod,
        String currency,
        BigDecimal amount,
        BillingAccount account,
        List<DealLine> lines) {

    /** The same deal read at another version (SystemModstamp), or at none: e.g. a deal-desk preview, read as of now. */
    public ClosedWonDeal withVersion(String otherVersion) {
        return new ClosedWonDeal(opportunityId, name, accountId, otherVersion, closeDate, contractStart, contractEnd,
                billingCadence, paymentTerms, paymentMethod, currency, amount, account, lines);
    }

    /** The Account as billed: who is invoiced and where. */
    public record BillingAccount(String accountId, String name, String street, String city, String postalCode,
                                 String state, String country, String taxId, String billingEmail) {
    }

    /**
     * One OpportunityLineItem. For recurring products {@code unitPrice} is per unit per month and {@code termMonths}
     * the number of months; {@code totalPrice} is the line's contract value.
     */
    public record DealLine(String lineId, String productCode, String productName, BigDecimal quantity,
                           BigDecimal unitPrice, BigDecimal discountPercent, BigDecimal totalPrice, Integer termMonths,
                           LocalDate serviceDate, String description) {
    }
}
