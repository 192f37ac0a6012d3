package dev.revenuebridge.sandbox.erp;

import dev.revenuebridge.sandbox.erp.ErpRecord.Choice;
import dev.revenuebridge.sandbox.erp.ErpRecord.Ref;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Advanced Revenue Management as far as the bridge sees it: a revenue arrangement per sales order, a revenue element
 * per order line, one revenue plan of type ACTUAL per element, and the SuiteQL query that reads the planned revenue.
 * <p>
 * Allocation (NetSuite Help "Fair Value Price", section_4544297902: "Fair value price is used to allocate revenue in
 * revenue arrangements"; "Revenue Arrangement", section_4544311111): each element's fair value is the item's fair
 * value price in the order's currency times the line quantity; the order total is allocated in proportion to the
 * fair values, rounded to cents, the rounding residual going to the element with the largest allocation (the
 * usual residual method; the docs do not state NetSuite's rounding). An item without a fair value price in the
 * currency keeps its line amount as its fair value.
 * <p>
 * Plans ("Revenue Recognition Plan", section_4544304176: "Revenue plans are derived from revenue recognition rules.
 * Each revenue element has a forecast plan and one or more plans"): a point-in-time rule ("Recognize on rev rec start
 * date") plans the whole allocation in the month of revRecStartDate; "Straight-line, by month, partial months by
 * days" plans every month from revRecStartDate to revRecEndDate, a whole month getting an equal share and a partial
 * first or last month the share times days served / days in that month, the last month taking the residual so that
 * the plan adds up to the allocation exactly.
 * <p>
 * Sandbox simplifications: accounting periods are calendar months; the arrangement is rebuilt whenever the order is
 * saved (with the fair values of that moment); the query's {@code tl.custcol_sf_line_item_id} (the order line each
 * element comes from, joined through {@code transactionline}) is the order line's {@code custcol_sf_line_item_id}, or
 * its line number where the line has none.
 */
final class ErpArm {

    /** One element's plan: its allocation and the planned revenue per period ("YYYY-MM"). */
    record Plan(int line, String lineId, String itemId, BigDecimal amount, BigDecimal fairValue, BigDecimal allocation,
                String rule, Map<String, BigDecimal> periods) {

        Map<String, Object> plain() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("line", line);
            out.put("lineId", lineId);
            out.put("item", itemId);
            out.put("amount", amount);
            out.put("fairValue", fairValue);
            out.put("allocation", allocation);
            out.put("rule", rule);
            out.put("periods", new LinkedHashMap<>(periods));
            return out;
        }
    }

    /** The one query the sandbox answers, canonicalised; {@value #ID} stands for the sales order id. */
    static final String QUERY = "SELECT tl.custcol_sf_line_item_id AS lineid, re.item AS item, "
            + "TO_CHAR(ap.startdate, 'YYYY-MM') AS period, SUM(rppr.amount) AS amount "
            + "FROM revenueelement re "
            + "JOIN revenueplan rp ON rp.createdfrom = re.id "
            + "JOIN revenueplanplannedrevenue rppr ON rppr.revenueplan = rp.id "
            + "JOIN accountingperiod ap ON ap.id = rppr.plannedperiod "
            + "JOIN transactionline tl ON tl.transaction = re.sourcetransaction AND tl.id = re.sourcetransactionline "
            + "WHERE re.sourcetransaction = " + ErpArm.ID + " AND rp.revenueplantype = 'ACTUAL' "
            + "GROUP BY tl.custcol_sf_line_item_id, re.item, TO_CHAR(ap.startdate, 'YYYY-MM') "
            + "ORDER BY period, lineid";
    static final String ID = "{id}";

    private static final MathContext MC = MathContext.DECIMAL128;

    private final Map<String, List<Plan>> arrangements = new ConcurrentHashMap<>();
    private volatile boolean enabled = true;

    boolean enabled() { return enabled; }

    void enabled(boolean on) { this.enabled = on; }

    void reset() {
        arrangements.clear();
        enabled = true;
    }

    void remove(String orderId) {
        arrangements.remove(orderId);
    }

    List<Plan> plans(String orderId) {
        return arrangements.getOrDefault(orderId, List.of());
    }

    /** (Re)builds the revenue arrangement of a saved sales order; with ARM off, builds none. */
    void rebuild(ErpRecord order, ErpRecordStore store) {
        if (!enabled) {
            arrangements.remove(order.id());
            return;
        }
        String currency = store.resolve(order.ref("currency")).map(c -> c.text("symbol")).orElse("USD");
        List<Map<String, Object>> lines = order.lines(ErpSchema.ITEM_SUBLIST);
        BigDecimal total = ErpLedger.ZERO;
        BigDecimal fairTotal = BigDecimal.ZERO;
        List<BigDecimal> fairValues = new ArrayList<>();
        List<ErpRecord> items = new ArrayList<>();
        for (Map<String, Object> line : lines) {
            ErpRecord item = store.resolve((Ref) line.get("item")).orElseThrow();
            items.add(item);
            BigDecimal amount = ErpLedger.money(line.get("amount"));
            total = total.add(amount);
            BigDecimal price = item.get("fairValuePrice") instanceof Map<?, ?> prices
                    && prices.get(currency) instanceof BigDecimal p ? p : null;
            BigDecimal fair = price == null ? amount : price.multiply((BigDecimal) line.get("quantity"));
            fairValues.add(fair);
            fairTotal = fairTotal.add(fair);
        }
        List<BigDecimal> allocations = new ArrayList<>();
        BigDecimal allocated = ErpLedger.ZERO;
        for (int i = 0; i < lines.size(); i++) {
            BigDecimal allocation = fairTotal.signum() == 0 ? ErpLedger.money(lines.get(i).get("amount"))
                    : total.multiply(fairValues.get(i)).divide(fairTotal, 2, RoundingMode.HALF_UP);
            allocations.add(allocation);
            allocated = allocated.add(allocation);
        }
        BigDecimal residual = total.subtract(allocated);
        if (residual.signum() != 0 && !allocations.isEmpty()) {
            int largest = 0;
            for (int i = 1; i < allocations.size(); i++) {
                if (allocations.get(i).compareTo(allocations.get(largest)) > 0) largest = i;
            }
            allocations.set(largest, allocations.get(largest).add(residual));
        }
        List<Plan> plans = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> line = lines.get(i);
            Choice rule = (Choice) items.get(i).get("revenueRecognitionRule");
            LocalDate start = LocalDate.parse((String) line.get("revRecStartDate"));
            LocalDate end = LocalDate.parse((String) line.get("revRecEndDate"));
            boolean straightLine = rule != null && ErpRecordStore.RULE_STRAIGHT_LINE.id().equals(rule.id());
            Map<String, BigDecimal> periods = straightLine ? straightLine(allocations.get(i), start, end)
                    : Map.of(YearMonth.from(start).toString(), allocations.get(i));
            int number = (Integer) line.get("line");
            String lineId = line.get("custcol_sf_line_item_id") instanceof String s ? s : String.valueOf(number);
            plans.add(new Plan(number, lineId, items.get(i).id(), ErpLedger.money(line.get("amount")),
                    fairValues.get(i), allocations.get(i), rule == null ? null : rule.name(), periods));
        }
        arrangements.put(order.id(), List.copyOf(plans));
    }

    /** Straight-line by month, partial months by days; the last month takes the residual. */
    static Map<String, BigDecimal> straightLine(BigDecimal allocation, LocalDate start, LocalDate end) {
        List<YearMonth> months = new ArrayList<>();
        List<BigDecimal> fractions = new ArrayList<>();
        BigDecimal sum = BigDecimal.ZERO;
        for (YearMonth m = YearMonth.from(start); !m.isAfter(YearMonth.from(end)); m = m.plusMonths(1)) {
            LocalDate from = start.isAfter(m.atDay(1)) ? start : m.atDay(1);
            LocalDate to = end.isBefore(m.atEndOfMonth()) ? end : m.atEndOfMonth();
            long served = ChronoUnit.DAYS.between(from, to) + 1;
            BigDecimal fraction = served == m.lengthOfMonth() ? BigDecimal.ONE
                    : BigDecimal.valueOf(served).divide(BigDecimal.valueOf(m.lengthOfMonth()), MC);
            months.add(m);
            fractions.add(fraction);
            sum = sum.add(fraction);
        }
        Map<String, BigDecimal> periods = new LinkedHashMap<>();
        BigDecimal planned = ErpLedger.ZERO;
        for (int i = 0; i < months.size(); i++) {
            BigDecimal amount = i == months.size() - 1 ? allocation.subtract(planned)
                    : allocation.multiply(fractions.get(i)).divide(sum, MC).setScale(2, RoundingMode.HALF_UP);
            periods.put(months.get(i).toString(), amount);
            planned = planned.add(amount);
        }
        return periods;
    }

    /** The rows of the query for one order, grouped by line, item and period, ordered by period then lineid. */
    List<Map<String, Object>> rows(String orderId) {
        if (!enabled) return List.of();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Plan plan : plans(orderId)) {
            plan.periods().forEach((period, amount) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("links", List.of());
                row.put("lineid", plan.lineId());
                row.put("item", plan.itemId());
                row.put("period", period);
                row.put("amount", amount.setScale(2, RoundingMode.HALF_UP).toPlainString());
                rows.add(row);
            });
        }
        // rows of the same line, item and period are summed (GROUP BY)
        Map<String, Map<String, Object>> grouped = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            String key = row.get("lineid") + "|" + row.get("item") + "|" + row.get("period");
            grouped.merge(key, row, (a, b) -> {
                a.put("amount", new BigDecimal((String) a.get("amount")).add(new BigDecimal((String) b.get("amount")))
                        .toPlainString());
                return a;
            });
        }
        List<Map<String, Object>> out = new ArrayList<>(grouped.values());
        out.sort(Comparator.<Map<String, Object>, String>comparing(r -> (String) r.get("period"))
                .thenComparing(r -> (String) r.get("lineid")));
        return out;
    }

    /** The whitespace- and case-insensitive form of a query. */
    static String canonical(String q) {
        String s = q.trim().replaceAll(";\\s*$", "").toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
        return s.replaceAll("\\s*([(),=])\\s*", "$1");
    }

    /**
     * The sales order id of the one query the sandbox understands, or a NetSuite 400 INVALID_PARAMETER naming where
     * the query departs from it.
     */
    static String orderIdOf(String q) {
        String template = canonical(QUERY);
        int at = template.indexOf(ID);
        String prefix = template.substring(0, at);
        String suffix = template.substring(at + ID.length());
        String query = canonical(q);
        if (!query.startsWith(prefix)) {
            throw invalid(q, "it does not understand '" + snippet(query, mismatch(query, prefix)) + "'");
        }
        Matcher m = Pattern.compile("^'?(\\d{1,18})'?").matcher(query.substring(prefix.length()));
        if (!m.find()) {
            throw invalid(q, "re.sourcetransaction must be compared with a sales order's internal id, not '"
                    + snippet(query, prefix.length()) + "'");
        }
        String rest = query.substring(prefix.length() + m.end());
        if (!rest.equals(suffix)) {
            int from = prefix.length() + m.end();
            throw invalid(q, "it does not understand '" + snippet(query, from + mismatch(rest, suffix)) + "'");
        }
        return m.group(1);
    }

    private static int mismatch(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) return i;
        }
        return n;
    }

    private static String snippet(String s, int from) {
        int start = Math.max(0, Math.min(from, s.length()));
        String tail = s.substring(start);
        return tail.isEmpty() ? "(end of query)" : tail.length() > 40 ? tail.substring(0, 40) + "..." : tail;
    }

    private static NetSuiteErrors.Failure invalid(String q, String why) {
        return NetSuiteErrors.badRequest(NetSuiteErrors.INVALID_PARAMETER, "Invalid search query. The sandbox "
                + "answers only the revenue plan query of one sales order (FROM revenueelement JOIN revenueplan JOIN "
                + "revenueplanplannedrevenue JOIN accountingperiod); " + why + ".", "q");
    }
}
