package dev.revenuebridge.revenue;

import dev.revenuebridge.deal.MinorUnits;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import dev.revenuebridge.mapping.MappingCatalog.Product;
import dev.revenuebridge.mapping.MappingCatalog.Recognition;
import dev.revenuebridge.revenue.RevenueFinding.Reason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a {@link ClosedWonDeal} and the product catalog into a {@link Contract}: one performance obligation per line,
 * its standalone selling price, its delivery date or service period, and the allocation of the transaction price.
 * Whatever stands in the way is reported as {@link RevenueFinding}s, all at once.
 */
final class ContractAssembler {

    /** A line read and checked, before allocation. */
    private record Draft(DealLine line, Recognition recognition, BigDecimal linePrice, BigDecimal ssp,
                         LocalDate deliveryDate, ServicePeriod period) {
    }

    /** The drafts of a deal, or what is wrong with it. */
    private record Reading(List<Draft> drafts, List<RevenueFinding> findings, int digits) {
    }

    private final Function<String, Optional<Product>> catalog;
    private final RevenueAllocator allocator = new RevenueAllocator();

    ContractAssembler(Function<String, Optional<Product>> catalog) {
        this.catalog = catalog;
    }

    List<RevenueFinding> findings(ClosedWonDeal deal) {
        return read(deal).findings();
    }

    Contract contract(ClosedWonDeal deal) {
        Reading reading = read(deal);
        if (!reading.findings().isEmpty()) {
            throw new RevenueRecognitionException(deal.opportunityId(), reading.findings());
        }
        List<Draft> drafts = reading.drafts();
        BigDecimal transactionPrice = drafts.stream().map(Draft::linePrice)
                .reduce(BigDecimal.ZERO.setScale(reading.digits()), BigDecimal::add);
        List<BigDecimal> allocations = allocator.allocate(transactionPrice,
                drafts.stream().map(Draft::ssp).toList(), reading.digits());
        List<PerformanceObligation> obligations = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            obligations.add(new PerformanceObligation(d.line().lineId(), d.line().productCode(), d.recognition(),
                    d.linePrice(), d.ssp(), allocations.get(i), d.deliveryDate(),
                    d.period() == null ? null : d.period().start(), d.period() == null ? null : d.period().end()));
        }
        return new Contract(deal.opportunityId(), deal.currency().trim().toUpperCase(Locale.ROOT),
                deal.contractStart(), deal.contractEnd(), transactionPrice, obligations);
    }

    private Reading read(ClosedWonDeal deal) {
        List<RevenueFinding> findings = new ArrayList<>();
        Optional<Integer> digits = MinorUnits.digitsOf(deal.currency());
        if (digits.isEmpty()) {
            findings.add(new RevenueFinding(Reason.UNKNOWN_CURRENCY, null, null, deal.currency() == null
                    ? "The Opportunity has no currency (CurrencyIsoCode)"
                    : "The Opportunity currency '" + deal.currency() + "' is not an ISO 4217 currency with a minor unit"));
        }
        List<DealLine> lines = deal.lines() == null ? List.of() : deal.lines();
        if (lines.isEmpty()) {
            findings.add(new RevenueFinding(Reason.NO_LINES, null, null, "The Opportunity has no line items"));
        }
        List<Draft> drafts = new ArrayList<>();
        for (DealLine line : lines) {
            draft(deal, line, digits.orElse(2), findings).ifPresent(drafts::add);
        }
        if (findings.isEmpty()) {
            boolean priced = drafts.stream().anyMatch(d -> d.linePrice().signum() > 0);
            boolean noSsp = drafts.stream().allMatch(d -> d.ssp().signum() == 0);
            if (priced && noSsp) {
                findings.add(new RevenueFinding(Reason.NO_STANDALONE_SELLING_PRICE, null, null,
                        "Every product on the deal has a standalone selling price of zero in mappings/products.yaml, "
                                + "so the transaction price cannot be allocated"));
            }
        }
        return new Reading(drafts, findings, digits.orElse(2));
    }

    private Optional<Draft> draft(ClosedWonDeal deal, DealLine line, int digits, List<RevenueFinding> findings) {
        String code = line.productCode();
        String label = "Line " + line.lineId() + (code == null ? "" : " (" + code + ")");
        int before = findings.size();
        if (line.lineId() == null || code == null) {
            findings.add(new RevenueFinding(Reason.INCOMPLETE_LINE, line.lineId(), code,
                    label + " has no " + (line.lineId() == null ? "Id" : "product code (Product2.ProductCode)")));
            return Optional.empty();
        }
        Optional<Product> found = catalog.apply(code);
        if (found.isEmpty()) {
            findings.add(new RevenueFinding(Reason.UNKNOWN_PRODUCT, line.lineId(), code,
                    label + ": product code " + code + " is not in the catalog (mappings/products.yaml), so its "
                            + "revenue pattern and standalone selling price are unknown"));
            return Optional.empty();
        }
        Product product = found.get();
        Optional<String> unsupported = unsupported(product);
        if (unsupported.isPresent()) {
            findings.add(new RevenueFinding(Reason.UNSUPPORTED_RECOGNITION, line.lineId(), code,
                    label + ": " + unsupported.get()));
            return Optional.empty();
        }
        if (deal.currency() != null && product.standaloneSellingPriceIn(deal.currency()).isEmpty()) {
            findings.add(new RevenueFinding(Reason.SSP_CURRENCY_MISMATCH, line.lineId(), code,
                    label + ": mappings/products.yaml has no standalone selling price in " + deal.currency()
                            + " (it has " + String.join(", ", product.standaloneSellingPrices().keySet()) + "); add a " + deal.currency()
                            + " standalone selling price to allocate the price"));
        }
        if (line.quantity() == null || line.quantity().signum() <= 0) {
            findings.add(new RevenueFinding(Reason.INVALID_QUANTITY, line.lineId(), code,
                    label + " needs a Quantity greater than 0 to price its standalone selling price"));
        }
        if (line.totalPrice() == null || line.totalPrice().signum() < 0) {
            findings.add(new RevenueFinding(Reason.INVALID_PRICE, line.lineId(), code, label
                    + (line.totalPrice() == null ? " has no TotalPrice"
                    : " has a negative TotalPrice " + line.totalPrice().toPlainString()
                    + "; reductions are amendments, not lines")));
        }
        LocalDate delivery = null;
        ServicePeriod period = null;
        if (product.recognition() == Recognition.POINT_IN_TIME) {
            delivery = line.serviceDate();
            if (delivery == null) {
                findings.add(new RevenueFinding(Reason.MISSING_DELIVERY_DATE, line.lineId(), code, label
                        + " is recognized on delivery but has no ServiceDate (the delivery date)"));
            }
        }
        if (product.recognition() == Recognition.RATABLE || product.billing() == Billing.RECURRING) {
            period = servicePeriod(deal, line, label, findings);
        }
        if (findings.size() > before) {
            return Optional.empty();
        }
        BigDecimal units = line.quantity();
        if (product.billing() == Billing.RECURRING) {
            units = units.multiply(line.termMonths() != null
                    ? BigDecimal.valueOf(line.termMonths()) : period.lengthInMonths());
        }
        BigDecimal unitSsp = product.standaloneSellingPriceIn(deal.currency()).orElse(product.standaloneSellingPrice());
        BigDecimal ssp = unitSsp.multiply(units).setScale(digits, RoundingMode.HALF_EVEN);
        return Optional.of(new Draft(line, product.recognition(),
                line.totalPrice().setScale(digits, RoundingMode.HALF_EVEN), ssp, delivery,
                product.recognition() == Recognition.RATABLE ? period : null));
    }

    /**
     * From the line's ServiceDate, or the contract start without one, through the day before the start plus the
     * line's term in months; a line without a term runs to the contract end date.
     */
    private ServicePeriod servicePeriod(ClosedWonDeal deal, DealLine line, String label,
                                        List<RevenueFinding> findings) {
        LocalDate start = line.serviceDate() != null ? line.serviceDate() : deal.contractStart();
        Integer term = line.termMonths();
        if (term != null && term <= 0) {
            findings.add(new RevenueFinding(Reason.INVALID_SERVICE_PERIOD, line.lineId(), line.productCode(),
                    label + " has a term of " + term + " months (Subscription_Term__c); it must be at least 1"));
            return null;
        }
        LocalDate end = start == null ? null
                : term != null ? start.plusMonths(term).minusDays(1) : deal.contractEnd();
        if (start == null || end == null) {
            findings.add(new RevenueFinding(Reason.INVALID_SERVICE_PERIOD, line.lineId(), line.productCode(),
                    label + " is recognized over its service period, which needs a start (ServiceDate or the "
                            + "contract start date) and a term in months (Subscription_Term__c) or a contract end date"));
            return null;
        }
        if (end.isBefore(start)) {
            findings.add(new RevenueFinding(Reason.INVALID_SERVICE_PERIOD, line.lineId(), line.productCode(),
                    label + ": its service would end on " + end + ", before it starts on " + start));
            return null;
        }
        return new ServicePeriod(start, end);
    }

    /** Why the engine cannot recognize a product's revenue, if it cannot. */
    private static Optional<String> unsupported(Product product) {
        String usage = "usage-based (metered) revenue is not supported: it is recognized as usage occurs, which "
                + "the bridge does not measure; schedule it in the ERP";
        boolean knownBilling = switch (product.billing()) {
            case ONE_TIME -> true;
            case RECURRING -> "month".equals(product.interval());
            default -> false;
        };
        boolean knownRecognition = switch (product.recognition()) {
            case POINT_IN_TIME, RATABLE -> true;
            default -> false;
        };
        if (!knownBilling || !knownRecognition) {
            return Optional.of(usage + " (catalog entry " + product.code() + ": billing " + product.billing()
                    + (product.interval() == null ? "" : " every " + product.interval())
                    + ", recognition " + product.recognition() + ")");
        }
        return Optional.empty();
    }
}
