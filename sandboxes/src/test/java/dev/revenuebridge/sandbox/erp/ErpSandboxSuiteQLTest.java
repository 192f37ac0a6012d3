package dev.revenuebridge.sandbox.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Advanced Revenue Management and the SuiteQL query that reads a sales order's planned revenue. */
class ErpSandboxSuiteQLTest extends ErpSandboxTestBase {

    private static final String QUERY = """
            SELECT tl.custcol_sf_line_item_id AS lineid, re.item AS item, TO_CHAR(ap.startdate, 'YYYY-MM') AS period, SUM(rppr.amount) AS amount
            FROM revenueelement re
            JOIN revenueplan rp ON rp.createdfrom = re.id
            JOIN revenueplanplannedrevenue rppr ON rppr.revenueplan = rp.id
            JOIN accountingperiod ap ON ap.id = rppr.plannedperiod
            JOIN transactionline tl ON tl.transaction = re.sourcetransaction AND tl.id = re.sourcetransactionline
            WHERE re.sourcetransaction = %s AND rp.revenueplantype = 'ACTUAL'
            GROUP BY tl.custcol_sf_line_item_id, re.item, TO_CHAR(ap.startdate, 'YYYY-MM')
            ORDER BY period, lineid
            """;


    @Test
    void answersTheWorkedExamplesPlannedRevenueByLineAndMonth() throws Exception {
        String order = workedExample();

        JsonNode result = client.json.readTree(query(QUERY.formatted(order), "").body());

        assertThat(result.path("count").asInt()).isEqualTo(11);
        assertThat(result.path("totalResults").asInt()).isEqualTo(11);
        assertThat(result.path("hasMore").asBoolean()).isFalse();
        assertThat(result.path("offset").asInt()).isZero();
        assertThat(result.path("links").isArray()).isTrue();
        List<String> rows = new ArrayList<>();
        for (JsonNode row : result.path("items")) {
            assertThat(row.path("amount").isTextual()).isTrue();
            assertThat(row.path("links").isArray()).isTrue();
            rows.add(row.path("period").asText() + " " + row.path("lineid").asText() + " " + row.path("item").asText()
                    + " " + row.path("amount").asText());
        }
        List<String> expected = new ArrayList<>(List.of("2026-01 sf-plat 502 10000.00", "2026-02 sf-impl 501 20000.00",
                "2026-02 sf-plat 502 10000.00"));
        for (int month = 3; month <= 10; month++) {
            expected.add("2026-%02d sf-plat 502 10000.00".formatted(month));
        }
        assertThat(rows).containsExactlyElementsOf(expected);

        List<Map<String, Object>> plans = erp.revenuePlans(order);
        assertThat(plans).extracting(p -> ((BigDecimal) p.get("allocation")).toPlainString())
                .containsExactly("20000.00", "100000.00");
    }

    @Test
    void pagesWithLimitAndOffsetAndIgnoresCaseAndWhitespace() throws Exception {
        String order = workedExample();
        String shouting = QUERY.formatted(order).toUpperCase().replace("\n", "\n   ").replace(", ", " ,  ");

        JsonNode first = client.json.readTree(query(shouting, "?limit=5&offset=0").body());
        assertThat(first.path("count").asInt()).isEqualTo(5);
        assertThat(first.path("hasMore").asBoolean()).isTrue();
        assertThat(first.path("totalResults").asInt()).isEqualTo(11);
        JsonNode last = client.json.readTree(query(QUERY.formatted(order), "?limit=5&offset=10").body());
        assertThat(last.path("count").asInt()).isEqualTo(1);
        assertThat(last.path("hasMore").asBoolean()).isFalse();
        assertThat(last.path("items").get(0).path("period").asText()).isEqualTo("2026-10");
        assertThat(query(QUERY.formatted(order), "?limit=1001").statusCode()).isEqualTo(400);
    }

    @Test
    void needsPreferTransientABearerTokenAndTheOneQueryItKnows() throws Exception {
        String order = workedExample();
        HttpResponse<String> noPrefer = client.raw("POST", ErpSandbox.SUITEQL_PATH, body(QUERY.formatted(order)), Map.of());
        JsonNode detail = client.error(noPrefer, 400);
        assertThat(detail.path("o:errorHeader").asText()).isEqualTo("Prefer");
        assertThat(detail.path("detail").asText()).contains("Prefer: transient");

        client.token = "made-up";
        assertThat(client.error(query(QUERY.formatted(order), ""), 401).path("o:errorCode").asText())
                .isEqualTo("INVALID_LOGIN");
        client.login();

        JsonNode other = client.error(query("SELECT id FROM transaction", ""), 400);
        assertThat(other.path("o:errorCode").asText()).isEqualTo("INVALID_PARAMETER");
        assertThat(other.path("detail").asText()).contains("Invalid search query").contains("id from transaction");
        JsonNode changed = client.error(query(QUERY.formatted(order).replace("'ACTUAL'", "'FORECAST'"), ""), 400);
        assertThat(changed.path("detail").asText()).contains("forecast");
        JsonNode noId = client.error(query(QUERY.formatted("'SO1001'"), ""), 400);
        assertThat(noId.path("detail").asText()).contains("internal id");
        assertThat(client.error(client.raw("POST", ErpSandbox.SUITEQL_PATH, "{\"query\":\"x\"}",
                Map.of("Prefer", "transient")), 400).path("o:errorCode").asText()).isEqualTo("INVALID_CONTENT");

        JsonNode none = client.json.readTree(query(QUERY.formatted("4242"), "").body());
        assertThat(none.path("count").asInt()).isZero();
        assertThat(none.path("items")).isEmpty();
    }

    @Test
    void aChangedFairValueGivesAnotherAllocation() throws Exception {
        erp.fairValue("501", "USD", new BigDecimal("30000.00"));
        String order = workedExample();

        Map<String, String> amounts = amounts(order);
        // 120000.00 allocated 30000 : 100000 -> 27692.31 and 92307.69; the straight line ends on the residual
        assertThat(amounts).containsEntry("2026-02 sf-impl", "27692.31")
                .containsEntry("2026-01 sf-plat", "9230.77")
                .containsEntry("2026-09 sf-plat", "9230.77")
                .containsEntry("2026-10 sf-plat", "9230.76");
        BigDecimal plat = amounts.entrySet().stream().filter(e -> e.getKey().endsWith("sf-plat"))
                .map(e -> new BigDecimal(e.getValue())).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(plat).isEqualByComparingTo("92307.69");

        // EUR prices of the other items are unchanged: an EUR order allocates as the seeded prices say
        erp.fairValue("502", "GBP", new BigDecimal("1.00"));
        assertThat(erp.revenuePlans(order)).extracting(p -> ((BigDecimal) p.get("allocation")).toPlainString())
                .containsExactly("27692.31", "92307.69"); // built when the order was saved
    }

    @Test
    void reallocatesWhenTheOrderIsSavedAgainAndProratesPartialMonthsByDays() throws Exception {
        String order = workedExample();
        client.ok("PUT", "/salesOrder/eid:OPP-1?replace=item", order(
                line(1, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "sf-impl"),
                line(2, "PLAT-SUB", "2", "20000.00", "2026-01-15", "2026-03-14", "sf-plat")));

        // 40000.00 allocated 20000 : 20000; January 17/31 and March 14/31 of a month, February whole
        assertThat(amounts(order)).containsEntry("2026-01 sf-plat", "5483.87")
                .containsEntry("2026-02 sf-plat", "10000.00")
                .containsEntry("2026-03 sf-plat", "4516.13")
                .containsEntry("2026-02 sf-impl", "20000.00")
                .hasSize(4);
        assertThat(ErpArm.straightLine(new BigDecimal("1000.00"), LocalDate.parse("2026-01-15"),
                LocalDate.parse("2026-03-14"))).containsExactly(Map.entry("2026-01", new BigDecimal("274.19")),
                Map.entry("2026-02", new BigDecimal("500.00")), Map.entry("2026-03", new BigDecimal("225.81")));
    }

    @Test
    void withArmOffNoArrangementIsBuiltAndTheQueryReturnsNoRows() throws Exception {
        erp.armEnabled(false);
        String order = workedExample();

        assertThat(erp.revenuePlans(order)).isEmpty();
        JsonNode result = client.json.readTree(query(QUERY.formatted(order), "").body());
        assertThat(result.path("count").asInt()).isZero();
        assertThat(result.path("totalResults").asInt()).isZero();

        erp.armEnabled(true);
        assertThat(client.json.readTree(query(QUERY.formatted(order), "").body()).path("count").asInt()).isZero();
        client.ok("PATCH", "/salesOrder/" + order, "{\"memo\":\"saved again\"}");
        assertThat(client.json.readTree(query(QUERY.formatted(order), "").body()).path("count").asInt()).isEqualTo(11);
    }

    // ---- helpers ----

    private Map<String, String> amounts(String order) throws Exception {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode row : client.json.readTree(query(QUERY.formatted(order), "").body()).path("items")) {
            out.put(row.path("period").asText() + " " + row.path("lineid").asText(), row.path("amount").asText());
        }
        return out;
    }

    private String workedExample() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", "{\"companyName\":\"Acme Inc\",\"subsidiary\":{\"id\":\"1\"}}");
        return client.ok("PUT", "/salesOrder/eid:OPP-1", order(
                line(null, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "sf-impl"),
                line(null, "PLAT-SUB", "10", "100000.00", "2026-01-01", "2026-10-31", "sf-plat")));
    }

    private HttpResponse<String> query(String q, String params) throws Exception {
        return client.raw("POST", ErpSandbox.SUITEQL_PATH + params, body(q), Map.of("Prefer", "transient"));
    }

    private String body(String q) throws Exception {
        return client.json.writeValueAsString(Map.of("q", q));
    }

    private static String order(String... lines) {
        return "{\"entity\":{\"externalId\":\"SF-001\"},\"subsidiary\":{\"id\":\"1\"},\"tranDate\":\"2026-01-01\","
                + "\"item\":{\"items\":[" + String.join(",", lines) + "]}}";
    }

    private static String line(Integer line, String item, String quantity, String amount, String start, String end,
                               String sfLineId) {
        return "{" + (line == null ? "" : "\"line\":" + line + ",") + "\"item\":{\"externalId\":\"" + item + "\"},"
                + "\"quantity\":" + quantity + ",\"amount\":" + amount + ",\"revRecStartDate\":\"" + start + "\","
                + "\"revRecEndDate\":\"" + end + "\",\"custcol_sf_line_item_id\":\"" + sfLineId + "\"}";
    }
}
