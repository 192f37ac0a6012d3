package dev.revenuebridge.sandbox.stripe;

import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.PAGINATION;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.of;
import static dev.revenuebridge.sandbox.stripe.StripeStore.asMap;
import static dev.revenuebridge.sandbox.stripe.StripeStore.map;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Payments of invoices as API version 2025-03-31.basil and later model them
 * (docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices): an invoice has
 * no {@code charge}, {@code payment_intent} or {@code paid}; each payment of it is an InvoicePayment
 * ({@code inpay_...}, docs.stripe.com/api/invoice-payment/object) whose {@code payment.payment_intent} is the
 * PaymentIntent that collected it, and the PaymentIntent's {@code latest_charge} is the charge (with its balance
 * transaction). Finalization creates the invoice's default payment (open, for what is due); paying the invoice pays
 * it; a partial payment (what {@code POST /v1/invoices/{id}/attach_payment} of a confirmed PaymentIntent does) is an
 * InvoicePayment of its own, and the default one is kept at what remains.
 */
final class StripePayments {

    private final StripeStore store;
    private final StripeBalance balance;

    StripePayments(StripeStore store, StripeBalance balance) {
        this.store = store;
        this.balance = balance;
    }

    void register(Map<String, StripeEndpoint> endpoints) {
        endpoints.put("GET /v1/invoice_payments", of(this::list, PAGINATION, "invoice", "status", "payment"));
        endpoints.put("GET /v1/invoice_payments/{invoice_payment}",
                of(c -> store.require("invoice_payments", "invoice payment", c.pathParam("invoice_payment"))));
        endpoints.put("GET /v1/payment_intents/{intent}",
                of(c -> store.require("payment_intents", "payment intent", c.pathParam("intent"))));
    }

    private Object list(StripeCall c) {
        String invoice = c.string("invoice");
        String status = c.string("status");
        Map<String, Object> payment = c.map("payment");
        String intent = StripeCall.string(payment, "payment_intent");
        if (invoice != null) store.reference("invoices", "invoice", invoice, "invoice");
        return store.list("invoice_payments", "invoice payment", p -> (invoice == null || invoice.equals(p.get("invoice")))
                        && (status == null || status.equals(p.get("status")))
                        && (intent == null || intent.equals(asMap(p.get("payment")).get("payment_intent"))),
                c, "/v1/invoice_payments");
    }

    /** The default payment an invoice gets when it is finalized: open, for the amount due, with its PaymentIntent. */
    void openDefault(Map<String, Object> invoice) {
        long due = (Long) invoice.get("amount_remaining");
        if (due <= 0) return;
        Map<String, Object> intent = intent(invoice, due);
        Map<String, Object> payment = invoicePayment(invoice, intent, due, true);
        store.add("invoice_payments", payment);
    }

    /**
     * Collects {@code amount} of the invoice with {@code paymentMethod}: the PaymentIntent succeeds with a charge, its
     * InvoicePayment is paid (the default one when it pays the rest, else a new one), invoice_payment.paid is sent.
     * Returns the paid InvoicePayment; the caller updates the invoice's amounts and status.
     */
    Map<String, Object> collect(Map<String, Object> invoice, long amount, String paymentMethod) {
        Map<String, Object> open = defaultPayment(invoice);
        Map<String, Object> payment;
        if (open != null && (Long) open.get("amount_requested") == amount) {
            payment = open;
        } else {
            payment = invoicePayment(invoice, intent(invoice, amount), amount, false);
            store.add("invoice_payments", payment);
        }
        Map<String, Object> intent = store.find("payment_intents",
                (String) asMap(payment.get("payment")).get("payment_intent"));
        Map<String, Object> charge = balance.charge((String) invoice.get("customer"), amount,
                (String) invoice.get("currency"), "Payment for Invoice " + invoice.get("number"), paymentMethod,
                (String) intent.get("id"));
        Map<String, Object> intentBefore = StripeStore.copy(intent);
        intent.put("amount_received", amount);
        intent.put("latest_charge", charge.get("id"));
        intent.put("payment_method", paymentMethod);
        intent.put("status", "succeeded");
        store.emit("payment_intent.succeeded", intent, intentBefore);
        Map<String, Object> before = StripeStore.copy(payment);
        payment.put("amount_paid", amount);
        payment.put("status", "paid");
        asMap(payment.get("status_transitions")).put("paid_at", store.now());
        store.emit("invoice_payment.paid", payment, before);
        if (payment != open && open != null) {
            long rest = (Long) open.get("amount_requested") - amount;
            Map<String, Object> defaultIntent = store.find("payment_intents",
                    (String) asMap(open.get("payment")).get("payment_intent"));
            open.put("amount_requested", rest);
            defaultIntent.put("amount", rest);
        }
        return payment;
    }

    /** The invoice's paid InvoicePayments, oldest first. */
    List<Map<String, Object>> paid(String invoiceId) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> p : store.all("invoice_payments")) {
            if (invoiceId.equals(p.get("invoice")) && "paid".equals(p.get("status"))) out.add(p);
        }
        return out;
    }

    /** When an invoice is voided or paid out of band, its open default payment is canceled. */
    void cancelOpen(Map<String, Object> invoice) {
        Map<String, Object> open = defaultPayment(invoice);
        if (open == null) return;
        open.put("status", "canceled");
        asMap(open.get("status_transitions")).put("canceled_at", store.now());
        Map<String, Object> intent = store.find("payment_intents", (String) asMap(open.get("payment")).get("payment_intent"));
        intent.put("status", "canceled");
        intent.put("canceled_at", store.now());
    }

    private Map<String, Object> defaultPayment(Map<String, Object> invoice) {
        for (Map<String, Object> p : store.all("invoice_payments")) {
            if (invoice.get("id").equals(p.get("invoice")) && Boolean.TRUE.equals(p.get("is_default"))
                    && "open".equals(p.get("status"))) {
                store.touch(p);
                return p;
            }
        }
        return null;
    }

    private Map<String, Object> invoicePayment(Map<String, Object> invoice, Map<String, Object> intent, long amount,
                                               boolean isDefault) {
        Map<String, Object> payment = new LinkedHashMap<>();
        payment.put("id", StripeIds.next("inpay_"));
        payment.put("object", "invoice_payment");
        payment.put("amount_paid", null);
        payment.put("amount_requested", amount);
        payment.put("created", store.now());
        payment.put("currency", invoice.get("currency"));
        payment.put("invoice", invoice.get("id"));
        payment.put("is_default", isDefault);
        payment.put("livemode", false);
        payment.put("payment", map("payment_intent", intent.get("id"), "type", "payment_intent"));
        payment.put("status", "open");
        payment.put("status_transitions", map("canceled_at", null, "paid_at", null));
        return payment;
    }

    private Map<String, Object> intent(Map<String, Object> invoice, long amount) {
        Map<String, Object> intent = store.create("payment_intent", StripeIds.next("pi_"));
        intent.put("amount", amount);
        intent.put("amount_capturable", 0L);
        intent.put("amount_received", 0L);
        intent.put("canceled_at", null);
        intent.put("capture_method", "automatic");
        intent.put("currency", invoice.get("currency"));
        intent.put("customer", invoice.get("customer"));
        intent.put("description", "Payment for Invoice " + (invoice.get("number") == null ? invoice.get("id")
                : invoice.get("number")));
        intent.put("latest_charge", null);
        intent.put("payment_method", null);
        intent.put("payment_method_types", new ArrayList<>(List.of("card", "us_bank_account")));
        intent.put("status", "requires_payment_method");
        store.add("payment_intents", intent);
        return intent;
    }
}
