package dev.revenuebridge.erp;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Subsidiary;
import dev.revenuebridge.revenue.RevenueSchedule;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * The ERP records of a deal, in the NetSuite REST record shape: the customer (external id = Salesforce Account id) and
 * the sales order (external id = Opportunity id). The routes upsert them with {@code PUT .../eid:{externalId}}.
 */
@Component("erpRecords")
public class ErpRecords {

    private final MappingCatalog mappings;

    public ErpRecords(MappingCatalog mappings) {
        this.mappings = mappings;
    }

    public Map<String, Object> customer(@ExchangeProperty("deal") ClosedWonDeal deal,
                                        @ExchangeProperty("stripeCustomerId") String stripeCustomerId) {
        Subsidiary subsidiary = subsidiary(deal);
        ClosedWonDeal.BillingAccount account = deal.account();
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("companyName", account.name());
        customer.put("isPerson", false);
        customer.put("subsidiary", ref(subsidiary.erpSubsidiary()));
        customer.put("currency", ref(subsidiary.erpCurrency()));
        customer.put("terms", ref(mappings.paymentTerm(deal.paymentTerms()).orElseThrow().erpTerm()));
        if (account.billingEmail() != null) customer.put("email", account.billingEmail());
        if (account.taxId() != null) customer.put("vatRegNumber", account.taxId());
        customer.put("defaultAddress", address(account));
        customer.put("custentity_sf_account_id", deal.accountId());
        if (stripeCustomerId != null) customer.put("custentity_stripe_customer_id", stripeCustomerId);
        return customer;
    }

    public Map<String, Object> salesOrder(@ExchangeProperty("deal") ClosedWonDeal deal,
                                          @ExchangeProperty("erpCustomerId") String erpCustomerId,
                                          @ExchangeProperty("stripeCustomerId") String stripeCustomerId,
                                          @ExchangeProperty("stripeSubscriptionId") String stripeSubscriptionId) {
        Subsidiary subsidiary = subsidiary(deal);
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("entity", ref(erpCustomerId));
        order.put("subsidiary", ref(subsidiary.erpSubsidiary()));
        order.put("currency", ref(subsidiary.erpCurrency()));
        order.put("terms", ref(mappings.paymentTerm(deal.paymentTerms()).orElseThrow().erpTerm()));
        if (deal.closeDate() != null) order.put("tranDate", deal.closeDate().toString());
        if (deal.contractStart() != null) order.put("startDate", deal.contractStart().toString());
        if (deal.contractEnd() != null) order.put("endDate", deal.contractEnd().toString());
        order.put("memo", deal.name());
        order.put("otherRefNum", deal.opportunityId());
        order.put("custbody_sf_opportunity_id", deal.opportunityId());
        if (stripeCustomerId != null) order.put("custbody_stripe_customer_id", stripeCustomerId);
        if (stripeSubscriptionId != null) order.put("custbody_stripe_subscription_id", stripeSubscriptionId);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (DealLine line : deal.lines()) {
            lines.add(orderLine(line));
        }
        order.put("item", Map.of("items", lines));
        return order;
    }

    /**
     * One sales order line carries the line's contract value: quantity x rate = amount. For a subscription the
     * quantity counts unit-months (seats x months), so that 1 seat for 10 months at 10,000 is 10 x 10,000 = 100,000.
     */
    private Map<String, Object> orderLine(DealLine line) {
        var product = mappings.product(line.productCode()).orElseThrow();
        BigDecimal quantity = line.quantity();
        if (product.billing() == MappingCatalog.Billing.RECURRING) {
            quantity = quantity.multiply(BigDecimal.valueOf(line.termMonths()));
        }
        BigDecimal amount = line.totalPrice().setScale(2, RoundingMode.UNNECESSARY);
        BigDecimal rate = amount.divide(quantity, 6, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (rate.scale() < 2) {
            rate = rate.setScale(2, RoundingMode.UNNECESSARY); // 10000.00, never 1E+4
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("item", ref(product.erpItem()));
        out.put("quantity", quantity);
        out.put("rate", rate);
        out.put("amount", amount);
        out.put("description", line.description() != null ? line.description() : product.name());
        return out;
    }

    /**
     * The deal's ASC 606 revenue schedule as an ERP record (external id = Opportunity id): one line per performance
     * obligation and month, adding up to the transaction price.
     */
    public Map<String, Object> revenueSchedule(@ExchangeProperty("deal") ClosedWonDeal deal,
                                               @ExchangeProperty("revenueSchedule") RevenueSchedule schedule,
                                               @ExchangeProperty("erpCustomerId") String erpCustomerId,
                                               @ExchangeProperty("erpSalesOrderId") String erpSalesOrderId) {
        Subsidiary subsidiary = subsidiary(deal);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (RevenueSchedule.Entry entry : schedule.entries()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("postingPeriod", entry.month().toString());
            line.put("item", ref(mappings.product(entry.productCode()).orElseThrow().erpItem()));
            line.put("amount", entry.amount());
            line.put("custcol_sf_line_item_id", entry.lineId());
            lines.add(line);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("entity", ref(erpCustomerId));
        record.put("subsidiary", ref(subsidiary.erpSubsidiary()));
        record.put("currency", ref(subsidiary.erpCurrency()));
        record.put("createdFrom", ref(erpSalesOrderId));
        record.put("totalAmount", schedule.total());
        record.put("custbody_sf_opportunity_id", deal.opportunityId());
        record.put("recognitionLines", Map.of("items", lines));
        return record;
    }

    /** The schedule as the trace keeps it. */
    public List<dev.revenuebridge.trace.DealTrace.ScheduleLine> scheduleLines(
            @ExchangeProperty("revenueSchedule") RevenueSchedule schedule) {
        return schedule.entries().stream().map(e -> new dev.revenuebridge.trace.DealTrace.ScheduleLine(
                e.month().toString(), e.lineId(), e.productCode(), e.amount(), schedule.currency())).toList();
    }

    /** The internal id at the end of a NetSuite Location header: {@code .../record/v1/customer/1234} -> 1234. */
    public String internalId(@Header("Location") String location) {
        if (location == null || location.isBlank() || location.endsWith("/")) {
            throw new IllegalStateException("ERP answered without a Location header naming the record");
        }
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private Subsidiary subsidiary(ClosedWonDeal deal) {
        return mappings.subsidiary(deal.account().country()).orElseThrow();
    }

    private static Map<String, Object> ref(String internalId) {
        return Map.of("id", internalId);
    }

    private static String address(ClosedWonDeal.BillingAccount a) {
        List<String> parts = new ArrayList<>();
        for (String part : new String[] {a.street(), a.city(), a.state(), a.postalCode(), a.country()}) {
            if (part != null) parts.add(part);
        }
        return String.join(", ", parts);
    }
}
