package dev.revenuebridge.cash;

import com.stripe.exception.StripeException;
import dev.revenuebridge.mapping.MappingCatalog;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Money that comes back after a payment: refunds (an ERP credit memo made from the invoice by transform, and the
 * customer refund that pays it out of the Stripe clearing account) and disputes (an ERP journal entry moving the disputed amount and Stripe's dispute fee out of the
 * Stripe clearing account, reversed by another when the dispute is won). Each is found through the payment the bridge
 * booked; a refund or dispute of a payment it did not book is an unknown object for the exception queue.
 */
@Component("stripeAdjustments")
public class StripeAdjustments {

    private final StripeObjects stripe;
    private final JdbcTemplate jdbc;
    private final MappingCatalog mappings;
    private final Map<String, String> accounts;

    private final dev.revenuebridge.outcome.OutcomeEvents events;

    public StripeAdjustments(StripeObjects stripe, JdbcTemplate jdbc, MappingCatalog mappings,
                             @Value("${revenue.erp.accounts.stripe-clearing:1100}") String stripeClearing,
                             @Value("${revenue.erp.accounts.disputed-receivables:1210}") String disputedReceivables,
                             @Value("${revenue.erp.accounts.dispute-fees:6150}") String disputeFees,
                             dev.revenuebridge.outcome.OutcomeEvents events) {
        this.events = events;
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.mappings = mappings;
        this.accounts = Map.of("clearing", stripeClearing, "disputed", disputedReceivables, "fees", disputeFees);
    }

    /** The refund or dispute as Stripe has it now. */
    public Map<String, Object> current(String kind, String id) throws StripeException, IOException {
        return stripe.get("/v1/" + kind + "/" + id);
    }

    /** A dispute closed in the merchant's favour: its booking is reversed. */
    public boolean wonAndClosed(@Header("stripeEventType") String eventType,
                                @ExchangeProperty("adjustment") Map<String, Object> dispute) {
        return "charge.dispute.closed".equals(eventType) && "won".equals(dispute.get("status"));
    }

    /**
     * The booked invoice payment of the refunded or disputed charge (found by the charge, or by the PaymentIntent that
     * made it: refunds and disputes name both, invoices neither since API 2025-03-31.basil): opportunity, invoice and
     * their ERP ids.
     */
    public Map<String, Object> payment(@ExchangeProperty("adjustment") Map<String, Object> adjustment) {
        String charge = String.valueOf(adjustment.get("charge"));
        Object intent = adjustment.get("payment_intent");
        List<Map<String, Object>> rows = jdbc.queryForList("""
                SELECT p.opportunity_id AS "opportunityId", p.related_id AS "invoiceId", i.erp_id AS "erpInvoiceId",
                  l.external_id AS "erpCustomerId"
                FROM cash_document p
                JOIN cash_document i ON i.stripe_id = p.related_id
                LEFT JOIN deal_link l ON l.opportunity_id = p.opportunity_id AND l.system = 'erp' AND l.kind = 'customer'
                WHERE p.kind = 'payment' AND (p.charge_id = ? OR p.payment_intent_id = ?)
                ORDER BY p.occurred_at, p.stripe_id
                """, charge, intent == null ? null : String.valueOf(intent));
        if (rows.isEmpty()) {
            String id = String.valueOf(adjustment.get("id"));
            throw new StripeCash.UnknownStripeObjectException(id, "Stripe " + adjustment.get("object") + " " + id
                    + " of charge " + charge + " concerns a payment the bridge did not book");
        }
        return rows.get(0);
    }

    /**
     * The body of the transform that makes a refund's credit memo from the refunded ERP invoice ({@code POST
     * invoice/{id}/!transform/creditMemo}): the refunded amount spread over the invoice's lines in proportion to their
     * amounts (largest remainder, to the cent), so that refunds of one invoice never credit a line more than it billed.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> creditMemo(@ExchangeProperty("adjustment") Map<String, Object> refund,
                                          @org.apache.camel.Body Map<String, Object> erpInvoice) {
        String currency = String.valueOf(refund.get("currency"));
        int digits = dev.revenuebridge.deal.MinorUnits.digits(currency);
        List<Map<String, Object>> invoiceLines = erpInvoice.get("item") instanceof Map<?, ?> sublist
                && sublist.get("items") instanceof List<?> items ? (List<Map<String, Object>>) items : List.of();
        List<Map<String, Object>> billed = invoiceLines.stream()
                .filter(l -> new BigDecimal(String.valueOf(l.get("amount"))).signum() > 0).toList();
        if (billed.isEmpty()) {
            throw new IllegalStateException("ERP invoice " + erpInvoice.get("id") + " has no line to credit refund "
                    + refund.get("id") + " against");
        }
        List<java.math.BigInteger> weights = billed.stream().map(l -> dev.revenuebridge.deal.MinorUnits.toMinor(
                new BigDecimal(String.valueOf(l.get("amount"))), digits)).toList();
        List<java.math.BigInteger> parts = dev.revenuebridge.revenue.LargestRemainder.apportion(
                java.math.BigInteger.valueOf(((Number) refund.get("amount")).longValue()), weights);
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        for (int i = 0; i < billed.size(); i++) {
            if (parts.get(i).signum() == 0) {
                continue;
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("orderLine", billed.get(i).get("line"));
            line.put("quantity", 1);
            line.put("amount", new BigDecimal(parts.get(i), digits));
            line.put("description", "Refund " + refund.get("id") + " of charge " + refund.get("charge"));
            lines.add(line);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", refund.get("id"));
        record.put("tranDate", date(refund.get("created")));
        record.put("memo", "Stripe refund " + refund.get("id") + " of charge " + refund.get("charge"));
        record.put("item", Map.of("items", lines));
        return record;
    }

    /**
     * The customer refund that pays the credit memo out. Stripe pays a refund from the Stripe balance, so it is paid
     * from the Stripe clearing account; the payout that nets the refund brings that account back to zero.
     */
    public Map<String, Object> customerRefund(@ExchangeProperty("adjustment") Map<String, Object> refund,
                                              @ExchangeProperty("payment") Map<String, Object> payment,
                                              @ExchangeProperty("erpCreditMemoId") String creditMemoId) {
        String currency = String.valueOf(refund.get("currency"));
        BigDecimal amount = StripeCash.money(refund.get("amount"), currency);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", refund.get("id"));
        record.put("customer", ref(payment.get("erpCustomerId")));
        record.put("account", ref(accounts.get("clearing")));
        record.put("tranDate", date(refund.get("created")));
        mappings.erpCurrency(currency).ifPresent(c -> record.put("currency", ref(c)));
        record.put("memo", "Stripe refund " + refund.get("id"));
        record.put("apply", Map.of("items", List.of(Map.of("doc", ref(creditMemoId), "apply", true, "amount", amount))));
        return record;
    }

    /**
     * The journal entry of a dispute: the disputed amount to disputed receivables and the fee to dispute fees, out of
     * the Stripe clearing account; {@code reversal} for a won dispute swaps the sides.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> disputeJournal(@ExchangeProperty("adjustment") Map<String, Object> dispute,
                                              @ExchangeProperty("payment") Map<String, Object> payment,
                                              @Header("disputeReversal") Boolean reversed) {
        boolean reversal = Boolean.TRUE.equals(reversed);
        String currency = String.valueOf(dispute.get("currency"));
        BigDecimal amount = StripeCash.money(dispute.get("amount"), currency);
        long feeMinor = 0;
        String feeCurrency = currency;
        if (dispute.get("balance_transactions") instanceof List<?> txns && !txns.isEmpty()
                && txns.get(0) instanceof Map<?, ?> first && first.get("fee") instanceof Number fee) {
            feeMinor = fee.longValue();
            feeCurrency = String.valueOf(first.get("currency"));
        }
        BigDecimal fee = StripeCash.money(feeMinor, feeCurrency);
        String side = reversal ? "credit" : "debit";
        String other = reversal ? "debit" : "credit";
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", dispute.get("id") + (reversal ? "-won" : ""));
        mappings.subsidiaryForCurrency(currency).ifPresent(s -> {
            record.put("subsidiary", ref(s.erpSubsidiary()));
            record.put("currency", ref(s.erpCurrency()));
        });
        record.put("tranDate", date(dispute.get("created")));
        record.put("memo", (reversal ? "Won, reversed: " : "") + "Stripe dispute " + dispute.get("id") + " of charge "
                + dispute.get("charge") + " of invoice " + payment.get("invoiceId") + " (" + dispute.get("reason") + ")");
        record.put("line", Map.of("items", List.of(
                Map.of("account", ref(accounts.get("disputed")), side, amount, "memo", "Disputed amount"),
                Map.of("account", ref(accounts.get("fees")), side, fee, "memo", "Stripe dispute fee"),
                Map.of("account", ref(accounts.get("clearing")), other, amount.add(fee), "memo", "Stripe balance"))));
        return record;
    }

    public void record(@ExchangeProperty("adjustment") Map<String, Object> adjustment,
                       @ExchangeProperty("payment") Map<String, Object> payment,
                       @Header("erpInternalId") String erpId, @Header("disputeReversal") Boolean reversed) {
        boolean reversal = Boolean.TRUE.equals(reversed);
        String kind = String.valueOf(adjustment.get("object"));
        String currency = String.valueOf(adjustment.get("currency")).toUpperCase(Locale.ROOT);
        jdbc.update("""
                INSERT INTO cash_document (stripe_id, kind, opportunity_id, status, currency, amount, erp_id, related_id,
                  occurred_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stripe_id) DO UPDATE SET status = EXCLUDED.status, erp_id = EXCLUDED.erp_id, updated_at = now()
                """, adjustment.get("id") + (reversal ? "-won" : ""), kind, payment.get("opportunityId"),
                String.valueOf(adjustment.get("status")), currency,
                reversal ? StripeCash.money(adjustment.get("amount"), currency)
                        : StripeCash.money(adjustment.get("amount"), currency).negate(), erpId, adjustment.get("charge"),
                Timestamp.from(Instant.ofEpochSecond(((Number) adjustment.get("created")).longValue())));
        events.cashDocument(adjustment.get("id") + (reversal ? "-won" : ""));
    }

    private static String date(Object epochSeconds) {
        return Instant.ofEpochSecond(((Number) epochSeconds).longValue()).atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static Map<String, Object> ref(Object id) {
        return Map.of("id", String.valueOf(id));
    }
}
