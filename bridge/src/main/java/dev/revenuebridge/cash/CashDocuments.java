package dev.revenuebridge.cash;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The cash documents the bridge booked ({@code cash_document}: Stripe invoices, invoice payments, refunds, disputes,
 * payouts, with the ERP records they became), and what the Opportunity shows from them: the invoice's number and
 * status, the latest payment's date, what is still owed on the deal.
 */
@Component("cashDocuments")
public class CashDocuments {

    private final JdbcTemplate jdbc;
    private final dev.revenuebridge.outcome.OutcomeEvents events;

    public CashDocuments(JdbcTemplate jdbc, dev.revenuebridge.outcome.OutcomeEvents events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    public void recordInvoice(@ExchangeProperty("invoice") Map<String, Object> invoice,
                              @Header("opportunityId") String opportunityId,
                              @ExchangeProperty("erpInvoiceId") String erpInvoiceId) {
        String currency = StripeCash.currency(invoice);
        upsert(String.valueOf(invoice.get("id")), "invoice", opportunityId, (String) invoice.get("number"),
                String.valueOf(invoice.get("status")), currency, StripeCash.money(invoice.get("amount_due"), currency),
                StripeCash.money(invoice.get("amount_remaining"), currency), erpInvoiceId, null, Instant.ofEpochSecond(
                        ((Number) invoice.get("created")).longValue()));
        events.cashDocument(String.valueOf(invoice.get("id")));
    }

    public void recordPayment(@org.apache.camel.Body StripeCash.InvoicePayment payment,
                              @Header("opportunityId") String opportunityId,
                              @Header("erpInternalId") String erpPaymentId) {
        jdbc.update("""
                INSERT INTO cash_document (stripe_id, kind, opportunity_id, status, currency, amount, erp_id, related_id,
                  charge_id, payment_intent_id, occurred_at)
                VALUES (?, 'payment', ?, 'succeeded', ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stripe_id) DO UPDATE SET amount = EXCLUDED.amount,
                  erp_id = coalesce(EXCLUDED.erp_id, cash_document.erp_id), charge_id = EXCLUDED.charge_id,
                  payment_intent_id = EXCLUDED.payment_intent_id, updated_at = now()
                """, payment.id(), opportunityId, payment.currency().toUpperCase(Locale.ROOT),
                StripeCash.money(payment.amountPaid(), payment.currency()), erpPaymentId, payment.invoiceId(), payment.chargeId(),
                payment.paymentIntentId(), Timestamp.from(payment.paidOn().atStartOfDay(ZoneOffset.UTC).toInstant()));
        events.cashDocument(payment.id());
    }

    /** What the Opportunity shows: this invoice's number and status, the payment date, what is still owed on the deal. */
    public Map<String, Object> writeBack(@ExchangeProperty("invoice") Map<String, Object> invoice,
                                         @Header("opportunityId") String opportunityId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Invoice_Number__c", invoice.get("number"));
        fields.put("Invoice_Status__c", invoiceStatus(invoice));
        if ("paid".equals(invoice.get("status")) || ((Number) invoice.getOrDefault("amount_paid", 0)).longValue() > 0) {
            // the day of the latest payment booked on it (an invoice paid in parts has paid_at only once fully paid)
            java.sql.Timestamp latest = jdbc.queryForObject("SELECT max(occurred_at) FROM cash_document "
                    + "WHERE kind = 'payment' AND related_id = ?", java.sql.Timestamp.class, invoice.get("id"));
            fields.put("Payment_Date__c", (latest != null
                    ? latest.toInstant().atZone(ZoneOffset.UTC).toLocalDate() : paidOn(invoice)).toString());
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
                  erp_id AS "erpId", related_id AS "relatedId", charge_id AS "chargeId",
                  payment_intent_id AS "paymentIntentId", payout_id AS "payoutId", deposit_id AS "depositId",
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
        return StripeCash.date(transitions.get("paid_at"), invoice.get("created"));
    }
}
