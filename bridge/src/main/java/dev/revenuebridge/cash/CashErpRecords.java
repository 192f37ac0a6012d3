package dev.revenuebridge.cash;

import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.trace.DealTrace;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * The ERP records of cash, as NetSuite books them: the invoice made by transform of the deal's sales order (the order
 * lines a Stripe invoice bills, at Stripe's amounts) and the customer payment of an invoice payment, applied to the ERP
 * invoice and left in Undeposited Funds. Built from the Stripe objects, the deal's ERP links and the mapping files.
 */
@Component("cashErpRecords")
public class CashErpRecords {

    private final DealTrace trace;
    private final MappingCatalog mappings;

    public CashErpRecords(DealTrace trace, MappingCatalog mappings) {
        this.trace = trace;
        this.mappings = mappings;
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
        String currency = StripeCash.currency(invoice);
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
            item.put("amount", StripeCash.money(sum[0], currency));
            item.put("description", descriptions.get(orderLine));
            items.add(item);
        });
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", invoice.get("id"));
        record.put("otherRefNum", invoice.get("number"));
        record.put("tranDate", StripeCash.date(((Map<String, Object>) invoice.getOrDefault("status_transitions", Map.of()))
                .get("finalized_at"), invoice.get("created")).toString());
        if (invoice.get("due_date") != null) {
            record.put("dueDate", StripeCash.date(invoice.get("due_date"), null).toString());
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

    /** The NetSuite customer payment of one invoice payment, applied to the ERP invoice. */
    public Map<String, Object> erpPayment(@org.apache.camel.Body StripeCash.InvoicePayment payment,
                                          @ExchangeProperty("invoice") Map<String, Object> invoice,
                                          @Header("opportunityId") String opportunityId,
                                          @ExchangeProperty("erpInvoiceId") String erpInvoiceId) {
        BigDecimal paid = StripeCash.money(payment.amountPaid(), payment.currency());
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

    private String linked(String opportunityId, String kind) {
        return trace.linked(opportunityId, "erp", kind).orElseThrow(() -> new StripeCash.DealNotSyncedYetException(
                "Opportunity " + opportunityId + " has no ERP " + kind + " yet: its deal is still being synced"));
    }

    private static Map<String, Object> ref(String id) {
        return Map.of("id", id);
    }
}
