package dev.revenuebridge.erp;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.mapping.MappingCatalog.Subsidiary;
import dev.revenuebridge.mapping.MappingException;
import dev.revenuebridge.revenue.RevenueSchedule;
import dev.revenuebridge.trace.DealTrace;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Revenue for an ERP account without Advanced Revenue Management ({@code revenue.erp.revenue-recognition:
 * journal-entries}): the deal's ASC 606 schedule posted as one revenue journal entry per deal and month, dated the
 * month's last day, moving each obligation's month from its product's deferred revenue account to its revenue account
 * (mappings/products.yaml {@code erp.deferredRevenueAccount}, {@code erp.revenueAccount}). The external id is
 * {@code rev-<Opportunity id>-<yyyy-MM>}: a month is posted once, and an amendment re-posts each month as it now is.
 */
@Component("revenueJournal")
public class RevenueJournal {

    private final MappingCatalog mappings;
    private final DealTrace trace;

    public RevenueJournal(MappingCatalog mappings, DealTrace trace) {
        this.mappings = mappings;
        this.trace = trace;
    }

    /** The journal entries of the schedule, one per month, in month order. */
    public List<Map<String, Object>> entries(@ExchangeProperty("deal") ClosedWonDeal deal,
                                             @ExchangeProperty("revenueSchedule") RevenueSchedule schedule,
                                             @ExchangeProperty("erpCustomerId") String erpCustomerId) {
        Subsidiary subsidiary = mappings.subsidiary(deal.account().country()).orElseThrow();
        SortedMap<String, List<RevenueSchedule.Entry>> byMonth = new TreeMap<>();
        schedule.entries().forEach(e -> byMonth.computeIfAbsent(e.month().toString(), m -> new ArrayList<>()).add(e));
        List<Map<String, Object>> entries = new ArrayList<>();
        byMonth.forEach((month, monthEntries) -> {
            List<Map<String, Object>> lines = new ArrayList<>();
            for (RevenueSchedule.Entry e : monthEntries) {
                if (e.amount().signum() == 0) {
                    continue;
                }
                MappingCatalog.ErpAccounts accounts = mappings.product(e.productCode()).orElseThrow().erpAccounts();
                if (accounts.revenue() == null || accounts.deferredRevenue() == null) {
                    throw new MappingException("products.yaml", e.productCode() + ".erp",
                            "needs revenueAccount and deferredRevenueAccount to post revenue as journal entries");
                }
                String memo = e.productCode() + " (line " + e.lineId() + ") " + month;
                lines.add(line(accounts.deferredRevenue(), "debit", e.amount(), "Deferred revenue released: " + memo, erpCustomerId));
                lines.add(line(accounts.revenue(), "credit", e.amount(), "Revenue recognized: " + memo, erpCustomerId));
            }
            if (lines.isEmpty()) {
                return;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("externalId", "rev-" + deal.opportunityId() + "-" + month);
            entry.put("subsidiary", Map.of("id", subsidiary.erpSubsidiary()));
            entry.put("currency", Map.of("id", subsidiary.erpCurrency()));
            entry.put("tranDate", java.time.YearMonth.parse(month).atEndOfMonth().toString());
            entry.put("memo", "ASC 606 revenue " + month + " of " + deal.opportunityId() + " (" + deal.name() + ")");
            entry.put("line", Map.of("items", lines));
            entries.add(entry);
        });
        return entries;
    }

    /** The schedule is posted: the trace says so (there is nothing to tie out against). */
    public void posted(@Header("opportunityId") String opportunityId,
                       @ExchangeProperty("erpSalesOrderId") String salesOrderId,
                       @ExchangeProperty("revenueSchedule") RevenueSchedule schedule) {
        trace.revenueTieOut(opportunityId, salesOrderId, "PostedAsJournalEntries",
                List.of(schedule.byMonth().size() + " monthly revenue journal entries, " + schedule.total().toPlainString()
                        + " " + schedule.currency() + " in all"));
    }

    private static Map<String, Object> line(String account, String side, BigDecimal amount, String memo, String customer) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("account", Map.of("id", account));
        line.put(side, amount);
        line.put("memo", memo);
        if (customer != null) {
            line.put("entity", Map.of("id", customer));
        }
        return line;
    }
}
