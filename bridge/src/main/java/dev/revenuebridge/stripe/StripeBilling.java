package dev.revenuebridge.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceItem;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionSchedule;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceFinalizeInvoiceParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoiceAddLinesParams;
import com.stripe.param.InvoiceItemListParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionScheduleCreateParams;
import com.stripe.param.SubscriptionScheduleListParams;
import com.stripe.param.SubscriptionScheduleUpdateParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionUpdateParams;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.deal.DealRejectedException;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Billing;
import dev.revenuebridge.mapping.MappingCatalog.Product;
import dev.revenuebridge.trace.DealTrace;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every Stripe call the deal routes make, through the official SDK, at the API version it pins. Before each create the
 * bridge looks in the deal's links (its own memory, which outlives Stripe's 24 h idempotency window); each create
 * carries a stable Idempotency-Key ({@code rb-<opportunity>-<step>}, the customer {@code rb-<account>-customer}), so a
 * retry returns the same object and a retry with other parameters is refused by Stripe rather than creating a second
 * one. Stripe itself is searched (by the {@code sf_opportunity_id} metadata) only when an earlier attempt may have
 * created the object without the bridge learning its id: the bridge notes each attempt before it makes it (a
 * write-ahead mark in the links), so a first attempt costs no lookup. A new deal like the worked example takes six
 * requests: customer search and create, subscription, invoice, its lines (one add_lines) and its finalization.
 */
@Component("stripeBilling")
public class StripeBilling {

    private static final Logger LOG = LoggerFactory.getLogger(StripeBilling.class);
    static final String SYSTEM = "stripe";
    /** Where the write-ahead marks of create attempts are kept among the deal's links (not shown in its trace). */
    public static final String ATTEMPTS = "stripe-attempt";

    private final StripeClient stripe;
    private final StripeRequests requests;
    private final MappingCatalog mappings;
    private final DealTrace trace;
    private final Clock clock;
    private final SubscriptionUpdateParams.ProrationBehavior amendmentProration;
    /** Catalog products known to exist in Stripe (checked or created once per process). */
    private final Set<String> ensuredProducts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** One lock per product id, held while a deal finds or creates it. */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> productChecks = new java.util.concurrent.ConcurrentHashMap<>();

    /** How far Stripe's Search may lag behind a write (docs.stripe.com/search: "under a minute"), with a margin. */
    private final java.time.Duration searchLag;

    public StripeBilling(StripeClient stripe, StripeRequests requests, MappingCatalog mappings, DealTrace trace, Clock clock,
                         @org.springframework.beans.factory.annotation.Value("${revenue.amendments.proration-behavior:create_prorations}")
                         String amendmentProration,
                         @org.springframework.beans.factory.annotation.Value("${revenue.stripe.search-lag-seconds:120}")
                         long searchLagSeconds) {
        this.searchLag = java.time.Duration.ofSeconds(Math.max(0, searchLagSeconds));
        this.amendmentProration = java.util.Arrays.stream(SubscriptionUpdateParams.ProrationBehavior.values())
                .filter(p -> p.getValue().equals(amendmentProration)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("revenue.amendments.proration-behavior must be "
                        + "create_prorations, none or always_invoice, not " + amendmentProration));
        this.stripe = stripe;
        this.requests = requests;
        this.mappings = mappings;
        this.trace = trace;
        this.clock = clock;
    }

    /** Finds or creates the Stripe Customer of the deal's Account; returns its id. */
    public String customer(ClosedWonDeal deal) throws StripeException {
        String opportunityId = deal.opportunityId();
        var known = trace.linked(opportunityId, SYSTEM, "customer")
                .or(() -> trace.linkedForAccount(deal.accountId(), SYSTEM, "customer"));
        if (known.isPresent()) {
            trace.link(opportunityId, SYSTEM, "customer", known.get());
            return known.get();
        }
        StripeLookup byAccount = () -> stripe.v1().customers().search(CustomerSearchParams.builder()
                .setQuery("metadata['sf_account_id']:'" + deal.accountId() + "'").build()).getData().stream()
                .map(Customer::getId).findFirst();
        var found = byAccount.find();
        if (found.isPresent()) {
            LOG.info("Opportunity {}: Stripe customer {} found by Salesforce Account {}", opportunityId, found.get(),
                    deal.accountId());
            trace.link(opportunityId, SYSTEM, "customer", found.get());
            return found.get();
        }
        CustomerCreateParams params = requests.customerParams(deal);
        // Search may lag behind a write by up to a minute (docs.stripe.com/search#data-freshness): a customer that a
        // failed-looking first request did make is looked for only once that lag has passed
        String customerId = createOnce("rb-" + deal.accountId() + "-customer",
                lagging(opportunityId, "rb-" + deal.accountId() + "-customer", byAccount),
                key -> stripe.v1().customers().create(params, keyed(key)).getId());
        LOG.info("Opportunity {}: Stripe customer {} created", opportunityId, customerId);
        trace.link(opportunityId, SYSTEM, "customer", customerId);
        return customerId;
    }

    /**
     * Creates the Subscription for the recurring lines, billed per the billing cadence by invoice (send_invoice, due
     * per the payment terms) and cancelled at the end of the term, or, for a contract that starts later than the next
     * natural billing date, the subscription schedule that will start it; returns its id, or null when the deal has no
     * recurring line. Whichever of the two the deal got first stays its own, whatever the date when it is retried.
     */
    public String subscription(ClosedWonDeal deal, String customerId) throws StripeException {
        List<DealLine> recurring = requests.lines(deal, Billing.RECURRING);
        if (recurring.isEmpty()) {
            return null;
        }
        var scheduled = known(deal, "subscription_schedule", schedulesOf(deal, customerId));
        if (scheduled.isPresent()) {
            return scheduled.get();
        }
        if (trace.linked(deal.opportunityId(), SYSTEM, "subscription").isEmpty() && requests.startsAfterNextBillingDate(deal)) {
            return subscriptionSchedule(deal, customerId);
        }
        // listed by customer (consistent at once, unlike search) and matched by the deal's metadata
        StripeLookup ofDeal = () -> {
            for (Subscription s : stripe.v1().subscriptions().list(SubscriptionListParams.builder().setCustomer(customerId)
                    .setStatus(SubscriptionListParams.Status.ALL).setLimit(100L).build()).autoPagingIterable()) {
                if (deal.opportunityId().equals(s.getMetadata().get("sf_opportunity_id"))) return java.util.Optional.of(s.getId());
            }
            return java.util.Optional.empty();
        };
        var known = known(deal, "subscription", ofDeal);
        if (known.isPresent()) {
            return known.get();
        }
        for (DealLine line : recurring) {
            ensureProduct(requests.product(line));
        }
        SubscriptionCreateParams params = requests.subscriptionParams(deal, customerId);
        attempting(deal, "subscription");
        String subscriptionId = createOnce(key(deal, "subscription"), ofDeal,
                key -> stripe.v1().subscriptions().create(params, keyed(key)).getId());
        LOG.info("Opportunity {}: Stripe subscription {} created, cancels at {}", deal.opportunityId(),
                subscriptionId, Instant.ofEpochSecond(params.getCancelAt() instanceof Long l ? l : 0));
        trace.link(deal.opportunityId(), SYSTEM, "subscription", subscriptionId);
        return subscriptionId;
    }

    /**
     * A contract that starts later than the next natural billing date: a subscription schedule
     * (docs.stripe.com/billing/subscriptions/subscription-schedules) that starts on the contract start with one phase
     * of the recurring lines ending with the term, then cancels; Stripe creates the subscription on the start date and
     * bills it from there, co-termed with the ERP's sales order. Returns the schedule's id.
     */
    private String subscriptionSchedule(ClosedWonDeal deal, String customerId) throws StripeException {
        StripeLookup ofDeal = schedulesOf(deal, customerId);
        for (DealLine line : requests.lines(deal, Billing.RECURRING)) {
            ensureProduct(requests.product(line));
        }
        SubscriptionScheduleCreateParams params = requests.subscriptionScheduleParams(deal, customerId);
        attempting(deal, "subscription_schedule");
        String scheduleId = createOnce(key(deal, "subscription-schedule"), ofDeal,
                key -> stripe.v1().subscriptionSchedules().create(params, keyed(key)).getId());
        LOG.info("Opportunity {}: Stripe subscription schedule {} created, starts {}", deal.opportunityId(),
                scheduleId, deal.contractStart());
        trace.link(deal.opportunityId(), SYSTEM, "subscription_schedule", scheduleId);
        return scheduleId;
    }

    /** The deal's subscription schedule among the customer's (a list: consistent at once, unlike search). */
    private StripeLookup schedulesOf(ClosedWonDeal deal, String customerId) {
        return () -> {
            for (SubscriptionSchedule s : stripe.v1().subscriptionSchedules().list(SubscriptionScheduleListParams.builder()
                    .setCustomer(customerId).setLimit(100L).build()).autoPagingIterable()) {
                if (deal.opportunityId().equals(s.getMetadata().get("sf_opportunity_id"))) return java.util.Optional.of(s.getId());
            }
            return java.util.Optional.empty();
        };
    }

    /** Creates and finalizes one Invoice for the one-time lines; returns its id, or null when there are none. */
    public String oneTimeInvoice(ClosedWonDeal deal, String customerId) throws StripeException {
        return invoiceFor(deal, customerId, requests.lines(deal, Billing.ONE_TIME), 1);
    }

    /**
     * Applies an amendment (contract version {@code version}) to the deal's subscription through its subscription
     * schedule (docs.stripe.com/billing/subscriptions/subscription-schedules/use-cases): the current phase ends now as
     * it was billed, and a new phase runs the amended lines (changed quantities and prices, added and removed lines)
     * from now to the amended end of term, prorated per {@code revenue.amendments.proration-behavior}; the schedule
     * cancels at that end, so Stripe stays co-termed with the ERP. A subscription without a schedule gets one made
     * from it ({@code from_subscription}); a contract that has not started yet has its scheduled phase replaced. Never
     * a second subscription. Returns the subscription's (or the not-started schedule's) id.
     */
    public String amendSubscription(ClosedWonDeal deal, String customerId, int version) throws StripeException {
        List<DealLine> recurring = requests.lines(deal, Billing.RECURRING);
        String subscriptionId = trace.linked(deal.opportunityId(), SYSTEM, "subscription").orElse(null);
        String scheduleId = trace.linked(deal.opportunityId(), SYSTEM, "subscription_schedule").orElse(null);
        if (subscriptionId == null && scheduleId == null) {
            return subscription(deal, customerId);
        }
        if (recurring.isEmpty()) {
            throw new DealRejectedException(deal.opportunityId(), List.of("The amendment removes every subscription "
                    + "line: cancel the subscription in Stripe and close the contract instead"));
        }
        int cadenceMonths = mappings.billingCadence(deal.billingCadence()).orElseThrow().months();
        int termMonths = recurring.stream().mapToInt(DealLine::termMonths).max().orElseThrow();
        long endOfTerm = StripeRequests.epochSecond(deal.contractStart().plusMonths(termMonths));
        for (DealLine line : recurring) {
            ensureProduct(requests.product(line));
        }
        SubscriptionSchedule schedule;
        if (subscriptionId == null) {
            schedule = stripe.v1().subscriptionSchedules().retrieve(scheduleId);
            if (schedule.getSubscription() != null) {
                subscriptionId = schedule.getSubscription();   // started since: amend its subscription
                trace.link(deal.opportunityId(), SYSTEM, "subscription", subscriptionId);
            }
        } else {
            Subscription current = stripe.v1().subscriptions().retrieve(subscriptionId);
            if (billsAlready(current, deal, recurring, cadenceMonths, endOfTerm)) {
                LOG.info("Opportunity {}: contract version {} leaves Stripe subscription {} as it is", deal.opportunityId(),
                        version, subscriptionId);
                return subscriptionId;
            }
            String existing = current.getSchedule();
            String from = subscriptionId;
            schedule = existing != null ? stripe.v1().subscriptionSchedules().retrieve(existing)
                    : stripe.v1().subscriptionSchedules().retrieve(createOnce(key(deal, "schedule-from-subscription"),
                    () -> java.util.Optional.ofNullable(stripe.v1().subscriptions().retrieve(from).getSchedule()),
                    key -> stripe.v1().subscriptionSchedules().create(SubscriptionScheduleCreateParams.builder()
                            .setFromSubscription(from).build(), keyed(key)).getId()));
            trace.link(deal.opportunityId(), SYSTEM, "subscription_schedule", schedule.getId());
        }
        // the amended terms, named by their content (lines, quantities, prices, end of term), not by when they are
        // applied: the schedule carries them in its metadata, so an amendment already applied is never applied twice,
        // and the key names them, so a different change that ends up with the same version number (an earlier attempt
        // failed before it was recorded) is not refused as an idempotency error
        String terms = termsOf(deal, recurring, cadenceMonths, endOfTerm);
        if (schedule.getMetadata() != null && terms.equals(schedule.getMetadata().get("contract_terms"))) {
            LOG.info("Opportunity {}: Stripe subscription schedule {} bills contract version {} already",
                    deal.opportunityId(), schedule.getId(), version);
            return subscriptionId != null ? subscriptionId : schedule.getId();
        }
        SubscriptionScheduleUpdateParams update = scheduleAmendment(deal, schedule, recurring, cadenceMonths, endOfTerm,
                version, terms);
        String id = schedule.getId();
        createOnce(key(deal, "amend-schedule-v" + version + "-" + terms),
                () -> terms.equals(stripe.v1().subscriptionSchedules().retrieve(id).getMetadata().get("contract_terms"))
                        ? java.util.Optional.of(id) : java.util.Optional.empty(),
                key -> stripe.v1().subscriptionSchedules().update(id, update, keyed(key)).getId());
        LOG.info("Opportunity {}: Stripe subscription schedule {} amended to contract version {}", deal.opportunityId(),
                schedule.getId(), version);
        return subscriptionId != null ? subscriptionId : schedule.getId();
    }

    /** A digest of the recurring terms Stripe bills: each line's quantity and price per period, the end of term. */
    private static String termsOf(ClosedWonDeal deal, List<DealLine> recurring, int cadenceMonths, long endOfTerm) {
        String terms = recurring.stream()
                .map(l -> l.lineId() + ":" + l.quantity().toPlainString() + ":" + StripeRequests.periodUnitAmount(deal, l, cadenceMonths))
                .sorted().collect(Collectors.joining(",")) + "|" + StripeRequests.currency(deal) + "|" + cadenceMonths + "|" + endOfTerm;
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(terms.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the subscription already bills exactly these recurring lines until the end of term. */
    private static boolean billsAlready(Subscription subscription, ClosedWonDeal deal, List<DealLine> recurring,
                                        int cadenceMonths, long endOfTerm) {
        if (subscription.getCancelAt() == null || subscription.getCancelAt() != endOfTerm) {
            return false;
        }
        Map<String, com.stripe.model.SubscriptionItem> byLine = new java.util.HashMap<>();
        subscription.getItems().getData().forEach(item -> byLine.put(item.getMetadata().get("sf_line_item_id"), item));
        if (byLine.size() != recurring.size()) {
            return false;
        }
        for (DealLine line : recurring) {
            var item = byLine.get(line.lineId());
            if (item == null || item.getQuantity() != line.quantity().longValueExact() || item.getPrice() == null
                    || item.getPrice().getUnitAmount() != StripeRequests.periodUnitAmount(deal, line, cadenceMonths)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The schedule's phases after an amendment: for a started contract, the current phase as it is until now, then
     * the amended lines until the end of term; for one not started, the amended lines from the contract start.
     */
    private SubscriptionScheduleUpdateParams scheduleAmendment(ClosedWonDeal deal, SubscriptionSchedule schedule,
                                                               List<DealLine> recurring, int cadenceMonths,
                                                               long endOfTerm, int version, String terms) {
        SubscriptionScheduleUpdateParams.Builder params = SubscriptionScheduleUpdateParams.builder()
                .setEndBehavior(SubscriptionScheduleUpdateParams.EndBehavior.CANCEL)
                .putMetadata("contract_version", String.valueOf(version))
                .putMetadata("contract_terms", terms)
                .putMetadata("contract_end", String.valueOf(deal.contractEnd()));
        // billed by invoice, due per the payment terms, in every phase (a phase may not inherit them from a schedule
        // made from the subscription)
        SubscriptionScheduleUpdateParams.Phase.Builder amended = SubscriptionScheduleUpdateParams.Phase.builder()
                .setEndDate(endOfTerm)
                .setCollectionMethod(SubscriptionScheduleUpdateParams.Phase.CollectionMethod.SEND_INVOICE)
                .setInvoiceSettings(SubscriptionScheduleUpdateParams.Phase.InvoiceSettings.builder()
                        .setDaysUntilDue((long) requests.dueDays(deal)).build())
                .putAllMetadata(StripeRequests.contractMetadata(deal))
                .putMetadata("contract_version", String.valueOf(version));
        boolean started = schedule.getCurrentPhase() != null;
        if (started) {
            SubscriptionSchedule.Phase current = schedule.getPhases().stream()
                    .filter(p -> p.getStartDate().equals(schedule.getCurrentPhase().getStartDate())).findFirst()
                    .orElseThrow();
            SubscriptionScheduleUpdateParams.Phase.Builder asBilled = SubscriptionScheduleUpdateParams.Phase.builder()
                    .setStartDate(current.getStartDate())
                    .setEndDate(SubscriptionScheduleUpdateParams.Phase.EndDate.NOW)
                    .setCollectionMethod(SubscriptionScheduleUpdateParams.Phase.CollectionMethod.SEND_INVOICE)
                    .setInvoiceSettings(SubscriptionScheduleUpdateParams.Phase.InvoiceSettings.builder()
                            .setDaysUntilDue((long) requests.dueDays(deal)).build());
            if (current.getMetadata() != null) {
                asBilled.putAllMetadata(current.getMetadata());
            }
            for (SubscriptionSchedule.Phase.Item item : current.getItems()) {
                var kept = SubscriptionScheduleUpdateParams.Phase.Item.builder()
                        .setPrice(item.getPrice()).setQuantity(item.getQuantity());
                if (item.getMetadata() != null) {
                    kept.putAllMetadata(item.getMetadata());
                }
                asBilled.addItem(kept.build());
            }
            params.addPhase(asBilled.build());
            params.setProrationBehavior(SubscriptionScheduleUpdateParams.ProrationBehavior.valueOf(amendmentProration.name()));
            amended.setProrationBehavior(SubscriptionScheduleUpdateParams.Phase.ProrationBehavior.valueOf(amendmentProration.name()));
        } else {
            amended.setStartDate(StripeRequests.epochSecond(deal.contractStart()))
                    .setProrationBehavior(SubscriptionScheduleUpdateParams.Phase.ProrationBehavior.NONE);
        }
        for (DealLine line : recurring) {
            StripeRequests.BillingPeriod period = StripeRequests.BillingPeriod.of(cadenceMonths);
            var interval = period.yearly() ? SubscriptionScheduleUpdateParams.Phase.Item.PriceData.Recurring.Interval.YEAR
                    : SubscriptionScheduleUpdateParams.Phase.Item.PriceData.Recurring.Interval.MONTH;
            amended.addItem(SubscriptionScheduleUpdateParams.Phase.Item.builder()
                    .setQuantity(line.quantity().longValueExact())
                    .putMetadata("sf_line_item_id", line.lineId())
                    .setPriceData(SubscriptionScheduleUpdateParams.Phase.Item.PriceData.builder()
                            .setCurrency(StripeRequests.currency(deal))
                            .setProduct(requests.product(line).stripeProduct())
                            .setUnitAmount(StripeRequests.periodUnitAmount(deal, line, cadenceMonths))
                            .setRecurring(SubscriptionScheduleUpdateParams.Phase.Item.PriceData.Recurring.builder()
                                    .setInterval(interval)
                                    .setIntervalCount(period.count())
                                    .build())
                            .build())
                    .build());
        }
        return params.addPhase(amended.build()).build();
    }

    /**
     * Bills the one-time lines an amendment added (those on no invoice of the deal yet) on an invoice of their own;
     * returns its id, or the deal's first one-time invoice when nothing new is to be billed.
     */
    public String amendmentInvoice(ClosedWonDeal deal, String customerId, int version) throws StripeException {
        Set<String> billed = new java.util.HashSet<>();
        for (InvoiceItem item : stripe.v1().invoiceItems().list(InvoiceItemListParams.builder().setCustomer(customerId)
                .setLimit(100L).build()).autoPagingIterable()) {
            if (item.getMetadata() != null && item.getMetadata().get("sf_line_item_id") != null) {
                billed.add(item.getMetadata().get("sf_line_item_id"));
            }
        }
        List<DealLine> unbilled = requests.lines(deal, Billing.ONE_TIME).stream().filter(l -> !billed.contains(l.lineId())).toList();
        if (unbilled.isEmpty()) {
            return trace.linked(deal.opportunityId(), SYSTEM, "one_time_invoice").orElse(null);
        }
        return invoiceFor(deal, customerId, unbilled, version);
    }

    private String invoiceFor(ClosedWonDeal deal, String customerId, List<DealLine> oneTime, int version)
            throws StripeException {
        if (oneTime.isEmpty()) {
            return null;
        }
        String kind = version == 1 ? "one_time_invoice" : "one_time_invoice_v" + version;
        String step = version == 1 ? "one-time-invoice" : "one-time-invoice-v" + version;
        StripeLookup ofVersion = () -> {
            for (Invoice i : stripe.v1().invoices().list(InvoiceListParams.builder().setCustomer(customerId)
                    .setLimit(100L).build()).autoPagingIterable()) {
                if (deal.opportunityId().equals(i.getMetadata().get("sf_opportunity_id"))
                        && String.valueOf(version).equals(i.getMetadata().get("contract_version"))) {
                    return java.util.Optional.of(i.getId());
                }
            }
            return java.util.Optional.empty();
        };
        String invoiceId = known(deal, kind, ofVersion).orElse(null);
        String status = "draft";
        Set<String> billedLines = Set.of();
        if (invoiceId == null) {
            InvoiceCreateParams.Builder builder = requests.invoiceBuilder(deal, customerId)
                    .putMetadata("contract_version", String.valueOf(version));
            attempting(deal, kind);
            InvoiceCreateParams params = builder.build();
            invoiceId = createOnce(key(deal, step), ofVersion, key -> stripe.v1().invoices().create(params, keyed(key)).getId());
            trace.link(deal.opportunityId(), SYSTEM, kind, invoiceId);
        } else {
            // made by an earlier attempt: only what is not on it yet is added
            Invoice existing = stripe.v1().invoices().retrieve(invoiceId);
            status = existing.getStatus();
            if ("draft".equals(status)) {
                billedLines = new java.util.HashSet<>();
                for (InvoiceItem item : stripe.v1().invoiceItems().list(InvoiceItemListParams.builder()
                        .setInvoice(invoiceId).setLimit(100L).build()).autoPagingIterable()) {
                    billedLines.add(item.getMetadata().get("sf_line_item_id"));
                }
            }
        }
        if ("draft".equals(status)) {
            List<DealLine> missing = new java.util.ArrayList<>();
            for (DealLine line : oneTime) {
                if (!billedLines.contains(line.lineId())) {
                    ensureProduct(requests.product(line));
                    missing.add(line);
                }
            }
            if (!missing.isEmpty()) {
                // every line in one request (up to 50 per call, docs.stripe.com/api/invoices/add_lines)
                String id = invoiceId;
                for (int from = 0; from < missing.size(); from += 50) {
                    List<DealLine> batch = missing.subList(from, Math.min(missing.size(), from + 50));
                    InvoiceAddLinesParams params = requests.addLinesParams(deal, batch);
                    createOnce(key(deal, step + "-lines-" + Integer.toHexString(batch.stream().map(DealLine::lineId)
                                    .collect(Collectors.joining("-")).hashCode())),
                            () -> linesOn(id).containsAll(batch.stream().map(DealLine::lineId).toList())
                                    ? java.util.Optional.of(id) : java.util.Optional.empty(),
                            key -> stripe.v1().invoices().addLines(id, params, keyed(key)).getId());
                }
            }
            // auto_advance: Stripe emails the invoice and its reminders (send_invoice collection)
            String id = invoiceId;
            createOnce(key(deal, "finalize-" + step), () -> "draft".equals(stripe.v1().invoices().retrieve(id).getStatus())
                            ? java.util.Optional.empty() : java.util.Optional.of(id),
                    key -> stripe.v1().invoices().finalizeInvoice(id,
                            InvoiceFinalizeInvoiceParams.builder().setAutoAdvance(true).build(), keyed(key)).getId());
            LOG.info("Opportunity {}: one-time Stripe invoice {} finalized ({} lines)", deal.opportunityId(), invoiceId,
                    oneTime.size());
        }
        return invoiceId;
    }

    /**
     * Finds the catalog product in Stripe under its own id, or creates it (once per process). One deal at a time asks
     * Stripe about a product: in a burst of new deals the others wait for its answer instead of each asking (and
     * creating) it too.
     */
    private void ensureProduct(Product product) throws StripeException {
        if (ensuredProducts.contains(product.stripeProduct())) {
            return;
        }
        synchronized (productChecks.computeIfAbsent(product.stripeProduct(), id -> new Object())) {
            if (!ensuredProducts.contains(product.stripeProduct())) {
                findOrCreateProduct(product);
            }
        }
    }

    private void findOrCreateProduct(Product product) throws StripeException {
        try {
            stripe.v1().products().retrieve(product.stripeProduct());
        } catch (InvalidRequestException e) {
            if (!"resource_missing".equals(e.getCode())) {
                throw e;
            }
            stripe.v1().products().create(ProductCreateParams.builder()
                    .setId(product.stripeProduct())
                    .setName(product.name())
                    .putMetadata("catalog_code", product.code())
                    .build(), RequestOptions.builder().setIdempotencyKey("rb-product-" + product.stripeProduct()).build());
            LOG.info("Stripe product {} created from the catalog", product.stripeProduct());
        }
        ensuredProducts.add(product.stripeProduct());
    }

    /** A request under Stripe's idempotency: the same key returns the first result, 24 hours long. */
    @FunctionalInterface
    private interface KeyedRequest {
        String send(String idempotencyKey) throws StripeException;
    }

    /**
     * Sends a create (or another request with an effect) under {@code key}. Stripe saves the first result under a key,
     * a 500 included, and replays it to every retry for 24 hours (docs.stripe.com/api/idempotent_requests): a retry
     * would stay stuck behind that 500. So when Stripe answers with a replayed server error, the bridge looks whether
     * the first request had its effect after all ({@code done}: the deal's object found by its metadata); if it did,
     * that is the result, and if not, it sends the request again under a key derived from the failed one (the same
     * derivation on every retry, so those are still deduplicated by Stripe).
     */
    private String createOnce(String key, StripeLookup done, KeyedRequest request) throws StripeException {
        String attemptKey = key;
        for (int round = 1; ; round++) {
            try {
                return request.send(attemptKey);
            } catch (com.stripe.exception.ApiException e) {
                String firstRequest = replayedServerError(e);
                if (firstRequest == null || round == 3) {
                    throw e;
                }
                var found = done.find();
                if (found.isPresent()) {
                    LOG.warn("Stripe replays a saved {} under Idempotency-Key {}, but its request ({}) had its effect: {}",
                            e.getStatusCode(), attemptKey, firstRequest, found.get());
                    return found.get();
                }
                LOG.warn("Stripe replays a saved {} under Idempotency-Key {} (request {}), and nothing was made: "
                        + "sending it again under a new key", e.getStatusCode(), attemptKey, firstRequest);
                attemptKey = key + "-after-" + firstRequest;
            }
        }
    }

    /**
     * The id of the first request whose saved server error Stripe replays here ({@code Idempotent-Replayed: true},
     * {@code Original-Request}), or null when this is no replay or the first request is not named (a key derived from
     * anything else would change from one retry to the next).
     */
    static String replayedServerError(StripeException e) {
        if (e.getStatusCode() == null || e.getStatusCode() < 500 || e.getStripeError() == null
                || e.getStripeError().getLastResponse() == null) {
            return null;
        }
        var headers = e.getStripeError().getLastResponse().headers();
        if (!"true".equalsIgnoreCase(headers.firstValue("Idempotent-Replayed").orElse(""))) {
            return null;
        }
        return headers.firstValue("Original-Request").orElse(null);
    }

    /**
     * Stripe's Search may not show a customer made in the last minute or so: the deal waits for it (its own retry
     * policy in error-handling.camel.yaml, longer than the search lag) instead of deriving a key too early.
     */
    public static class SearchNotCaughtUpException extends RuntimeException {
        public SearchNotCaughtUpException(String message) {
            super(message);
        }
    }

    /**
     * A lookup by Search, answered only once {@link #searchLag} has passed since the bridge first met a replayed
     * error under {@code key} (noted among the deal's links); before that it fails, and the route retries later.
     */
    private StripeLookup lagging(String opportunityId, String key, StripeLookup search) {
        return () -> {
            String kind = "saved-error " + key;
            Instant firstSeen = trace.linked(opportunityId, ATTEMPTS, kind).map(Instant::parse).orElse(null);
            if (firstSeen == null) {
                trace.link(opportunityId, ATTEMPTS, kind, clock.instant().toString());
                firstSeen = clock.instant();
            }
            if (clock.instant().isBefore(firstSeen.plus(searchLag))) {
                throw new SearchNotCaughtUpException("Stripe replays a saved server error under Idempotency-Key " + key
                        + "; its customer, if it made one, is searchable only after " + firstSeen.plus(searchLag));
            }
            return search.find();
        };
    }

    /** The Salesforce line ids of the items on an invoice. */
    private Set<String> linesOn(String invoiceId) throws StripeException {
        Set<String> lines = new java.util.HashSet<>();
        for (InvoiceItem item : stripe.v1().invoiceItems().list(InvoiceItemListParams.builder().setInvoice(invoiceId)
                .setLimit(100L).build()).autoPagingIterable()) {
            lines.add(item.getMetadata().get("sf_line_item_id"));
        }
        return lines;
    }

    private static RequestOptions keyed(String idempotencyKey) {
        return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
    }

    /**
     * The deal's object of {@code kind}: its link, else, only when an earlier attempt to create it was noted, what
     * Stripe has (an attempt may have succeeded without the bridge learning the id); empty when it was never tried.
     */
    private java.util.Optional<String> known(ClosedWonDeal deal, String kind, StripeLookup lookup) {
        var linked = trace.linked(deal.opportunityId(), SYSTEM, kind);
        if (linked.isPresent() || trace.linked(deal.opportunityId(), ATTEMPTS, kind).isEmpty()) {
            return linked;
        }
        var found = search(lookup);
        found.ifPresent(id -> trace.link(deal.opportunityId(), SYSTEM, kind, id));
        return found;
    }

    /** Notes, before the create request goes out, that the deal's object of {@code kind} is being created. */
    private void attempting(ClosedWonDeal deal, String kind) {
        trace.link(deal.opportunityId(), ATTEMPTS, kind, key(deal, kind));
    }

    @FunctionalInterface
    private interface StripeLookup {
        java.util.Optional<String> find() throws StripeException;
    }

    /** A lookup in Stripe, for {@link #known}: a failure is the step's failure (retried by the route). */
    private static java.util.Optional<String> search(StripeLookup lookup) {
        try {
            return lookup.find();
        } catch (StripeException e) {
            throw new IllegalStateException("Stripe search failed: " + e.getMessage(), e);
        }
    }

    static String key(ClosedWonDeal deal, String step) {
        return "rb-" + deal.opportunityId() + "-" + step;
    }

}
