package dev.revenuebridge.cash;

import com.stripe.exception.StripeException;
import dev.revenuebridge.trace.DealTrace;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The cash side's reads of Stripe: the invoice as Stripe has it now (all its lines), the deal it belongs to, whether
 * it bills the order, and its paid invoice payments. Events say only that something happened; the bridge reads the
 * current state, so events that come twice, late or out of order book the same thing. The ERP records are
 * {@link CashErpRecords}'; what was booked, and what the Opportunity shows, {@link CashDocuments}'.
 */
@Component("stripeCash")
public class StripeCash {

    /** An event about a Stripe object that belongs to no deal the bridge synced: an exception, never retried. */
    public static class UnknownStripeObjectException extends RuntimeException {
        private final String subject;

        public UnknownStripeObjectException(String subject, String message) {
            super(message);
            this.subject = subject;
        }

        public String subject() { return subject; }
    }

    /** The invoice's deal is known but its ERP records are not there yet (the deal is syncing): wait and retry. */
    public static class DealNotSyncedYetException extends RuntimeException {
        public DealNotSyncedYetException(String message) {
            super(message);
        }
    }

    private final StripeObjects stripe;
    private final JdbcTemplate jdbc;
    private final DealTrace trace;

    public StripeCash(StripeObjects stripe, JdbcTemplate jdbc, DealTrace trace) {
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.trace = trace;
    }

    /**
     * The invoice as Stripe has it now (not as the event saw it), with all its lines: the embedded {@code lines} list
     * is only the first page, so the rest is read from {@code /v1/invoices/{id}/lines}, 100 at a time.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> currentInvoice(String invoiceId) throws StripeException, IOException {
        Map<String, Object> invoice = stripe.get("/v1/invoices/" + invoiceId);
        if (invoice.get("lines") instanceof Map<?, ?> lines && Boolean.TRUE.equals(lines.get("has_more"))) {
            List<Map<String, Object>> all = new ArrayList<>((List<Map<String, Object>>) lines.get("data"));
            all.addAll(stripe.listAfter("/v1/invoices/" + invoiceId + "/lines", "",
                    all.isEmpty() ? null : String.valueOf(all.get(all.size() - 1).get("id"))));
            ((Map<String, Object>) lines).put("data", all);
            ((Map<String, Object>) lines).put("has_more", false);
        }
        return invoice;
    }

    /**
     * The Opportunity whose deal made this invoice: the invoice's own metadata (one-time invoices), else its
     * subscription's, read from the invoice's parent ({@code parent.subscription_details}, since API 2025-03-31.basil)
     * or from Stripe (the subscription is the source of truth).
     */
    public String opportunityOf(@ExchangeProperty("invoice") Map<String, Object> invoice) throws StripeException, IOException {
        String candidate = opportunityIn(invoice.get("metadata"));
        String subscription = null;
        if (invoice.get("parent") instanceof Map<?, ?> parent
                && parent.get("subscription_details") instanceof Map<?, ?> details) {
            if (candidate == null) {
                candidate = opportunityIn(details.get("metadata"));
            }
            subscription = details.get("subscription") == null ? null : String.valueOf(details.get("subscription"));
        }
        if (candidate == null && subscription != null) {
            candidate = opportunityIn(stripe.get("/v1/subscriptions/" + subscription).get("metadata"));
        }
        if (candidate != null && trace.known(candidate)) {
            return candidate;
        }
        String id = String.valueOf(invoice.get("id"));
        throw new UnknownStripeObjectException(id, "Stripe invoice " + id + " (customer " + invoice.get("customer")
                + (subscription == null ? "" : ", subscription " + subscription)
                + ") belongs to no deal the bridge synced: it was made outside the bridge");
    }

    private static String opportunityIn(Object metadata) {
        return metadata instanceof Map<?, ?> m && m.get("sf_opportunity_id") != null
                ? String.valueOf(m.get("sf_opportunity_id")) : null;
    }

    /**
     * Whether the Stripe invoice becomes an ERP invoice: once finalized (its amounts no longer change), and only when it
     * bills something. A 0.00 invoice (e.g. "until the billing anchor") bills nothing: NetSuite has no invoice for it.
     */
    public boolean billsTheOrder(@ExchangeProperty("invoice") Map<String, Object> invoice) {
        String status = String.valueOf(invoice.get("status"));
        long total = invoice.get("total") instanceof Number n ? n.longValue() : 0;
        return total > 0 && List.of("open", "paid", "uncollectible").contains(status);
    }

    /**
     * The paid payments of the invoice, oldest first: since API 2025-03-31.basil an invoice is paid by invoice payments
     * ({@code /v1/invoice_payments?invoice=...}), several when it is paid in parts; each names the PaymentIntent that
     * collected it, whose {@code latest_charge} is the charge that refunds, disputes and payouts refer to. One request
     * (the PaymentIntents expanded) for up to 100 payments. Paid out of band, an invoice has none.
     */
    @SuppressWarnings("unchecked")
    public List<InvoicePayment> paidPayments(@ExchangeProperty("invoice") Map<String, Object> invoice)
            throws StripeException, IOException {
        List<Map<String, Object>> listed = stripe.listAfter("/v1/invoice_payments",
                "invoice=" + invoice.get("id") + "&status=paid&expand[]=data.payment.payment_intent", null);
        List<InvoicePayment> payments = new ArrayList<>();
        for (Map<String, Object> p : listed) {
            Map<String, Object> payment = (Map<String, Object>) p.getOrDefault("payment", Map.of());
            Object intent = payment.get("payment_intent");
            String intentId = intent instanceof Map<?, ?> expanded ? String.valueOf(expanded.get("id"))
                    : intent == null ? null : String.valueOf(intent);
            Object charge = intent instanceof Map<?, ?> expanded ? expanded.get("latest_charge") : payment.get("charge");
            if (charge instanceof Map<?, ?> expandedCharge) {
                charge = expandedCharge.get("id");
            }
            Map<String, Object> transitions = (Map<String, Object>) p.getOrDefault("status_transitions", Map.of());
            payments.add(new InvoicePayment(String.valueOf(p.get("id")), String.valueOf(p.get("invoice")),
                    intentId, charge == null ? null : String.valueOf(charge),
                    ((Number) p.get("amount_paid")).longValue(), String.valueOf(p.get("currency")),
                    date(transitions.get("paid_at"), p.get("created"))));
        }
        payments.sort(java.util.Comparator.comparing(InvoicePayment::paidOn).thenComparing(InvoicePayment::id));
        // a payment booked before the bridge spoke invoice payments is keyed by its charge: not booked again
        payments.removeIf(p -> p.chargeId() != null && Boolean.TRUE.equals(jdbc.queryForObject("SELECT exists("
                + "SELECT 1 FROM cash_document WHERE kind = 'payment' AND charge_id = ? AND stripe_id <> ?)",
                Boolean.class, p.chargeId(), p.id())));
        return payments;
    }

    /** One paid payment of an invoice, in minor units of its currency. */
    public record InvoicePayment(String id, String invoiceId, String paymentIntentId, String chargeId, long amountPaid,
                                 String currency, LocalDate paidOn) {
    }

    static LocalDate date(Object epochSeconds, Object fallback) {
        Object value = epochSeconds != null ? epochSeconds : fallback;
        return Instant.ofEpochSecond(((Number) value).longValue()).atZone(ZoneOffset.UTC).toLocalDate();
    }

    static String currency(Map<String, Object> invoice) {
        return String.valueOf(invoice.get("currency"));
    }

    /** Stripe's integer minor units as a decimal amount of the currency (never a double). */
    static BigDecimal money(Object minorUnits, String currency) {
        long units = minorUnits == null ? 0 : ((Number) minorUnits).longValue();
        return dev.revenuebridge.deal.MinorUnits.fromMinor(units, currency);
    }

}
