package dev.revenuebridge.sandbox.erp;

import static dev.revenuebridge.sandbox.erp.ErpSchema.CREDIT_MEMO;
import static dev.revenuebridge.sandbox.erp.ErpSchema.DEPOSIT;
import static dev.revenuebridge.sandbox.erp.ErpSchema.INVOICE;
import static dev.revenuebridge.sandbox.erp.ErpSchema.ITEM_SUBLIST;
import static dev.revenuebridge.sandbox.erp.ErpSchema.PAYMENT;
import static dev.revenuebridge.sandbox.erp.ErpSchema.REFUND;
import static dev.revenuebridge.sandbox.erp.ErpSchema.SALES_ORDER;

import dev.revenuebridge.sandbox.erp.ErpRecord.Choice;
import dev.revenuebridge.sandbox.erp.ErpRecord.Ref;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The values NetSuite derives from how transactions link to each other, computed from the store on every read so
 * that they can never drift from the records: what of a sales order line has been billed, what remains open on an
 * invoice or a credit memo, whether a payment has been deposited. Callers hold the store's lock.
 */
final class ErpLedger {

    static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);

    /** Billed so far of one order line. */
    record Billed(BigDecimal quantity, BigDecimal amount) {
    }

    private final ErpRecordStore store;

    ErpLedger(ErpRecordStore store) {
        this.store = store;
    }

    static BigDecimal money(Object value) {
        return value instanceof BigDecimal d ? d.setScale(2, java.math.RoundingMode.HALF_UP) : ZERO;
    }

    /** The invoices made from a sales order (by transform), in id order. */
    List<ErpRecord> invoicesOf(String salesOrderId) {
        Ref order = new Ref(SALES_ORDER, salesOrderId);
        return store.all(INVOICE).stream().filter(i -> order.equals(i.ref("createdFrom"))).toList();
    }

    /** What has been billed of an order line, leaving out one invoice (null: none). */
    Billed billed(String salesOrderId, Object line, String excludeInvoiceId) {
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal amount = ZERO;
        for (ErpRecord invoice : invoicesOf(salesOrderId)) {
            if (invoice.id().equals(excludeInvoiceId)) continue;
            for (Map<String, Object> l : invoice.lines(ITEM_SUBLIST)) {
                if (Objects.equals(l.get("orderLine"), line)) {
                    quantity = quantity.add(l.get("quantity") instanceof BigDecimal q ? q : BigDecimal.ZERO);
                    amount = amount.add(money(l.get("amount")));
                }
            }
        }
        return new Billed(quantity, amount);
    }

    boolean fullyBilled(ErpRecord order) {
        List<Map<String, Object>> lines = order.lines(ITEM_SUBLIST);
        if (lines.isEmpty()) return false;
        for (Map<String, Object> line : lines) {
            Billed b = billed(order.id(), line.get("line"), null);
            if (b.amount().compareTo(money(line.get("amount"))) != 0) return false;
        }
        return true;
    }

    /** Applied to an invoice by payments (other than {@code excludePaymentId}) and credit memos. */
    BigDecimal appliedToInvoice(String invoiceId, String excludePaymentId) {
        BigDecimal applied = ZERO;
        for (ErpRecord payment : store.all(PAYMENT)) {
            if (payment.id().equals(excludePaymentId)) continue;
            applied = applied.add(appliedTo(payment, INVOICE, invoiceId));
        }
        for (ErpRecord memo : store.all(CREDIT_MEMO)) {
            applied = applied.add(appliedTo(memo, INVOICE, invoiceId));
        }
        return applied;
    }

    BigDecimal invoiceRemaining(ErpRecord invoice, String excludePaymentId) {
        return money(invoice.get("total")).subtract(appliedToInvoice(invoice.id(), excludePaymentId));
    }

    /** A credit memo's unapplied amount: its total less what it was applied to and what refunds paid out of it. */
    BigDecimal creditMemoRemaining(ErpRecord memo, String excludeRefundId) {
        BigDecimal used = ZERO;
        for (Map<String, Object> line : memo.lines("apply")) {
            used = used.add(money(line.get("amount")));
        }
        for (ErpRecord refund : store.all(REFUND)) {
            if (refund.id().equals(excludeRefundId)) continue;
            used = used.add(appliedTo(refund, CREDIT_MEMO, memo.id()));
        }
        return money(memo.get("total")).subtract(used);
    }

    private static BigDecimal appliedTo(ErpRecord record, String docType, String docId) {
        BigDecimal sum = ZERO;
        Ref doc = new Ref(docType, docId);
        for (Map<String, Object> line : record.lines("apply")) {
            if (doc.equals(line.get("doc"))) sum = sum.add(money(line.get("amount")));
        }
        return sum;
    }

    /** The deposit that holds a payment, leaving out one deposit (null: none). */
    Optional<ErpRecord> depositOf(String paymentId, String excludeDepositId) {
        Ref payment = new Ref(PAYMENT, paymentId);
        return store.all(DEPOSIT).stream()
                .filter(d -> !d.id().equals(excludeDepositId))
                .filter(d -> d.lines("payment").stream().anyMatch(l -> payment.equals(l.get("doc"))))
                .findFirst();
    }

    /** The record with the fields NetSuite computes on read (a new instance; the stored one is unchanged). */
    ErpRecord decorate(ErpRecord record) {
        Map<String, Object> fields = new LinkedHashMap<>(record.fields());
        switch (record.type()) {
            case SALES_ORDER -> {
                List<Map<String, Object>> lines = new ArrayList<>();
                for (Map<String, Object> line : record.lines(ITEM_SUBLIST)) {
                    Map<String, Object> l = new LinkedHashMap<>(line);
                    Billed b = billed(record.id(), line.get("line"), null);
                    l.put("quantityBilled", b.quantity());
                    l.put("amountBilled", b.amount());
                    lines.add(l);
                }
                fields.put(ITEM_SUBLIST, lines);
                if (fullyBilled(record)) fields.put("orderStatus", new Choice("G", "Billed"));
            }
            case INVOICE -> {
                BigDecimal remaining = invoiceRemaining(record, null);
                fields.put("amountRemaining", remaining);
                fields.put("status", remaining.signum() > 0 ? new Choice("Open", "Open")
                        : new Choice("Paid In Full", "Paid In Full"));
            }
            case CREDIT_MEMO -> fields.put("amountRemaining", creditMemoRemaining(record, null));
            case PAYMENT -> {
                BigDecimal applied = ZERO;
                for (Map<String, Object> line : record.lines("apply")) applied = applied.add(money(line.get("amount")));
                fields.put("applied", applied);
                fields.put("unapplied", money(record.get("payment")).subtract(applied));
                Optional<ErpRecord> deposit = depositOf(record.id(), null);
                boolean undeposited = Boolean.TRUE.equals(record.get("undepFunds")) && deposit.isEmpty();
                fields.put("status", undeposited ? new Choice("Undeposited", "Undeposited")
                        : new Choice("Deposited", "Deposited"));
                deposit.ifPresent(d -> fields.put("deposit", new Ref(DEPOSIT, d.id())));
            }
            case DEPOSIT -> {
                List<Map<String, Object>> lines = new ArrayList<>();
                for (Map<String, Object> line : record.lines("payment")) {
                    Map<String, Object> l = new LinkedHashMap<>(line);
                    store.resolve((Ref) line.get("doc")).ifPresent(p -> l.put("paymentAmount", money(p.get("payment"))));
                    lines.add(l);
                }
                fields.put("payment", lines);
            }
            default -> {
                return record;
            }
        }
        return new ErpRecord(record.type(), record.id(), record.externalId(), fields, record.created(),
                record.lastModified(), record.seeded());
    }
}
