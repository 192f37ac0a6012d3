package dev.revenuebridge.stripe;

import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceAddLinesParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionScheduleCreateParams;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.deal.DealRejectedException;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import dev.revenuebridge.mapping.MappingCatalog.Product;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * What the bridge sends Stripe for a deal, built from the deal and the mapping files alone: the customer, the
 * subscription (or the subscription schedule of a contract that starts later than the next natural billing date), the
 * one-time invoice and its lines, priced so that Stripe bills exactly what the ERP books (a line's contract value over
 * its billed units, in whole minor units, never rounded). No call to Stripe: {@link StripeBilling} sends these, and the
 * deal-desk preview shows them.
 */
@Component("stripeRequests")
public class StripeRequests {

    private final MappingCatalog mappings;
    private final Clock clock;

    public StripeRequests(MappingCatalog mappings, Clock clock) {
        this.mappings = mappings;
        this.clock = clock;
    }

    /** What the bridge sends to create the deal's customer. */
    public CustomerCreateParams customerParams(ClosedWonDeal deal) {
        ClosedWonDeal.BillingAccount account = deal.account();
        String opportunityId = deal.opportunityId();
        CustomerCreateParams.Builder params = CustomerCreateParams.builder()
                .setName(account.name())
                .setDescription("Salesforce Account " + account.accountId())
                .putMetadata("sf_account_id", deal.accountId())
                .putMetadata("sf_opportunity_id", opportunityId);
        if (account.billingEmail() != null) {
            params.setEmail(account.billingEmail());
        }
        if (account.country() != null) {
            CustomerCreateParams.Address.Builder address = CustomerCreateParams.Address.builder().setCountry(account.country());
            if (account.street() != null) address.setLine1(account.street());
            if (account.city() != null) address.setCity(account.city());
            if (account.postalCode() != null) address.setPostalCode(account.postalCode());
            if (account.state() != null) address.setState(account.state());
            params.setAddress(address.build());
        }
        return params.build();
    }

    /**
     * What the bridge sends to create the subscription of the recurring lines, or null when there are none: billed
     * per the billing cadence by invoice (send_invoice, due per the payment terms), starting at the contract start and
     * cancelled at the end of the term.
     */
    public SubscriptionCreateParams subscriptionParams(ClosedWonDeal deal, String customerId) {
        List<DealLine> recurring = lines(deal, Billing.RECURRING);
        if (recurring.isEmpty()) {
            return null;
        }
        String currency = currency(deal);
        int termMonths = recurring.stream().mapToInt(DealLine::termMonths).max().orElseThrow();
        int cadenceMonths = mappings.billingCadence(deal.billingCadence()).orElseThrow().months();
        LocalDate start = deal.contractStart();
        LocalDate end = start.plusMonths(termMonths);
        SubscriptionCreateParams.Builder params = SubscriptionCreateParams.builder()
                .setCustomer(customerId)
                .setCollectionMethod(SubscriptionCreateParams.CollectionMethod.SEND_INVOICE)
                .setDaysUntilDue((long) dueDays(deal))
                .setCancelAt(epochSecond(end))
                .setDescription(deal.name())
                .putMetadata("sf_opportunity_id", deal.opportunityId())
                .putMetadata("sf_account_id", deal.accountId())
                .putMetadata("contract_start", start.toString())
                .putMetadata("contract_end", String.valueOf(deal.contractEnd()));
        if (start.isAfter(LocalDate.now(clock))) {
            params.setBillingCycleAnchor(epochSecond(start))
                    .setProrationBehavior(SubscriptionCreateParams.ProrationBehavior.NONE);
        } else {
            params.setBackdateStartDate(epochSecond(start));
        }
        paymentMethodType(deal).ifPresent(type -> params.setPaymentSettings(
                SubscriptionCreateParams.PaymentSettings.builder().addPaymentMethodType(type).build()));
        for (DealLine line : recurring) {
            Product product = product(line);
            params.addItem(SubscriptionCreateParams.Item.builder()
                    .setQuantity(line.quantity().longValueExact())
                    .putMetadata("sf_line_item_id", line.lineId())
                    .setPriceData(SubscriptionCreateParams.Item.PriceData.builder()
                            .setCurrency(currency)
                            .setProduct(product.stripeProduct())
                            .setUnitAmount(periodUnitAmount(deal, line, cadenceMonths))
                            .setRecurring(recurring(cadenceMonths))
                            .build())
                    .build());
        }
        return params.build();
    }

    /**
     * Whether the contract starts later than the next natural billing date after now: Stripe refuses a
     * {@code billing_cycle_anchor} beyond that ("a future UNIX timestamp before the next natural subscription billing
     * date", docs.stripe.com/payments/checkout/billing-cycle), so such a contract is billed by a subscription schedule
     * that starts on the contract start.
     */
    public boolean startsAfterNextBillingDate(ClosedWonDeal deal) {
        if (lines(deal, Billing.RECURRING).isEmpty()) {
            return false;
        }
        int cadenceMonths = mappings.billingCadence(deal.billingCadence()).orElseThrow().months();
        Instant now = clock.instant();
        Instant nextNatural = now.atZone(ZoneOffset.UTC).plusMonths(cadenceMonths).toInstant();
        return Instant.ofEpochSecond(epochSecond(deal.contractStart())).isAfter(nextNatural);
    }

    /**
     * What the bridge sends to schedule a contract that starts later than the next natural billing date: start on the
     * contract start, one phase of the recurring lines priced per billing period until the end of the term, billed by
     * invoice (send_invoice, due per the payment terms), then cancel. The phase's metadata becomes the subscription's.
     */
    public SubscriptionScheduleCreateParams subscriptionScheduleParams(ClosedWonDeal deal, String customerId) {
        List<DealLine> recurring = lines(deal, Billing.RECURRING);
        int termMonths = recurring.stream().mapToInt(DealLine::termMonths).max().orElseThrow();
        int cadenceMonths = mappings.billingCadence(deal.billingCadence()).orElseThrow().months();
        LocalDate start = deal.contractStart();
        SubscriptionScheduleCreateParams.Phase.Builder phase = SubscriptionScheduleCreateParams.Phase.builder()
                .setEndDate(epochSecond(start.plusMonths(termMonths)))
                .setProrationBehavior(SubscriptionScheduleCreateParams.Phase.ProrationBehavior.NONE)
                .putAllMetadata(contractMetadata(deal));
        for (DealLine line : recurring) {
            BillingPeriod period = BillingPeriod.of(cadenceMonths);
            var recurringPrice = SubscriptionScheduleCreateParams.Phase.Item.PriceData.Recurring.builder()
                    .setIntervalCount(period.count())
                    .setInterval(period.yearly() ? SubscriptionScheduleCreateParams.Phase.Item.PriceData.Recurring.Interval.YEAR
                            : SubscriptionScheduleCreateParams.Phase.Item.PriceData.Recurring.Interval.MONTH);
            phase.addItem(SubscriptionScheduleCreateParams.Phase.Item.builder()
                    .setQuantity(line.quantity().longValueExact())
                    .putMetadata("sf_line_item_id", line.lineId())
                    .setPriceData(SubscriptionScheduleCreateParams.Phase.Item.PriceData.builder()
                            .setCurrency(currency(deal))
                            .setProduct(product(line).stripeProduct())
                            .setUnitAmount(periodUnitAmount(deal, line, cadenceMonths))
                            .setRecurring(recurringPrice.build())
                            .build())
                    .build());
        }
        return SubscriptionScheduleCreateParams.builder()
                .setCustomer(customerId)
                .setStartDate(epochSecond(start))
                .setEndBehavior(SubscriptionScheduleCreateParams.EndBehavior.CANCEL)
                .setDefaultSettings(SubscriptionScheduleCreateParams.DefaultSettings.builder()
                        .setCollectionMethod(SubscriptionScheduleCreateParams.DefaultSettings.CollectionMethod.SEND_INVOICE)
                        .setDescription(deal.name())
                        .setInvoiceSettings(SubscriptionScheduleCreateParams.DefaultSettings.InvoiceSettings.builder()
                                .setDaysUntilDue((long) dueDays(deal)).build())
                        .build())
                .putAllMetadata(contractMetadata(deal))
                .addPhase(phase.build())
                .build();
    }

    static Map<String, String> contractMetadata(ClosedWonDeal deal) {
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        metadata.put("sf_opportunity_id", deal.opportunityId());
        metadata.put("sf_account_id", deal.accountId());
        metadata.put("contract_start", deal.contractStart().toString());
        metadata.put("contract_end", String.valueOf(deal.contractEnd()));
        return metadata;
    }

    /** What the bridge sends to create the one-time invoice (a draft, finalized once its items are on it). */
    public InvoiceCreateParams invoiceParams(ClosedWonDeal deal, String customerId) {
        return invoiceBuilder(deal, customerId).putMetadata("contract_version", "1").build();
    }

    InvoiceCreateParams.Builder invoiceBuilder(ClosedWonDeal deal, String customerId) {
        String currency = currency(deal);
        InvoiceCreateParams.Builder params = InvoiceCreateParams.builder()
                    .setCustomer(customerId)
                    .setCurrency(currency)
                    .setCollectionMethod(InvoiceCreateParams.CollectionMethod.SEND_INVOICE)
                    .setDaysUntilDue((long) dueDays(deal))
                    .setAutoAdvance(false)
                    .setDescription(deal.name() + ": one-time charges")
                    .putMetadata("sf_opportunity_id", deal.opportunityId())
                    .putMetadata("sf_account_id", deal.accountId());
        paymentMethodType(deal).ifPresent(type -> params.setPaymentSettings(InvoiceCreateParams.PaymentSettings.builder()
                .addPaymentMethodType(InvoiceCreateParams.PaymentSettings.PaymentMethodType.valueOf(type.name()))
                .build()));
        return params;
    }

    /** What the bridge sends to put one-time lines on the invoice, priced inline: TotalPrice / quantity per unit. */
    public InvoiceAddLinesParams addLinesParams(ClosedWonDeal deal, List<DealLine> lines) {
        InvoiceAddLinesParams.Builder params = InvoiceAddLinesParams.builder();
        for (DealLine line : lines) {
            Product product = product(line);
            params.addLine(InvoiceAddLinesParams.Line.builder()
                    .setQuantity(line.quantity().longValueExact())
                    .setDescription(line.description() != null ? line.description() : product.name())
                    .putMetadata("sf_line_item_id", line.lineId())
                    .setPriceData(InvoiceAddLinesParams.Line.PriceData.builder()
                            .setCurrency(currency(deal))
                            .setProduct(product.stripeProduct())
                            .setUnitAmount(unitAmount(deal, line, line.quantity()))
                            .build())
                    .build());
        }
        return params.build();
    }

    /** The one-time lines of a deal (they go on the one-time invoice). */
    public List<DealLine> oneTimeLines(ClosedWonDeal deal) {
        return lines(deal, Billing.ONE_TIME);
    }

    List<DealLine> lines(ClosedWonDeal deal, Billing billing) {
        return deal.lines().stream().filter(line -> product(line).billing() == billing).toList();
    }

    Product product(DealLine line) {
        return mappings.product(line.productCode()).orElseThrow(() -> new IllegalStateException(
                "product " + line.productCode() + " left the catalog while its deal was being synced"));
    }

    int dueDays(ClosedWonDeal deal) {
        return mappings.paymentTerm(deal.paymentTerms()).orElseThrow().days();
    }

    java.util.Optional<SubscriptionCreateParams.PaymentSettings.PaymentMethodType> paymentMethodType(ClosedWonDeal deal) {
        return mappings.stripePaymentMethod(deal.paymentMethod()).map(value -> {
            for (var type : SubscriptionCreateParams.PaymentSettings.PaymentMethodType.values()) {
                if (type.getValue().equals(value)) return type;
            }
            throw new IllegalStateException("mappings/payment-methods.yaml: " + deal.paymentMethod()
                    + " maps to '" + value + "', which is not a Stripe payment method type");
        });
    }

    static String currency(ClosedWonDeal deal) {
        return deal.currency().toLowerCase(Locale.ROOT);
    }

    /**
     * The price per unit per billing period Stripe bills for a recurring line: its contract value (TotalPrice, after
     * any discount) over quantity x billing periods in the term, so that Stripe bills exactly what the ERP books.
     */
    static long periodUnitAmount(ClosedWonDeal deal, DealLine line, int cadenceMonths) {
        return unitAmount(deal, line, line.quantity().multiply(BigDecimal.valueOf(line.termMonths() / cadenceMonths)));
    }

    /**
     * Stripe's billing period of a cadence (a price's {@code recurring.interval} and {@code interval_count}): every n
     * years when the cadence is whole years (annual: 1 year), else every n months (monthly 1, quarterly 3, semi-annual 6).
     * The one mapping, for subscriptions, schedules and amended phases alike.
     */
    record BillingPeriod(boolean yearly, long count) {
        static BillingPeriod of(int cadenceMonths) {
            return cadenceMonths % 12 == 0 ? new BillingPeriod(true, cadenceMonths / 12) : new BillingPeriod(false, cadenceMonths);
        }
    }

    static SubscriptionCreateParams.Item.PriceData.Recurring recurring(int cadenceMonths) {
        BillingPeriod period = BillingPeriod.of(cadenceMonths);
        return SubscriptionCreateParams.Item.PriceData.Recurring.builder().setIntervalCount(period.count())
                .setInterval(period.yearly() ? SubscriptionCreateParams.Item.PriceData.Recurring.Interval.YEAR
                        : SubscriptionCreateParams.Item.PriceData.Recurring.Interval.MONTH).build();
    }

    /** The line's contract value per billed unit, in minor units; a value that does not divide evenly is refused. */
    static long unitAmount(ClosedWonDeal deal, DealLine line, BigDecimal units) {
        BigDecimal perUnit;
        try {
            perUnit = line.totalPrice().divide(units, java.math.MathContext.DECIMAL128);
            return dev.revenuebridge.deal.MinorUnits.toMinor(perUnit, deal.currency());
        } catch (ArithmeticException e) {
            throw new DealRejectedException(deal.opportunityId(), List.of("Line " + line.lineId() + " ("
                    + line.productCode() + "): total " + line.totalPrice().toPlainString() + " " + deal.currency()
                    + " does not divide into equal billed units of " + units.toPlainString()));
        }
    }


    static long epochSecond(LocalDate date) {
        return date.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }
}
