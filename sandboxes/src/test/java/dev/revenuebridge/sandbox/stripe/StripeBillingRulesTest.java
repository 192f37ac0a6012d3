package dev.revenuebridge.sandbox.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceLineItem;
import com.stripe.model.InvoicePayment;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Refund;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionSchedule;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceAddLinesParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceFinalizeInvoiceParams;
import com.stripe.param.InvoiceLineItemListParams;
import com.stripe.param.InvoicePayParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionScheduleCreateParams;
import com.stripe.param.SubscriptionScheduleUpdateParams;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The billing rules of the API version stripe-java pins, as the sandbox enforces them, driven through the SDK as the
 * bridge drives them: invoices without charge / payment_intent / paid / subscription, paid by invoice payments (in
 * parts too) whose PaymentIntent holds the charge; refunds by PaymentIntent; embedded lists that hold only their first
 * page; no billing_cycle_anchor beyond the next natural billing date; subscription schedules that start later, and
 * that amend a running subscription from now on.
 */
class StripeBillingRulesTest {

    private static final Instant NOW = Instant.parse("2025-12-19T17:04:11Z");

    private StripeSandbox sandbox;
    private StripeClient stripe;
    private String customer;

    @BeforeEach
    void start() throws Exception {
        sandbox = new StripeSandbox().start(0);
        sandbox.clock(Clock.fixed(NOW, ZoneOffset.UTC));
        stripe = new StripeClient.StripeClientBuilder().setApiKey("sk_test_rules").setApiBase(sandbox.baseUrl())
                .setMaxNetworkRetries(0).build();
        customer = stripe.v1().customers().create(CustomerCreateParams.builder().setName("Acme Corp").build()).getId();
        stripe.v1().products().create(ProductCreateParams.builder().setId("PLAT-SUB").setName("Platform").build());
        stripe.v1().products().create(ProductCreateParams.builder().setId("IMPL-STD").setName("Implementation").build());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void anInvoiceIsPaidByInvoicePaymentsWhosePaymentIntentHoldsTheCharge() throws Exception {
        Invoice invoice = oneTimeInvoice(2_000_000L, 1);
        Map<String, Object> json = sandbox.object("invoices", invoice.getId()).orElseThrow();
        assertThat(json).containsKey("parent").doesNotContainKeys("charge", "payment_intent", "paid", "subscription");

        sandbox.payInvoicePartially(invoice.getId(), 500_000L, "pm_usBankAccount");
        Invoice partly = stripe.v1().invoices().retrieve(invoice.getId());
        assertThat(partly.getStatus()).isEqualTo("open");
        assertThat(partly.getAmountPaid()).isEqualTo(500_000L);
        assertThat(partly.getAmountRemaining()).isEqualTo(1_500_000L);

        stripe.v1().invoices().pay(invoice.getId(), InvoicePayParams.builder().setPaymentMethod("pm_card_visa").build());
        List<InvoicePayment> paid = stripe.v1().invoicePayments().list(InvoicePaymentListParams.builder()
                .setInvoice(invoice.getId()).setStatus(InvoicePaymentListParams.Status.PAID).build()).getData();
        assertThat(paid).hasSize(2);
        assertThat(paid.stream().mapToLong(InvoicePayment::getAmountPaid).sum()).isEqualTo(2_000_000L);
        for (InvoicePayment payment : paid) {
            assertThat(payment.getId()).startsWith("inpay_");
            assertThat(payment.getPayment().getType()).isEqualTo("payment_intent");
            PaymentIntent intent = stripe.v1().paymentIntents().retrieve(payment.getPayment().getPaymentIntent());
            assertThat(intent.getStatus()).isEqualTo("succeeded");
            assertThat(intent.getAmountReceived()).isEqualTo(payment.getAmountPaid());
            assertThat(stripe.v1().charges().retrieve(intent.getLatestCharge()).getPaymentIntent()).isEqualTo(intent.getId());
        }
        assertThat(stripe.v1().invoices().retrieve(invoice.getId()).getStatus()).isEqualTo("paid");

        // a refund names the PaymentIntent (or the charge); it carries both
        String intent = paid.get(0).getPayment().getPaymentIntent();
        Refund refund = stripe.v1().refunds().create(RefundCreateParams.builder().setPaymentIntent(intent)
                .setAmount(100_000L).build());
        assertThat(refund.getPaymentIntent()).isEqualTo(intent);
        assertThat(refund.getCharge()).isEqualTo(stripe.v1().paymentIntents().retrieve(intent).getLatestCharge());
        assertThat(sandbox.shapeViolations()).isEmpty();
    }

    @Test
    void anInvoicesEmbeddedLinesAreTheFirstPageAndTheRestIsListed() throws Exception {
        Invoice invoice = oneTimeInvoice(10_000L, 12);
        Invoice read = stripe.v1().invoices().retrieve(invoice.getId());
        assertThat(read.getLines().getData()).hasSize(10);
        assertThat(read.getLines().getHasMore()).isTrue();
        List<String> all = new ArrayList<>();
        for (InvoiceLineItem line : stripe.v1().invoices().lineItems().list(invoice.getId(),
                InvoiceLineItemListParams.builder().setLimit(5L).build()).autoPagingIterable()) {
            all.add(line.getId());
        }
        assertThat(all).hasSize(12).doesNotHaveDuplicates();
        assertThat(read.getTotal()).isEqualTo(120_000L);
    }

    @Test
    void aBillingCycleAnchorLaterThanTheNextNaturalBillingDateIsRefused() throws Exception {
        long nextNatural = NOW.atZone(ZoneOffset.UTC).plusMonths(1).toEpochSecond();
        assertThatThrownBy(() -> stripe.v1().subscriptions().create(monthly(nextNatural + 86_400)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getParam()).isEqualTo("billing_cycle_anchor");
                    assertThat(e.getMessage()).contains("cannot be later than next natural billing date (" + nextNatural + ")");
                });
        Subscription ok = stripe.v1().subscriptions().create(monthly(epoch("2026-01-01")));
        assertThat(ok.getBillingCycleAnchor()).isEqualTo(epoch("2026-01-01"));
    }

    @Test
    void aScheduleStartsItsSubscriptionOnItsStartDateAndCancelsAtTheEndOfItsLastPhase() throws Exception {
        SubscriptionSchedule schedule = stripe.v1().subscriptionSchedules().create(SubscriptionScheduleCreateParams.builder()
                .setCustomer(customer)
                .setStartDate(epoch("2026-04-01"))
                .setEndBehavior(SubscriptionScheduleCreateParams.EndBehavior.CANCEL)
                .setDefaultSettings(SubscriptionScheduleCreateParams.DefaultSettings.builder()
                        .setCollectionMethod(SubscriptionScheduleCreateParams.DefaultSettings.CollectionMethod.SEND_INVOICE)
                        .setInvoiceSettings(SubscriptionScheduleCreateParams.DefaultSettings.InvoiceSettings.builder()
                                .setDaysUntilDue(30L).build()).build())
                .addPhase(SubscriptionScheduleCreateParams.Phase.builder()
                        .setEndDate(epoch("2027-02-01"))
                        .putMetadata("sf_opportunity_id", "006Dn0RulesAAAAAAA")
                        .addItem(platformMonthly())
                        .build())
                .build());
        assertThat(schedule.getStatus()).isEqualTo("not_started");
        assertThat(schedule.getSubscription()).isNull();
        assertThat(schedule.getPhases()).singleElement().satisfies(p -> {
            assertThat(p.getStartDate()).isEqualTo(epoch("2026-04-01"));
            assertThat(p.getEndDate()).isEqualTo(epoch("2027-02-01"));
        });

        String subscriptionId = sandbox.startScheduleAsOf(schedule.getId());
        Subscription subscription = stripe.v1().subscriptions().retrieve(subscriptionId);
        assertThat(subscription.getSchedule()).isEqualTo(schedule.getId());
        assertThat(subscription.getCancelAt()).isEqualTo(epoch("2027-02-01"));
        assertThat(subscription.getMetadata()).containsEntry("sf_opportunity_id", "006Dn0RulesAAAAAAA");
        Invoice first = stripe.v1().invoices().retrieve(subscription.getLatestInvoice());
        assertThat(first.getAmountDue()).isEqualTo(1_000_000L);
        assertThat(first.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(subscriptionId);
        assertThat(stripe.v1().subscriptionSchedules().retrieve(schedule.getId()).getStatus()).isEqualTo("active");
    }

    @Test
    void aPhaseHasAnEndDateOrADurationNeverBoth() {
        assertThatThrownBy(() -> stripe.v1().subscriptionSchedules().create(SubscriptionScheduleCreateParams.builder()
                .setCustomer(customer).setStartDate(epoch("2026-04-01"))
                .addPhase(SubscriptionScheduleCreateParams.Phase.builder()
                        .setEndDate(epoch("2027-02-01"))
                        .setDuration(SubscriptionScheduleCreateParams.Phase.Duration.builder()
                                .setInterval(SubscriptionScheduleCreateParams.Phase.Duration.Interval.MONTH)
                                .setIntervalCount(10L).build())
                        .addItem(platformMonthly())
                        .build()).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getCode()).isEqualTo("parameters_exclusive"));
    }

    @Test
    void anAmendmentThroughAScheduleMadeFromTheSubscriptionTakesEffectNow() throws Exception {
        Subscription subscription = stripe.v1().subscriptions().create(monthly(epoch("2026-01-01")));
        SubscriptionSchedule schedule = stripe.v1().subscriptionSchedules().create(SubscriptionScheduleCreateParams.builder()
                .setFromSubscription(subscription.getId()).build());
        assertThat(schedule.getStatus()).isEqualTo("active");
        assertThat(schedule.getSubscription()).isEqualTo(subscription.getId());
        SubscriptionSchedule.Phase current = schedule.getPhases().get(0);

        // the current phase must start where it started: the past cannot change
        assertThatThrownBy(() -> stripe.v1().subscriptionSchedules().update(schedule.getId(),
                SubscriptionScheduleUpdateParams.builder().addPhase(phaseOf(current, current.getStartDate() + 1)).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("phases[0][start_date]"));

        stripe.v1().subscriptionSchedules().update(schedule.getId(), SubscriptionScheduleUpdateParams.builder()
                .setEndBehavior(SubscriptionScheduleUpdateParams.EndBehavior.CANCEL)
                .addPhase(phaseOf(current, current.getStartDate()))
                .addPhase(SubscriptionScheduleUpdateParams.Phase.builder().setEndDate(epoch("2026-11-01"))
                        .addItem(SubscriptionScheduleUpdateParams.Phase.Item.builder().setQuantity(6L)
                                .setPriceData(SubscriptionScheduleUpdateParams.Phase.Item.PriceData.builder()
                                        .setCurrency("usd").setProduct("PLAT-SUB").setUnitAmount(1_000_000L)
                                        .setRecurring(SubscriptionScheduleUpdateParams.Phase.Item.PriceData.Recurring.builder()
                                                .setInterval(SubscriptionScheduleUpdateParams.Phase.Item.PriceData.Recurring.Interval.MONTH)
                                                .build()).build()).build())
                        .build())
                .build());
        Subscription amended = stripe.v1().subscriptions().retrieve(subscription.getId());
        assertThat(amended.getItems().getData()).singleElement().satisfies(item -> assertThat(item.getQuantity()).isEqualTo(6L));
        assertThat(amended.getCancelAt()).isEqualTo(epoch("2026-11-01"));
        assertThat(sandbox.shapeViolations()).isEmpty();
    }

    /** One seat of the platform at 10,000.00 a month, priced inline. */
    private static SubscriptionScheduleCreateParams.Phase.Item platformMonthly() {
        return SubscriptionScheduleCreateParams.Phase.Item.builder().setQuantity(1L)
                .setPriceData(SubscriptionScheduleCreateParams.Phase.Item.PriceData.builder()
                        .setCurrency("usd").setProduct("PLAT-SUB").setUnitAmount(1_000_000L)
                        .setRecurring(SubscriptionScheduleCreateParams.Phase.Item.PriceData.Recurring.builder()
                                .setInterval(SubscriptionScheduleCreateParams.Phase.Item.PriceData.Recurring.Interval.MONTH)
                                .build()).build()).build();
    }

    private static SubscriptionScheduleUpdateParams.Phase phaseOf(SubscriptionSchedule.Phase phase, long start) {
        var kept = SubscriptionScheduleUpdateParams.Phase.builder().setStartDate(start)
                .setEndDate(SubscriptionScheduleUpdateParams.Phase.EndDate.NOW);
        phase.getItems().forEach(item -> kept.addItem(SubscriptionScheduleUpdateParams.Phase.Item.builder()
                .setPrice(item.getPrice()).setQuantity(item.getQuantity()).build()));
        return kept.build();
    }

    private SubscriptionCreateParams monthly(long anchor) {
        return SubscriptionCreateParams.builder().setCustomer(customer)
                .setCollectionMethod(SubscriptionCreateParams.CollectionMethod.SEND_INVOICE).setDaysUntilDue(30L)
                .setBillingCycleAnchor(anchor).setProrationBehavior(SubscriptionCreateParams.ProrationBehavior.NONE)
                .addItem(SubscriptionCreateParams.Item.builder().setQuantity(4L)
                        .setPriceData(SubscriptionCreateParams.Item.PriceData.builder().setCurrency("usd")
                                .setProduct("PLAT-SUB").setUnitAmount(1_000_000L)
                                .setRecurring(SubscriptionCreateParams.Item.PriceData.Recurring.builder()
                                        .setInterval(SubscriptionCreateParams.Item.PriceData.Recurring.Interval.MONTH)
                                        .build()).build()).build())
                .build();
    }

    /** A finalized send_invoice invoice of {@code lines} one-time lines of {@code amount} each, added in one request. */
    private Invoice oneTimeInvoice(long amount, int lines) throws Exception {
        Invoice draft = stripe.v1().invoices().create(InvoiceCreateParams.builder().setCustomer(customer).setCurrency("usd")
                .setCollectionMethod(InvoiceCreateParams.CollectionMethod.SEND_INVOICE).setDaysUntilDue(30L).build());
        InvoiceAddLinesParams.Builder add = InvoiceAddLinesParams.builder();
        for (int i = 0; i < lines; i++) {
            add.addLine(InvoiceAddLinesParams.Line.builder().setQuantity(1L).setDescription("Line " + (i + 1))
                    .setPriceData(InvoiceAddLinesParams.Line.PriceData.builder().setCurrency("usd").setProduct("IMPL-STD")
                            .setUnitAmount(amount).build()).build());
        }
        stripe.v1().invoices().addLines(draft.getId(), add.build());
        return stripe.v1().invoices().finalizeInvoice(draft.getId(), InvoiceFinalizeInvoiceParams.builder().build());
    }

    private static long epoch(String date) {
        return LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }
}
