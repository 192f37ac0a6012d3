package dev.revenuebridge.plan;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.deal.MinorUnits;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import dev.revenuebridge.mapping.MappingCatalog.ValidationRules;
import dev.revenuebridge.plan.DealFacts.SyncedContract;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * What holds a valid deal for billing approval (mappings/validation-rules.yaml, {@code approval}): a line discount above
 * the threshold (the larger of its Discount field and its total against the catalog price), payment terms that are not
 * standard, a billing cadence that is not standard, and an amendment that moves the contract value by more than the
 * share that needs no approval. Each reason in words finance approves by; whether approvals on record cover them is the
 * planner's.
 */
final class ApprovalPolicy {

    private final MappingCatalog mappings;

    ApprovalPolicy(MappingCatalog mappings) {
        this.mappings = mappings;
    }

    /** The approval reasons of a valid deal; {@code amended} is the synced contract an amendment changes, else null. */
    List<String> reasons(ClosedWonDeal deal, SyncedContract amended) {
        ValidationRules rules = mappings.validationRules();
        List<String> approvals = new ArrayList<>();
        for (DealLine line : deal.lines()) {
            BigDecimal discount = effectiveDiscountPercent(deal, line);
            if (discount.compareTo(rules.discountThresholdPercent()) > 0) {
                approvals.add("Line " + line.lineId() + " (" + line.productCode() + ") has a "
                        + discount.stripTrailingZeros().toPlainString() + "% discount, above the "
                        + rules.discountThresholdPercent().stripTrailingZeros().toPlainString() + "% that needs no approval");
            }
        }
        if (!rules.standardPaymentTerms().contains(deal.paymentTerms())) {
            approvals.add("Payment terms '" + deal.paymentTerms() + "' are not standard ("
                    + String.join(", ", rules.standardPaymentTerms()) + ")");
        }
        mappings.billingCadence(deal.billingCadence()).filter(c -> !c.standard()).ifPresent(c ->
                approvals.add("Billing cadence '" + c.name() + "' is not standard"));
        if (amended != null && deal.amount() != null) {
            ContractTerms.amount(amended).filter(before -> before.signum() > 0).ifPresent(before -> {
                BigDecimal share = deal.amount().subtract(before).abs().divide(before, 4, RoundingMode.HALF_EVEN);
                if (share.compareTo(rules.amendmentValueChangeShare()) > 0) {
                    approvals.add("The amendment changes the contract value from "
                            + MinorUnits.format(before, deal.currency()) + " to " + MinorUnits.format(deal.amount(), deal.currency())
                            + " (" + share.movePointRight(2).stripTrailingZeros().toPlainString() + "%), more than the "
                            + rules.amendmentValueChangeShare().movePointRight(2).stripTrailingZeros().toPlainString()
                            + "% that needs no approval");
                }
            });
        }
        return approvals;
    }

    /**
     * The discount a line really gives: the larger of its Discount field and its total against the catalog price
     * (standalone selling price per unit, per month for subscriptions), so a lowered unit price is seen too.
     */
    private BigDecimal effectiveDiscountPercent(ClosedWonDeal deal, DealLine line) {
        BigDecimal stated = line.discountPercent() == null ? BigDecimal.ZERO : line.discountPercent();
        var product = mappings.product(line.productCode());
        if (product.isEmpty() || line.totalPrice() == null || line.quantity() == null) {
            return stated;
        }
        var unitPrice = product.get().standaloneSellingPriceIn(deal.currency());
        if (unitPrice.isEmpty() || unitPrice.get().signum() <= 0) {
            return stated;
        }
        BigDecimal months = product.get().billing() == Billing.RECURRING && line.termMonths() != null
                ? BigDecimal.valueOf(line.termMonths()) : BigDecimal.ONE;
        BigDecimal list = unitPrice.get().multiply(line.quantity()).multiply(months);
        BigDecimal belowList = BigDecimal.ONE.subtract(line.totalPrice().divide(list, 6, RoundingMode.HALF_EVEN))
                .movePointRight(2).setScale(2, RoundingMode.HALF_EVEN);
        return belowList.max(stated);
    }
}
