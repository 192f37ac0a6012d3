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

    private final dev.revenuebridge.outcome.OutcomeEvents events;

    public StripeCash(StripeObjects stripe, JdbcTemplate jdbc, DealTrace trace, MappingCatalog mappings,
                      dev.revenuebridge.outcome.OutcomeEvents events) {
        this.events = events;
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.trace = trace;
        this.mappings = mappings;
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

    /** The deal's ERP sales order, which the invoice bills (the deal may still be syncing: then wait and retry). */
    public String salesOrderOf(@Header("opportunityId") String opportunityId) {
        return linked(opportunityId, "sales_order");
    }

    /**
     * The body of the transform that makes the ERP invoice from the deal's sales order ({@code POST
     * salesOrder/{id}/!transform/invoice}): the order lines this Stripe invoice bills, at the amounts Stripe bills. A
     * Stripe line is the order line of the same Salesforce line ({@code metadata.sf_line_item_id}, one-time items), or
     * of the same product (subscription lines: the Stripe product is the catalog's, whose ERP item the order line
     * has). Lines of one order line are summed (a proration's credit and charge net out).
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> erpInvoice(@ExchangeProperty("invoice") Map<String, Object> invoice,
                                          @org.apache.camel.Body Map<String, Object> order) {
        String currency = currency(invoice);
        List<Map<String, Object>> orderLines = order.get("item") instanceof Map<?, ?> sublist
                && sublist.get("items") instanceof List<?> items ? (List<Map<String, Object>>) items : List.of();
        Map<Integer, long[]> billed = new LinkedHashMap<>(); // order line -> {amount, quantity}
        Map<Integer, String> descriptions = new LinkedHashMap<>();
        Object lines = invoice.get("lines");
        if (lines instanceof Map<?, ?> list && list.get("data") instanceof List<?> data) {
            for (Object line : data) {
                Map<String, Object> l = (Map<String, Object>) line;
                int orderLine = orderLineOf(l, orderLines, invoice, order);
                long amount = ((Number) l.getOrDefault("amount", 0)).longValue();
                long quantity = l.get("quantity") instanceof Number q ? q.longValue() : 1;
                long[] sum = billed.computeIfAbsent(orderLine, k -> new long[2]);
                sum[0] += amount;
                if (amount > 0) sum[1] += Math.max(1, quantity);
                descriptions.merge(orderLine, String.valueOf(l.get("description")), (a, b) -> a + "; " + b);
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        billed.forEach((orderLine, sum) -> {
            if (sum[0] == 0) {
                return;
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("orderLine", orderLine);
            item.put("quantity", Math.max(1, sum[1]));
            item.put("amount", money(sum[0], currency));
            item.put("description", descriptions.get(orderLine));
            items.add(item);
        });
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", invoice.get("id"));
        record.put("otherRefNum", invoice.get("number"));
        record.put("tranDate", date(((Map<String, Object>) invoice.getOrDefault("status_transitions", Map.of()))
                .get("finalized_at"), invoice.get("created")).toString());
        if (invoice.get("due_date") != null) {
            record.put("dueDate", date(invoice.get("due_date"), null).toString());
        }
        record.put("memo", "Stripe invoice " + invoice.get("number") + " (" + invoice.get("id") + ")");
        record.put("item", Map.of("items", items));
        return record;
    }

    @SuppressWarnings("unchecked")
    private int orderLineOf(Map<String, Object> stripeLine, List<Map<String, Object>> orderLines,
                            Map<String, Object> invoice, Map<String, Object> order) {
        Object sfLine = stripeLine.get("metadata") instanceof Map<?, ?> m ? m.get("sf_line_item_id") : null;
        String product = null;
        if (stripeLine.get("pricing") instanceof Map<?, ?> pricing && pricing.get("price_details") instanceof Map<?, ?> d) {
            product = d.get("product") == null ? null : String.valueOf(d.get("product"));
        }
        String item = product == null ? null : mappings.productForStripe(product).map(MappingCatalog.Product::erpItem)
                .orElse(null);
        Integer byItem = null;
        for (Map<String, Object> line : orderLines) {
            Object itemRef = line.get("item") instanceof Map<?, ?> ref ? ref.get("id") : line.get("item");
            if (sfLine != null && sfLine.equals(line.get("custcol_sf_line_item_id"))) {
                return ((Number) line.get("line")).intValue();
            }
            if (byItem == null && item != null && item.equals(String.valueOf(itemRef))) {
                byItem = ((Number) line.get("line")).intValue();
            }
        }
        if (byItem != null) {
            return byItem;
        }
        throw new IllegalStateException("Stripe invoice " + invoice.get("id") + " line " + stripeLine.get("id") + " ("
                + stripeLine.get("description") + ", product " + product + ") bills nothing on ERP sales order "
                + order.get("id") + ": no order line of that Salesforce line or item");
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

    /** The NetSuite customer payment of one invoice payment, applied to the ERP invoice. */
    public Map<String, Object> erpPayment(@org.apache.camel.Body InvoicePayment payment,
                                          @ExchangeProperty("invoice") Map<String, Object> invoice,
                                          @Header("opportunityId") String opportunityId,
                                          @ExchangeProperty("erpInvoiceId") String erpInvoiceId) {
        BigDecimal paid = money(payment.amountPaid(), payment.currency());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", payment.id());
        record.put("customer", ref(linked(opportunityId, "customer")));
        record.put("payment", paid);
        // Stripe's money reaches the bank with the payout: until its deposit the payment waits in Undeposited Funds
        record.put("undepFunds", true);
        record.put("tranDate", payment.paidOn().toString());
        mappings.erpCurrency(payment.currency()).ifPresent(c -> record.put("currency", ref(c)));
        record.put("memo", "Stripe invoice payment " + payment.id() + " (" + (payment.chargeId() != null
                ? "charge " + payment.chargeId() : "payment intent " + payment.paymentIntentId()) + ") of invoice "
                + invoice.get("number"));
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
        events.cashDocument(String.valueOf(invoice.get("id")));
    }

    public void recordPayment(@org.apache.camel.Body InvoicePayment payment,
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
                money(payment.amountPaid(), payment.currency()), erpPaymentId, payment.invoiceId(), payment.chargeId(),
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
        return dev.revenuebridge.deal.MinorUnits.fromMinor(units, currency);
    }

    private static Map<String, Object> ref(String id) {
        return Map.of("id", id);
    }
}
