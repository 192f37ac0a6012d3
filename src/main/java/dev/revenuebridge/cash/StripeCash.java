package dev.revenuebridge.cash;

import com.stripe.exception.StripeException;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.trace.DealTrace;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The cash side of a deal: Stripe invoices and their payments, booked in the ERP and summed up on the Opportunity.
 * Events say only that something happened; the bridge reads the invoice's current state from Stripe, so events that
 * come twice, late or out of order book the same thing (every ERP record is upserted by the Stripe id as external id).
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
    private final MappingCatalog mappings;

    public StripeCash(StripeObjects stripe, JdbcTemplate jdbc, DealTrace trace, MappingCatalog mappings) {
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.trace = trace;
        this.mappings = mappings;
    }

    /** The invoice as Stripe has it now (not as the event saw it). */
    public Map<String, Object> currentInvoice(String invoiceId) throws StripeException, IOException {
        return stripe.get("/v1/invoices/" + invoiceId);
    }

    /**
     * The Opportunity whose deal made this invoice: the invoice's own metadata (one-time invoices), else its
     * subscription's, read from the invoice's parent or from Stripe (the subscription is the source of truth).
     */
    @SuppressWarnings("unchecked")
    public String opportunityOf(@ExchangeProperty("invoice") Map<String, Object> invoice) throws StripeException, IOException {
        String candidate = opportunityIn(invoice.get("metadata"));
        String subscription = null;
        if (candidate == null && invoice.get("parent") instanceof Map<?, ?> parent
                && parent.get("subscription_details") instanceof Map<?, ?> details) {
            candidate = opportunityIn(details.get("metadata"));
            subscription = details.get("subscription") == null ? null : String.valueOf(details.get("subscription"));
        }
        if (subscription == null && invoice.get("subscription") != null) {
            subscription = invoice.get("subscription") instanceof Map<?, ?> expanded
                    ? String.valueOf(expanded.get("id")) : String.valueOf(invoice.get("subscription"));
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

    /** The NetSuite invoice of a Stripe invoice, created from the deal's sales order. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> erpInvoice(@ExchangeProperty("invoice") Map<String, Object> invoice,
                                          @Header("opportunityId") String opportunityId) {
        String currency = currency(invoice);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", invoice.get("id"));
        record.put("entity", ref(linked(opportunityId, "customer")));
        record.put("createdFrom", ref(linked(opportunityId, "sales_order")));
        record.put("tranId", invoice.get("number"));
        record.put("tranDate", date(((Map<String, Object>) invoice.getOrDefault("status_transitions", Map.of()))
                .get("finalized_at"), invoice.get("created")).toString());
        if (invoice.get("due_date") != null) {
            record.put("dueDate", date(invoice.get("due_date"), null).toString());
        }
        mappings.erpCurrency(currency).ifPresent(c -> record.put("currency", ref(c)));
        record.put("memo", "Stripe invoice " + invoice.get("id"));
        List<Map<String, Object>> items = new ArrayList<>();
        Object lines = invoice.get("lines");
        if (lines instanceof Map<?, ?> list && list.get("data") instanceof List<?> data) {
            for (Object line : data) {
                Map<String, Object> l = (Map<String, Object>) line;
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("description", l.get("description"));
                item.put("quantity", l.get("quantity"));
                item.put("amount", money(l.get("amount"), currency));
                items.add(item);
            }
        }
        record.put("item", Map.of("items", items));
        return record;
    }

    /** The external id of the invoice's payment: the charge, or the invoice itself when paid out of band. */
    public String paymentId(@ExchangeProperty("invoice") Map<String, Object> invoice) {
        Object charge = invoice.get("charge");
        if (charge instanceof Map<?, ?> expanded) {
            charge = expanded.get("id");
        }
        return charge != null ? String.valueOf(charge) : invoice.get("id") + "-paid";
    }

    /** The NetSuite customer payment of what was paid on the invoice, applied to the ERP invoice. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> erpPayment(@ExchangeProperty("invoice") Map<String, Object> invoice,
                                          @Header("opportunityId") String opportunityId,
                                          @ExchangeProperty("erpInvoiceId") String erpInvoiceId) {
        String currency = currency(invoice);
        BigDecimal paid = money(invoice.get("amount_paid"), currency);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", paymentId(invoice));
        record.put("customer", ref(linked(opportunityId, "customer")));
        record.put("payment", paid);
        record.put("tranDate", paidOn(invoice).toString());
        mappings.erpCurrency(currency).ifPresent(c -> record.put("currency", ref(c)));
        record.put("memo", "Stripe payment " + paymentId(invoice) + " of invoice " + invoice.get("number"));
        record.put("apply", Map.of("items", List.of(Map.of("doc", ref(erpInvoiceId), "apply", true, "amount", paid))));
        return record;
    }

    public void recordInvoice(@ExchangeProperty("invoice") Map<String, Object> invoice,
                              @Header("opportunityId") String opportunityId,
                              @ExchangeProperty("erpInvoiceId") String erpInvoiceId) {
        String currency = currency(invoice);
        upsert(String.valueOf(invoice.get("id")), "invoice", opportunityId, (String) invoice.get("number"),
                String.valueOf(invoice.get("status")), currency, money(invoice.get("amount_due"), currency),
                money(invoice.get("amount_remaining"), currency), erpInvoiceId, null, Instant.ofEpochSecond(
                        ((Number) invoice.get("created")).longValue()));
    }

    public void recordPayment(@ExchangeProperty("invoice") Map<String, Object> invoice,
                              @Header("opportunityId") String opportunityId,
                              @ExchangeProperty("erpPaymentId") String erpPaymentId) {
        String currency = currency(invoice);
        upsert(paymentId(invoice), "payment", opportunityId, null, "succeeded", currency,
                money(invoice.get("amount_paid"), currency), null, erpPaymentId, String.valueOf(invoice.get("id")),
                paidOn(invoice).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** What the Opportunity shows: this invoice's number and status, the payment date, what is still owed on the deal. */
    public Map<String, Object> writeBack(@ExchangeProperty("invoice") Map<String, Object> invoice,
                                         @Header("opportunityId") String opportunityId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Invoice_Number__c", invoice.get("number"));
        fields.put("Invoice_Status__c", invoiceStatus(invoice));
        if ("paid".equals(invoice.get("status")) || ((Number) invoice.getOrDefault("amount_paid", 0)).longValue() > 0) {
            fields.put("Payment_Date__c", paidOn(invoice).toString());
        }
        BigDecimal outstanding = jdbc.queryForObject("SELECT coalesce(sum(amount_remaining), 0) FROM cash_document "
                + "WHERE opportunity_id = ? AND kind = 'invoice' AND status = 'open'", BigDecimal.class, opportunityId);
        fields.put("Outstanding_Balance__c", outstanding.setScale(2, java.math.RoundingMode.UNNECESSARY));
        return fields;
    }

    /** The deal's cash documents, for the trace API. */
    public List<Map<String, Object>> documents(String opportunityId) {
        return jdbc.queryForList("""
                SELECT stripe_id AS "stripeId", kind, number, status, currency, amount, amount_remaining AS "amountRemaining",
                  erp_id AS "erpId", related_id AS "relatedId", payout_id AS "payoutId", deposit_id AS "depositId",
                  occurred_at AS "occurredAt"
                FROM cash_document WHERE opportunity_id = ? ORDER BY occurred_at, stripe_id
                """, opportunityId);
    }

    private void upsert(String stripeId, String kind, String opportunityId, String number, String status, String currency,
                        BigDecimal amount, BigDecimal remaining, String erpId, String relatedId, Instant occurredAt) {
        jdbc.update("""
                INSERT INTO cash_document (stripe_id, kind, opportunity_id, number, status, currency, amount,
                  amount_remaining, erp_id, related_id, occurred_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stripe_id) DO UPDATE SET number = EXCLUDED.number, status = EXCLUDED.status,
                  amount = EXCLUDED.amount, amount_remaining = EXCLUDED.amount_remaining,
                  erp_id = coalesce(EXCLUDED.erp_id, cash_document.erp_id), updated_at = now()
                """, stripeId, kind, opportunityId, number, status, currency.toUpperCase(Locale.ROOT), amount, remaining,
                erpId, relatedId, Timestamp.from(occurredAt));
    }

    private String linked(String opportunityId, String kind) {
        return trace.linked(opportunityId, "erp", kind).orElseThrow(() -> new DealNotSyncedYetException(
                "Opportunity " + opportunityId + " has no ERP " + kind + " yet: its deal is still being synced"));
    }

    private static String invoiceStatus(Map<String, Object> invoice) {
        String status = String.valueOf(invoice.get("status"));
        long paid = ((Number) invoice.getOrDefault("amount_paid", 0)).longValue();
        if ("open".equals(status) && paid > 0) {
            return "Partially Paid";
        }
        return status.substring(0, 1).toUpperCase(Locale.ROOT) + status.substring(1);
    }

    @SuppressWarnings("unchecked")
    private static LocalDate paidOn(Map<String, Object> invoice) {
        Map<String, Object> transitions = (Map<String, Object>) invoice.getOrDefault("status_transitions", Map.of());
        return date(transitions.get("paid_at"), invoice.get("created"));
    }

    private static LocalDate date(Object epochSeconds, Object fallback) {
        Object value = epochSeconds != null ? epochSeconds : fallback;
        return Instant.ofEpochSecond(((Number) value).longValue()).atZone(ZoneOffset.UTC).toLocalDate();
    }

    private static String currency(Map<String, Object> invoice) {
        return String.valueOf(invoice.get("currency"));
    }

    /** Stripe's integer minor units as a decimal amount of the currency (never a double). */
    static BigDecimal money(Object minorUnits, String currency) {
        long units = minorUnits == null ? 0 : ((Number) minorUnits).longValue();
        int digits = Currency.getInstance(currency.toUpperCase(Locale.ROOT)).getDefaultFractionDigits();
        return BigDecimal.valueOf(units, digits);
    }

    private static Map<String, Object> ref(String id) {
        return Map.of("id", id);
    }
}
