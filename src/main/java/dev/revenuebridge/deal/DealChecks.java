package dev.revenuebridge.deal;

import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The basic checks a deal passes before any Stripe or ERP call: amounts present, every product in the catalog,
 * the terms the billing needs. Every failing check is reported at once. (The full validation gate is a later step.)
 */
@Component("dealChecks")
public class DealChecks {

    private final MappingCatalog mappings;

    public DealChecks(MappingCatalog mappings) {
        this.mappings = mappings;
    }

    /** Returns the deal unchanged, or throws {@link DealRejectedException} naming every reason. */
    public ClosedWonDeal check(ClosedWonDeal deal) {
        List<String> reasons = new ArrayList<>();
        if (deal.amount() == null) {
            reasons.add("Opportunity Amount is empty");
        } else if (deal.amount().signum() <= 0) {
            reasons.add("Opportunity Amount must be greater than 0 (is " + deal.amount().toPlainString() + ")");
        }
        if (deal.currency() == null) {
            reasons.add("Opportunity currency is empty");
        }
        if (deal.billingCadence() != null && !"Monthly".equalsIgnoreCase(deal.billingCadence())) {
            reasons.add("Billing cadence '" + deal.billingCadence() + "' is not supported yet (only Monthly)");
        }
        if (deal.contractStart() == null) {
            reasons.add("Contract start date is empty");
        }
        if (deal.paymentTerms() == null) {
            reasons.add("Payment terms are empty");
        } else if (mappings.paymentTerm(deal.paymentTerms()).isEmpty()) {
            reasons.add("Payment terms '" + deal.paymentTerms() + "' are not in mappings/payment-terms.yaml");
        }
        String country = deal.account() == null ? null : deal.account().country();
        if (country == null) {
            reasons.add("Account billing country is empty");
        } else if (mappings.subsidiary(country).isEmpty()) {
            reasons.add("Billing country " + country + " is not mapped to a subsidiary in mappings/subsidiaries.yaml");
        } else if (deal.currency() != null && !mappings.subsidiary(country).get().currency().equals(deal.currency())) {
            var subsidiary = mappings.subsidiary(country).get();
            reasons.add("Currency " + deal.currency() + " is not the currency of " + subsidiary.name() + " ("
                    + subsidiary.currency() + "), which books deals billed to " + country);
        }
        if (deal.lines().isEmpty()) {
            reasons.add("The Opportunity has no line items");
        }
        for (DealLine line : deal.lines()) {
            String label = "Line " + line.lineId() + (line.productCode() == null ? "" : " (" + line.productCode() + ")");
            if (line.productCode() == null) {
                reasons.add(label + " has no product code");
            } else {
                var product = mappings.product(line.productCode());
                if (product.isEmpty()) {
                    reasons.add(label + ": product code " + line.productCode() + " is not in the catalog (mappings/products.yaml)");
                } else if (product.get().billing() == Billing.RECURRING
                        && (line.termMonths() == null || line.termMonths() <= 0)) {
                    reasons.add(label + " is a subscription but has no term in months");
                }
            }
            if (line.unitPrice() == null) {
                reasons.add(label + " has no unit price");
            } else if (line.unitPrice().signum() < 0) {
                reasons.add(label + " has a negative unit price");
            }
            if (line.quantity() == null || line.quantity().signum() <= 0) {
                reasons.add(label + " needs a quantity greater than 0");
            } else if (line.quantity().stripTrailingZeros().scale() > 0) {
                reasons.add(label + " has a fractional quantity " + line.quantity().toPlainString());
            }
            if (line.totalPrice() == null) {
                reasons.add(label + " has no total price");
            }
        }
        if (deal.amount() != null && deal.lines().stream().allMatch(l -> l.totalPrice() != null)) {
            BigDecimal lines = deal.lines().stream().map(DealLine::totalPrice).reduce(BigDecimal.ZERO, BigDecimal::add);
            if (lines.compareTo(deal.amount()) != 0) {
                reasons.add("Line totals add up to " + lines.toPlainString() + " but the Opportunity Amount is "
                        + deal.amount().toPlainString());
            }
        }
        if (!reasons.isEmpty()) {
            throw new DealRejectedException(deal.opportunityId(), reasons);
        }
        return deal;
    }
}
