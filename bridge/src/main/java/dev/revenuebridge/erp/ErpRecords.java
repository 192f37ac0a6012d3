package dev.revenuebridge.erp;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.deal.ClosedWonDeal.DealLine;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Subsidiary;
import dev.revenuebridge.revenue.PerformanceObligation;
import dev.revenuebridge.revenue.RevenueSchedule;
import dev.revenuebridge.revenue.RevenueScheduler;
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
 * The ERP records of a deal, in the NetSuite REST record shape: the customer (external id = Salesforce Account id, its
 * billing address in the address book subrecord) and the sales order (external id = Opportunity id), whose lines carry
 * what Advanced Revenue Management plans revenue from: the item, the amount and the revenue recognition dates (the
 * delivery date of a point-in-time obligation, the service period of a ratable one). The routes upsert them with
 * {@code PUT .../eid:{externalId}}.
 */
@Component("erpRecords")
public class ErpRecords {

    private final MappingCatalog mappings;
    private final RevenueScheduler scheduler;

    public ErpRecords(MappingCatalog mappings, RevenueScheduler scheduler) {
        this.mappings = mappings;
        this.scheduler = scheduler;
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
        customer.put("addressBook", Map.of("items", List.of(addressBookLine(account))));
        customer.put("custentity_sf_account_id", deal.accountId());
        if (stripeCustomerId != null) customer.put("custentity_stripe_customer_id", stripeCustomerId);
        return customer;
    }

    public Map<String, Object> salesOrder(@ExchangeProperty("deal") ClosedWonDeal deal,
                                          @ExchangeProperty("erpCustomerId") String erpCustomerId,
                                          @ExchangeProperty("stripeCustomerId") String stripeCustomerId,
                                          @ExchangeProperty("stripeSubscriptionId") String stripeSubscriptionId,
                                          @ExchangeProperty("erpOrderLines") Map<String, Integer> existingLines) {
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
        Map<String, PerformanceObligation> obligations = new LinkedHashMap<>();
        scheduler.contract(deal).obligations().forEach(o -> obligations.put(o.lineId(), o));
        for (DealLine line : deal.lines()) {
            Map<String, Object> orderLine = orderLine(line, obligations.get(line.lineId()));
            if (existingLines != null && existingLines.containsKey(line.lineId())) {
                orderLine.put("line", existingLines.get(line.lineId())); // the same order line, changed, not a new one
            }
            lines.add(orderLine);
        }
        order.put("item", Map.of("items", lines));
        return order;
    }

    /**
     * One sales order line carries the line's contract value: quantity x rate = amount. For a subscription the
     * quantity counts unit-months (seats x months), so that 1 seat for 10 months at 10,000 is 10 x 10,000 = 100,000.
     */
    private Map<String, Object> orderLine(DealLine line, PerformanceObligation obligation) {
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
        out.put("custcol_sf_line_item_id", line.lineId());
        if (obligation != null) {
            boolean pointInTime = obligation.recognition() == MappingCatalog.Recognition.POINT_IN_TIME;
            out.put("revRecStartDate", (pointInTime ? obligation.deliveryDate() : obligation.serviceStart()).toString());
            out.put("revRecEndDate", (pointInTime ? obligation.deliveryDate() : obligation.serviceEnd()).toString());
        }
        return out;
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

    /**
     * The internal id of a record looked up by external id: the id of a 200 answer, null for NetSuite's 404 (there is
     * none); any other answer fails as camel-http would have failed it, so the error handling retries or keeps it.
     */
    public String foundId(@Header("CamelHttpResponseCode") Integer status, @org.apache.camel.Body String body,
                          @Header("CamelHttpUri") String uri) throws Exception {
        if (status != null && status == 404) {
            return null;
        }
        if (status != null && status == 200) {
            Object id = JSON.readValue(body, Map.class).get("id");
            if (id == null) {
                throw new IllegalStateException("ERP answered " + uri + " without the record's id");
            }
            return String.valueOf(id);
        }
        throw new org.apache.camel.http.base.HttpOperationFailedException(uri, status == null ? 0 : status,
                "ERP look-up failed", null, Map.of(), body);
    }

    /**
     * The internal id of a record a transform made (204 with its Location), or null when NetSuite refused it because a
     * record with its external id exists already (another event made it first: the caller looks that one up). Any
     * other answer fails as camel-http would have failed it.
     */
    public String transformed(@Header("CamelHttpResponseCode") Integer status, @Header("Location") String location,
                              @org.apache.camel.Body String body, @Header("CamelHttpUri") String uri) throws Exception {
        if (status != null && status == 204) {
            return internalId(location);
        }
        if (status != null && status == 400 && body != null && (body.contains("DUP_RCRD")
                || body.matches("(?s).*external ID .* already exists.*"))) {
            return null;
        }
        throw new org.apache.camel.http.base.HttpOperationFailedException(uri, status == null ? 0 : status,
                "ERP transform failed", null, Map.of(), body);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private Subsidiary subsidiary(ClosedWonDeal deal) {
        return mappings.subsidiary(deal.account().country()).orElseThrow();
    }

    private static Map<String, Object> ref(String internalId) {
        return Map.of("id", internalId);
    }

    /**
     * The billing address as a line of the customer's address book, whose address is a subrecord
     * ({@code addressBookAddress}); a street of several lines fills addr1 to addr3.
     */
    private static Map<String, Object> addressBookLine(ClosedWonDeal.BillingAccount a) {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("addressee", a.name());
        if (a.street() != null) {
            String[] street = a.street().split("\\R");
            for (int i = 0; i < Math.min(3, street.length); i++) {
                address.put("addr" + (i + 1), street[i].trim());
            }
        }
        if (a.city() != null) address.put("city", a.city());
        if (a.state() != null) address.put("state", a.state());
        if (a.postalCode() != null) address.put("zip", a.postalCode());
        if (a.country() != null) address.put("country", Map.of("id", a.country()));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("defaultBilling", true);
        line.put("defaultShipping", true);
        line.put("label", "Billing");
        line.put("addressBookAddress", address);
        return line;
    }

    /**
     * The order's lines as the ERP has them, by Salesforce line id: their line numbers, so that an amended order
     * changes its lines instead of replacing them (NetSuite keeps a billed line: it cannot be removed).
     */
    @SuppressWarnings("unchecked")
    public Map<String, Integer> orderLines(@org.apache.camel.Body Map<String, Object> order) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        if (order.get("item") instanceof Map<?, ?> sublist && sublist.get("items") instanceof List<?> items) {
            for (Object item : items) {
                Map<String, Object> line = (Map<String, Object>) item;
                if (line.get("custcol_sf_line_item_id") != null && line.get("line") instanceof Number number) {
                    lines.put(String.valueOf(line.get("custcol_sf_line_item_id")), number.intValue());
                }
            }
        }
        return lines;
    }
}
