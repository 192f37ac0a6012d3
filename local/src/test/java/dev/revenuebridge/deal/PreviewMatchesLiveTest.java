package dev.revenuebridge.deal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.support.BridgeTestSupport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * For random valid deals (a seeded generator: mixes of the catalog's products, quantities, prices, small discounts,
 * terms and start days), the deal-desk preview is exactly what the live route then creates: the same revenue schedule
 * in the trace, the same subscription prices in Stripe, the same sales order amounts in the ERP.
 */
class PreviewMatchesLiveTest extends BridgeTestSupport {

    @ParameterizedTest(name = "random deal {0}")
    @ValueSource(ints = {11, 23, 37, 41})
    @SuppressWarnings("unchecked")
    void thePreviewIsWhatTheRouteCreates(int seed) {
        Map<String, Object> deal = randomDeal(new Random(seed), seed);
        String opportunityId = (String) opportunity(deal).get("Id");
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        Map<String, Object> preview = http.postForEntity("/api/preview", new HttpEntity<>(deal, headers), Map.class).getBody();
        assertThat(preview.get("status")).as("preview of %s: %s", opportunityId, preview.get("findings")).isEqualTo("Valid");

        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunityId, "Synced");

        List<String> previewed = ((List<Map<String, Object>>) preview.get("revenueSchedule")).stream()
                .map(e -> e.get("month") + " " + e.get("lineId") + " " + cents(e.get("amount"))).sorted().toList();
        List<String> live = ((List<Map<String, Object>>) trace(opportunityId).get("revenueSchedule")).stream()
                .map(e -> e.get("month") + " " + e.get("lineId") + " " + cents(e.get("amount"))).sorted().toList();
        assertThat(live).isEqualTo(previewed);

        Map<String, Object> stripe = (Map<String, Object>) preview.get("stripe");
        Map<String, Object> previewedSubscription = (Map<String, Object>) stripe.get("subscription");
        if (previewedSubscription != null) {
            Map<String, Object> subscription = INFRA.stripe().objects("subscriptions").stream()
                    .filter(s -> String.valueOf(s.get("metadata")).contains(opportunityId)).findFirst().orElseThrow();
            List<Map<String, Object>> items = (List<Map<String, Object>>) ((Map<String, Object>) subscription.get("items")).get("data");
            List<Map<String, Object>> previewedItems = (List<Map<String, Object>>) previewedSubscription.get("items");
            assertThat(items.stream().map(i -> ((Number) ((Map<String, Object>) i.get("price")).get("unit_amount")).longValue()).sorted().toList())
                    .isEqualTo(previewedItems.stream().map(i -> ((Number) ((Map<String, Object>) i.get("price_data")).get("unit_amount")).longValue()).sorted().toList());
        }
        Map<String, Object> order = INFRA.erp().byExternalId("salesOrder", opportunityId).orElseThrow();
        Map<String, Object> previewedOrder = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) preview.get("erp")).get("salesOrder")).get("record");
        assertThat(amounts(order)).isEqualTo(amounts(previewedOrder));
    }

    @SuppressWarnings("unchecked")
    private static List<String> amounts(Map<String, Object> order) {
        return ((List<Map<String, Object>>) ((Map<String, Object>) order.get("item")).get("items")).stream()
                .map(l -> cents(l.get("amount"))).sorted().toList();
    }

    private static String cents(Object amount) {
        return new BigDecimal(String.valueOf(amount)).setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** A valid deal: 1..3 lines of the catalog's products, whole-dollar prices at or above the catalog's, discounts of 0, 5 or 10%. */
    static Map<String, Object> randomDeal(Random random, int seed) {
        String suffix = String.format("%04d", seed);
        String opportunityId = "006Dn00Prop" + suffix + "AAA";
        String accountId = "001Dn00Prop" + suffix + "AAA";
        LocalDate start = LocalDate.of(2026, 1 + random.nextInt(12), 1 + random.nextInt(28));
        int term = List.of(3, 6, 10, 12, 18, 24).get(random.nextInt(6));
        List<Map<String, Object>> lines = new ArrayList<>();
        BigDecimal amount = BigDecimal.ZERO;
        List<String> products = new ArrayList<>(List.of("PLAT-SUB", "IMPL-STD", "TRAIN-STD"));
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String code = products.remove(random.nextInt(products.size()));
            boolean recurring = code.equals("PLAT-SUB");
            int quantity = 1 + random.nextInt(4);
            // at or above the catalog price (10,000; implementation 20,000), so no discount beyond the 10% below needs approval
            int catalogPrice = code.equals("IMPL-STD") ? 20_000 : 10_000;
            BigDecimal unitPrice = BigDecimal.valueOf(catalogPrice + random.nextInt(catalogPrice / 2)).setScale(2);
            int discount = List.of(0, 5, 10).get(random.nextInt(3));
            BigDecimal total = unitPrice.multiply(BigDecimal.valueOf((long) quantity * (recurring ? term : 1)))
                    .multiply(BigDecimal.valueOf(100 - discount)).divide(BigDecimal.valueOf(100), 2, RoundingMode.UNNECESSARY);
            amount = amount.add(total);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("Id", "00kDn00Prop" + suffix + "L" + i + "A");
            line.put("Product2", Map.of("ProductCode", code, "Name", code));
            line.put("Quantity", quantity);
            line.put("UnitPrice", unitPrice);
            line.put("Discount", discount == 0 ? null : discount);
            line.put("TotalPrice", total);
            if (recurring) line.put("Subscription_Term__c", term);
            line.put("ServiceDate", (recurring ? start : start.plusDays(random.nextInt(60))).toString());
            lines.add(line);
        }
        Map<String, Object> opportunity = new LinkedHashMap<>();
        opportunity.put("Id", opportunityId);
        opportunity.put("Name", "Property deal " + seed);
        opportunity.put("StageName", "Closed Won");
        opportunity.put("IsWon", true);
        opportunity.put("Type", "New Business");
        opportunity.put("CloseDate", "2025-12-19");
        opportunity.put("Amount", amount);
        opportunity.put("CurrencyIsoCode", "USD");
        opportunity.put("AccountId", accountId);
        opportunity.put("Contract_Start_Date__c", start.toString());
        opportunity.put("Contract_End_Date__c", start.plusMonths(term).minusDays(1).toString());
        opportunity.put("Billing_Cadence__c", "Monthly");
        opportunity.put("Payment_Terms__c", "Net 30");
        opportunity.put("Payment_Method__c", "ACH");
        Map<String, Object> account = new LinkedHashMap<>(Map.of("Id", accountId, "Name", "Property Corp " + seed,
                "BillingCountry", "US", "BillingCity", "Springfield", "Billing_Email__c", "ap" + seed + "@example.com"));
        return new LinkedHashMap<>(Map.of("opportunity", opportunity, "lineItems", lines, "account", account));
    }
}
