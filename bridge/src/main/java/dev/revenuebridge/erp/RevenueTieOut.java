package dev.revenuebridge.erp;

import dev.revenuebridge.revenue.RevenueSchedule;
import dev.revenuebridge.trace.DealExceptions;
import dev.revenuebridge.trace.DealTrace;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Revenue from the ERP, tied out: with Advanced Revenue Management NetSuite makes the revenue arrangement and plans
 * from the sales order (its lines' items, amounts and rev rec dates; the items' revenue rules and fair values), and the
 * bridge reads back what ARM planned for the order (SuiteQL over REST: {@code POST /services/rest/query/v1/suiteql})
 * and compares it, month by month and obligation by obligation, with its own ASC 606 schedule. Equal: the trace says
 * the revenue tied out. Different: an exception names every difference (a fair value or revenue rule in NetSuite that
 * is not the one in the bridge's mappings, a line ARM did not plan). No plans at all: ARM has not planned the order
 * yet, which the trace says.
 */
@Component("revenueTieOut")
public class RevenueTieOut {

    public static final String EXCEPTION_KIND = "revenue-tie-out";
    /** SuiteQL answers at most 1,000 rows a page: one deal's plan lines (obligations x months) fit in one. */
    public static final int PAGE = 1000;

    private final DealTrace trace;
    private final DealExceptions exceptions;
    private final BigDecimal tolerance;

    public RevenueTieOut(DealTrace trace, DealExceptions exceptions,
                         @Value("${revenue.erp.revenue-tie-out-tolerance:0.01}") BigDecimal tolerance) {
        this.trace = trace;
        this.exceptions = exceptions;
        this.tolerance = tolerance.abs();
    }

    /**
     * The SuiteQL request body: ARM's planned revenue of the sales order, per order line (by the Salesforce line id the
     * line carries) and month. Table and column names as the SuiteQL records catalog has them (revenueelement,
     * revenueplan, revenueplanplannedrevenue, accountingperiod, transactionline); checked against the sandbox only.
     */
    public Map<String, Object> query(@ExchangeProperty("erpSalesOrderId") String salesOrderId) {
        if (salesOrderId == null || !salesOrderId.matches("\\d+")) {
            throw new IllegalStateException("no ERP sales order internal id to tie revenue out against: " + salesOrderId);
        }
        return Map.of("q", "SELECT tl.custcol_sf_line_item_id AS lineid, re.item AS item, "
                + "TO_CHAR(ap.startdate, 'YYYY-MM') AS period, SUM(rppr.amount) AS amount "
                + "FROM revenueelement re "
                + "JOIN revenueplan rp ON rp.createdfrom = re.id "
                + "JOIN revenueplanplannedrevenue rppr ON rppr.revenueplan = rp.id "
                + "JOIN accountingperiod ap ON ap.id = rppr.plannedperiod "
                + "JOIN transactionline tl ON tl.transaction = re.sourcetransaction AND tl.id = re.sourcetransactionline "
                + "WHERE re.sourcetransaction = " + salesOrderId + " AND rp.revenueplantype = 'ACTUAL' "
                + "GROUP BY tl.custcol_sf_line_item_id, re.item, TO_CHAR(ap.startdate, 'YYYY-MM') "
                + "ORDER BY period, lineid");
    }

    /** Compares ARM's plans (the SuiteQL answer in the body) with the bridge's schedule; the outcome goes to the trace. */
    @SuppressWarnings("unchecked")
    public String compare(@Body Map<String, Object> answer, @Header("opportunityId") String opportunityId,
                          @ExchangeProperty("erpSalesOrderId") String salesOrderId,
                          @ExchangeProperty("revenueSchedule") RevenueSchedule schedule) {
        List<Map<String, Object>> rows = answer.get("items") instanceof List<?> items
                ? (List<Map<String, Object>>) items : List.of();
        if (rows.isEmpty()) {
            trace.revenueTieOut(opportunityId, salesOrderId, "NotPlannedYet", List.of("ARM has made no revenue plans "
                    + "for sales order " + salesOrderId + " yet"));
            return "NotPlannedYet";
        }
        List<String> differences = differences(schedule, rows);
        if (Boolean.TRUE.equals(answer.get("hasMore"))) {
            differences.add("ARM planned more than " + PAGE + " lines for sales order " + salesOrderId
                    + ": only the first " + PAGE + " were compared");
        }
        if (differences.isEmpty()) {
            trace.revenueTieOut(opportunityId, salesOrderId, "TiedOut", List.of());
            exceptions.resolve(opportunityId, EXCEPTION_KIND);
            return "TiedOut";
        }
        List<String> reasons = new ArrayList<>();
        reasons.add("ERP revenue of sales order " + salesOrderId + " does not tie out with the bridge's ASC 606 "
                + "schedule (" + differences.size() + " difference" + (differences.size() == 1 ? "" : "s") + ")");
        reasons.addAll(differences);
        trace.revenueTieOut(opportunityId, salesOrderId, "Differences", differences);
        exceptions.open(opportunityId, EXCEPTION_KIND, reasons);
        return "Differences";
    }

    /** Every obligation and month where the two differ by more than the tolerance, and every obligation total. */
    List<String> differences(RevenueSchedule schedule, List<Map<String, Object>> rows) {
        Map<String, Map<String, BigDecimal>> ours = new LinkedHashMap<>();
        Map<String, String> products = new LinkedHashMap<>();
        for (RevenueSchedule.Entry e : schedule.entries()) {
            ours.computeIfAbsent(e.lineId(), l -> new LinkedHashMap<>()).merge(e.month().toString(), e.amount(), BigDecimal::add);
            products.put(e.lineId(), e.productCode());
        }
        Map<String, Map<String, BigDecimal>> arm = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            arm.computeIfAbsent(String.valueOf(row.get("lineid")), l -> new LinkedHashMap<>())
                    .merge(String.valueOf(row.get("period")), new BigDecimal(String.valueOf(row.get("amount"))), BigDecimal::add);
        }
        List<String> differences = new ArrayList<>();
        Set<String> lines = new LinkedHashSet<>(ours.keySet());
        lines.addAll(arm.keySet());
        for (String line : lines) {
            String label = "line " + line + (products.containsKey(line) ? " (" + products.get(line) + ")" : "");
            Map<String, BigDecimal> expected = ours.getOrDefault(line, Map.of());
            Map<String, BigDecimal> planned = arm.get(line);
            if (planned == null) {
                differences.add(label + ": ARM has no revenue plan for it; the bridge recognizes " + sum(expected));
                continue;
            }
            if (expected.isEmpty()) {
                differences.add(label + ": ARM plans " + sum(planned) + " for a line the deal's schedule does not have");
                continue;
            }
            Set<String> months = new TreeSet<>(expected.keySet());
            months.addAll(planned.keySet());
            for (String month : months) {
                BigDecimal a = expected.getOrDefault(month, BigDecimal.ZERO);
                BigDecimal b = planned.getOrDefault(month, BigDecimal.ZERO);
                if (a.subtract(b).abs().compareTo(tolerance) > 0) {
                    differences.add(label + " " + month + ": the bridge recognizes " + a.toPlainString()
                            + ", ARM plans " + b.toPlainString() + " (difference " + a.subtract(b).toPlainString() + ")");
                }
            }
            if (sum(expected).subtract(sum(planned)).abs().compareTo(tolerance) > 0) {
                differences.add(label + " in all: the bridge recognizes " + sum(expected).toPlainString()
                        + ", ARM plans " + sum(planned).toPlainString());
            }
        }
        return differences;
    }

    private static BigDecimal sum(Map<String, BigDecimal> amounts) {
        return amounts.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
