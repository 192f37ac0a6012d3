package dev.revenuebridge.plan;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.deal.MinorUnits;
import dev.revenuebridge.plan.DealFacts.SyncedContract;
import dev.revenuebridge.revenue.ContractModification;
import dev.revenuebridge.revenue.RevenueRecognitionException;
import dev.revenuebridge.revenue.RevenueSchedule;
import java.time.YearMonth;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import dev.revenuebridge.mapping.MappingCatalog.ValidationRules;
import dev.revenuebridge.revenue.RevenueFinding;
import dev.revenuebridge.revenue.RevenueScheduler;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The validation gate every deal passes before any Stripe or ERP call: the rules a deal must meet (here), what an
 * amendment cannot do (an invoiced one-time line changed, a modification ASC 606 cannot treat prospectively), and what
 * holds a valid deal for approval ({@link ApprovalPolicy}). Rules that are data (required fields, the countries that
 * need a VAT id, what needs approval) are in mappings/validation-rules.yaml and the other mapping files. Every failing rule is reported at once, naming the Salesforce field a sales
 * rep has to fix, e.g. "Billing country DE requires a VAT ID (Account.Tax_Id__c is empty)".
 */
public class ValidationGate {

    /**
     * The gate's verdict: {@code reasons} make the deal invalid (Requires Review); a valid deal with
     * {@code approvalReasons} is held for billing approval (Pending Approval).
     */
    public record Verdict(String opportunityId, List<String> reasons, List<String> approvalReasons) {
        public Verdict {
            reasons = List.copyOf(reasons);
            approvalReasons = List.copyOf(approvalReasons);
        }

        public boolean valid() {
            return reasons.isEmpty();
        }

        public boolean needsApproval() {
            return valid() && !approvalReasons.isEmpty();
        }
    }

    private final MappingCatalog mappings;
    private final RevenueScheduler revenue;
    private final ContractModification modification;
    private final ApprovalPolicy approvalPolicy;

    public ValidationGate(MappingCatalog mappings, RevenueScheduler revenue) {
        this.mappings = mappings;
        this.revenue = revenue;
        this.modification = new ContractModification(revenue);
        this.approvalPolicy = new ApprovalPolicy(mappings);
    }

    /** The verdict on a deal on its own, never synced before (the golden tests' and a new deal's view). */
    public Verdict evaluate(ClosedWonDeal deal) {
        return evaluate(deal, ContractTerms.Change.NEW, null, List.of(), null);
    }

    /**
     * The verdict on a deal as it relates to what was synced: an amendment is also checked against the synced
     * contract (its value change, its invoiced one-time lines) and, once recognition has begun ({@code posted} has a
     * month before {@code month}), against what ASC 606 lets a prospective modification do.
     */
    public Verdict evaluate(ClosedWonDeal deal, ContractTerms.Change change, SyncedContract synced,
                            List<RevenueSchedule.Entry> posted, YearMonth month) {
        List<String> reasons = new ArrayList<>();
        ValidationRules rules = mappings.validationRules();
        requiredFields(deal, rules, reasons);
        amounts(deal, reasons);
        dates(deal, reasons);
        terms(deal, reasons);
        subsidiary(deal, rules, reasons);
        lines(deal, reasons);
        billing(deal, reasons);
        // what the revenue engine cannot recognize (e.g. a one-time line without its delivery date), reported with
        // the rest; findings about lines already named above (unknown product, no price, no quantity) are not repeated
        for (RevenueFinding finding : revenue.findings(deal)) {
            boolean repeated = switch (finding.reason()) {
                case UNKNOWN_PRODUCT, INVALID_QUANTITY, INVALID_PRICE, INCOMPLETE_LINE, NO_LINES, UNKNOWN_CURRENCY -> true;
                default -> false;
            };
            if (!repeated && !reasons.contains(finding.message())) {
                reasons.add(finding.message());
            }
        }
        boolean amendment = change == ContractTerms.Change.AMENDMENT;
        if (reasons.isEmpty() && amendment) {
            // amendments are treated prospectively; say why when one cannot be (e.g. below what was recognized)
            reasons.addAll(modificationFindings(deal, posted, month));
            ContractTerms.changedOrRemovedLines(deal, synced).forEach((lineId, code) -> {
                if (mappings.product(code).map(p -> p.billing() == Billing.ONE_TIME).orElse(false)) {
                    reasons.add("Line " + lineId + " (" + code + ") was invoiced already; changing or removing it needs a "
                            + "credit note in Stripe and the ERP, which the bridge does not issue yet: add a new line instead");
                }
            });
        }
        List<String> approvals = reasons.isEmpty() ? approvalPolicy.reasons(deal, amendment ? synced : null) : List.of();
        return new Verdict(deal.opportunityId(), reasons, approvals);
    }

    /**
     * The revenue schedule to post: the full schedule of the deal's contract, or, for an amendment made once
     * recognition has begun (a posted month before {@code month}), the prospective modification of what was posted.
     */
    public RevenueSchedule schedule(ClosedWonDeal deal, List<RevenueSchedule.Entry> posted, YearMonth month) {
        return recognitionBegun(posted, month) ? modification.schedule(deal, posted, month)
                : revenue.schedule(revenue.contract(deal));
    }

    private List<String> modificationFindings(ClosedWonDeal deal, List<RevenueSchedule.Entry> posted, YearMonth month) {
        if (!recognitionBegun(posted, month)) {
            return List.of();
        }
        try {
            modification.schedule(deal, posted, month);
            return List.of();
        } catch (RevenueRecognitionException e) {
            return e.findings().stream().map(RevenueFinding::message).toList();
        }
    }

    private static boolean recognitionBegun(List<RevenueSchedule.Entry> posted, YearMonth month) {
        return month != null && posted.stream().anyMatch(e -> e.month().isBefore(month));
    }

    private static final Map<String, Function<ClosedWonDeal, Object>> OPPORTUNITY_FIELDS = Map.of(
            "contractStart", ClosedWonDeal::contractStart, "contractEnd", ClosedWonDeal::contractEnd,
            "billingCadence", ClosedWonDeal::billingCadence, "paymentTerms", ClosedWonDeal::paymentTerms,
            "currency", ClosedWonDeal::currency, "amount", ClosedWonDeal::amount,
            "paymentMethod", ClosedWonDeal::paymentMethod, "closeDate", ClosedWonDeal::closeDate,
            "name", ClosedWonDeal::name, "accountId", ClosedWonDeal::accountId);

    private void requiredFields(ClosedWonDeal deal, ValidationRules rules, List<String> reasons) {
        for (String field : rules.requiredFields().getOrDefault("opportunity", List.of())) {
            Function<ClosedWonDeal, Object> getter = OPPORTUNITY_FIELDS.get(field);
            if (getter == null) {
                throw new IllegalStateException("mappings/validation-rules.yaml: requiredFields.opportunity names '"
                        + field + "', which the gate cannot check");
            }
            if (getter.apply(deal) == null) {
                reasons.add(label(field) + " is empty (" + (mappings.salesforceFieldMapped("opportunity", field)
                        ? "Opportunity." + mappings.salesforceField("opportunity", field)
                        : "not read from Salesforce: see mappings/salesforce-fields.yaml"
                                + ("currency".equals(field) ? " and revenue.salesforce.corporate-currency" : "")) + ")");
            }
        }
        if (deal.opportunityId() == null) {
            reasons.add("The deal has no Opportunity Id");
        }
        if (deal.accountId() == null) {
            reasons.add("The Opportunity has no Account (Opportunity." + mappings.salesforceField("opportunity", "accountId") + ")");
        }
        if (deal.lines().isEmpty()) {
            reasons.add("The Opportunity has no products (at least one line item is needed)");
        }
        for (int i = 0; i < deal.lines().size(); i++) {
            DealLine line = deal.lines().get(i);
            String which = "Line item " + (i + 1) + (line.productCode() == null ? "" : " (" + line.productCode() + ")");
            if (line.lineId() == null) {
                reasons.add(which + " has no Id");
            }
            if (line.productCode() == null) {
                reasons.add(which + " has no product code (OpportunityLineItem."
                        + mappings.salesforceField("lineItem", "productCode") + ")");
            }
        }
    }

    private void amounts(ClosedWonDeal deal, List<String> reasons) {
        if (deal.amount() != null && deal.amount().signum() <= 0) {
            reasons.add("Amount must be greater than 0 (is " + money(deal.amount(), deal) + ")");
        }
        if (deal.amount() != null && !deal.lines().isEmpty() && deal.lines().stream().allMatch(l -> l.totalPrice() != null)) {
            BigDecimal lines = deal.lines().stream().map(DealLine::totalPrice).reduce(BigDecimal.ZERO, BigDecimal::add);
            if (lines.compareTo(deal.amount()) != 0) {
                reasons.add("Line totals add up to " + money(lines, deal) + " but Amount is " + money(deal.amount(), deal));
            }
        }
    }

    private void dates(ClosedWonDeal deal, List<String> reasons) {
        if (deal.contractStart() != null && deal.contractEnd() != null && !deal.contractEnd().isAfter(deal.contractStart())) {
            reasons.add("Contract end date " + deal.contractEnd() + " must be after the start date " + deal.contractStart());
        }
    }

    private void terms(ClosedWonDeal deal, List<String> reasons) {
        if (deal.paymentTerms() != null && mappings.paymentTerm(deal.paymentTerms()).isEmpty()) {
            reasons.add("Payment terms '" + deal.paymentTerms() + "' are unknown (known: see mappings/payment-terms.yaml)");
        }
        if (deal.billingCadence() != null) {
            var cadence = mappings.billingCadence(deal.billingCadence());
            if (cadence.isEmpty()) {
                reasons.add("Billing cadence '" + deal.billingCadence() + "' is unknown (known: see mappings/billing-cadences.yaml)");
            } else {
                for (DealLine line : deal.lines()) {
                    var product = mappings.product(line.productCode());
                    if (product.isPresent() && product.get().billing() == Billing.RECURRING && line.termMonths() != null
                            && line.termMonths() % cadence.get().months() != 0) {
                        reasons.add("Line " + line.lineId() + " (" + line.productCode() + "): a " + line.termMonths()
                                + "-month term cannot be billed " + deal.billingCadence().toLowerCase()
                                + " (every " + cadence.get().months() + " months)");
                    }
                }
            }
        }
    }

    /**
     * What Stripe must be able to bill as it is booked: one term for all subscription lines (one subscription ends
     * once), subscription service starting with the contract, and each line's total dividing into whole cents per
     * billed unit and period.
     */
    private void billing(ClosedWonDeal deal, List<String> reasons) {
        List<DealLine> recurring = deal.lines().stream().filter(l -> mappings.product(l.productCode())
                .map(p -> p.billing() == Billing.RECURRING).orElse(false) && l.termMonths() != null).toList();
        if (recurring.stream().map(DealLine::termMonths).distinct().count() > 1) {
            reasons.add("Subscription lines have different terms (" + String.join(", ", recurring.stream()
                    .map(l -> l.lineId() + ": " + l.termMonths() + " months").toList())
                    + "); one subscription bills them all over one term: split the deal or align the terms");
        }
        var cadence = mappings.billingCadence(deal.billingCadence());
        for (DealLine line : deal.lines()) {
            var product = mappings.product(line.productCode());
            if (product.isEmpty() || line.totalPrice() == null || line.quantity() == null || line.quantity().signum() <= 0
                    || deal.currency() == null) {
                continue;
            }
            BigDecimal units = line.quantity();
            if (product.get().billing() == Billing.RECURRING) {
                if (line.termMonths() == null || cadence.isEmpty() || line.termMonths() % cadence.get().months() != 0) {
                    continue;
                }
                units = units.multiply(BigDecimal.valueOf(line.termMonths() / cadence.get().months()));
                if (line.serviceDate() != null && deal.contractStart() != null && !line.serviceDate().equals(deal.contractStart())) {
                    reasons.add("Line " + line.lineId() + " (" + line.productCode() + "): the subscription starts "
                            + line.serviceDate() + " but the contract on " + deal.contractStart()
                            + "; billing and revenue must start together");
                }
            }
            var minorUnit = MinorUnits.digitsOf(deal.currency());
            if (minorUnit.isEmpty()) {
                continue;
            }
            int digits = minorUnit.get();
            BigDecimal perUnit = line.totalPrice().divide(units, java.math.MathContext.DECIMAL128);
            if (perUnit.stripTrailingZeros().scale() > digits) {
                reasons.add("Line " + line.lineId() + " (" + line.productCode() + "): total " + money(line.totalPrice(), deal)
                        + " does not divide into equal billed amounts (" + units.toPlainString()
                        + " units); adjust the price to whole cents per billed unit");
            }
        }
    }

    private void subsidiary(ClosedWonDeal deal, ValidationRules rules, List<String> reasons) {
        String country = deal.account() == null ? null : deal.account().country();
        String countryField = "Account." + mappings.salesforceField("account", "country");
        if (country == null) {
            reasons.add("Billing country is empty (" + countryField + ")");
            return;
        }
        var subsidiary = mappings.subsidiary(country);
        if (subsidiary.isEmpty()) {
            reasons.add("Billing country " + country + " is not served by any subsidiary (mappings/subsidiaries.yaml)");
        } else if (deal.currency() != null && !subsidiary.get().currency().equals(deal.currency())) {
            reasons.add("Currency " + deal.currency() + " is not allowed for billing country " + country + ": "
                    + subsidiary.get().name() + " bills in " + subsidiary.get().currency());
        }
        if (rules.taxIdRequiredCountries().contains(country.toUpperCase()) && deal.account().taxId() == null) {
            reasons.add("Billing country " + country + " requires a VAT ID (Account."
                    + mappings.salesforceField("account", "taxId") + " is empty)");
        }
    }

    private void lines(ClosedWonDeal deal, List<String> reasons) {
        for (DealLine line : deal.lines()) {
            String label = "Line " + line.lineId() + (line.productCode() == null ? "" : " (" + line.productCode() + ")");
            if (line.productCode() == null) {
                reasons.add(label + " has no product code");
            } else {
                var product = mappings.product(line.productCode());
                if (product.isEmpty()) {
                    reasons.add(label + ": product code " + line.productCode()
                            + " is not in the product catalog (mappings/products.yaml)");
                } else if (product.get().billing() == Billing.RECURRING && (line.termMonths() == null || line.termMonths() <= 0)) {
                    reasons.add(label + " is a subscription but has no term in months (OpportunityLineItem."
                            + mappings.salesforceField("lineItem", "termMonths") + ")");
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
    }

    /** An amount as finance writes it: to the currency's minor unit (120000.00), never 1.2E+5. */
    private static String money(BigDecimal amount, ClosedWonDeal deal) {
        // an unknown or missing currency is a finding of its own; two decimals meanwhile
        return MinorUnits.format(amount, deal.currency());
    }

    private static String label(String canonicalField) {
        return switch (canonicalField) {
            case "contractStart" -> "Contract start date";
            case "contractEnd" -> "Contract end date";
            case "billingCadence" -> "Billing cadence";
            case "paymentTerms" -> "Payment terms";
            case "currency" -> "Currency";
            case "amount" -> "Amount";
            case "paymentMethod" -> "Payment method";
            case "closeDate" -> "Close date";
            default -> canonicalField;
        };
    }
}
