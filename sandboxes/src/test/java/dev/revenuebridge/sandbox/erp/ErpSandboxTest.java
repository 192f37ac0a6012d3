package dev.revenuebridge.sandbox.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErpSandboxTest extends ErpSandboxTestBase {

    private static final String RECORDS = "/services/rest/record/v1";
    private static final String CUSTOMER = """
            {"companyName":"Acme GmbH","subsidiary":{"id":"2"},"email":"billing@acme.example",
             "custentity_sf_account_id":"001ACME"}""";

    private String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @BeforeEach
    void token() {
        token = erp.issueAccessToken();
    }

    @Override
    protected boolean signsIn() {
        return false;   // these tests sign requests with a token issued directly, and count the token endpoint's grants
    }

    @Test
    void upsertsCustomerByExternalIdKeepingItsInternalId() throws Exception {
        HttpResponse<String> created = send("PUT", "/customer/eid:SF-001", CUSTOMER);

        assertThat(created.statusCode()).isEqualTo(204);
        assertThat(created.body()).isEmpty();
        assertThat(created.headers().firstValue("Location"))
                .hasValue(erp.baseUrl() + RECORDS + "/customer/1000");

        HttpResponse<String> updated = send("PUT", "/customer/eid:SF-001",
                "{\"companyName\":\"Acme Holding GmbH\",\"subsidiary\":{\"id\":\"2\"},\"terms\":{\"id\":\"2\"}}");

        assertThat(updated.statusCode()).isEqualTo(204);
        assertThat(updated.headers().firstValue("Location")).hasValue(erp.baseUrl() + RECORDS + "/customer/1000");
        assertThat(erp.records("customer")).hasSize(1);
        Map<String, Object> customer = erp.byExternalId("customer", "SF-001").orElseThrow();
        assertThat(customer).containsEntry("id", "1000")
                .containsEntry("companyName", "Acme Holding GmbH")
                .containsEntry("email", "billing@acme.example")     // a field not sent again is kept
                .containsEntry("custentity_sf_account_id", "001ACME")
                .containsEntry("currency", Map.of("id", "2", "refName", "Euro")); // defaulted from the subsidiary

        JsonNode got = json.readTree(send("GET", "/customer/eid:SF-001", null).body());
        assertThat(got.path("id").asText()).isEqualTo("1000");
        assertThat(got.path("externalId").asText()).isEqualTo("SF-001");
        assertThat(got.path("links").get(0).path("href").asText()).isEqualTo(erp.baseUrl() + RECORDS + "/customer/1000");
        assertThat(got.path("subsidiary").path("refName").asText()).isEqualTo("Revenue Bridge GmbH");
        assertThat(got.path("terms").path("refName").asText()).isEqualTo("Net 30");
        assertThat(got.path("subsidiary").path("links").get(0).path("href").asText()).endsWith("/subsidiary/2");
    }

    @Test
    void upsertsSalesOrderWithLinesThatGetShows() throws Exception {
        createCustomer("SF-001");

        HttpResponse<String> response = send("PUT", "/salesOrder/eid:OPP-1", salesOrder("SF-001", "2", null,
                line("IMPL-STD", "1", "20000.00", "20000.00"), line("PLAT-SUB", "10", "10000.00", "100000.00")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        assertThat(response.headers().firstValue("Location")).hasValue(erp.baseUrl() + RECORDS + "/salesOrder/1001");

        JsonNode order = json.readTree(send("GET", "/salesOrder/1001?expandSubResources=true", null).body());
        assertThat(order.path("externalId").asText()).isEqualTo("OPP-1");
        assertThat(order.path("entity").path("id").asText()).isEqualTo("1000");
        assertThat(order.path("entity").path("refName").asText()).isEqualTo("Acme GmbH");
        assertThat(order.path("currency").path("id").asText()).isEqualTo("2");
        assertThat(order.path("total").decimalValue()).isEqualByComparingTo("120000.00");
        JsonNode lines = order.path("item").path("items");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).path("item").path("id").asText()).isEqualTo("501");
        assertThat(lines.get(0).path("item").path("refName").asText()).isEqualTo("Standard implementation");
        assertThat(lines.get(0).path("amount").decimalValue()).isEqualByComparingTo("20000.00");
        assertThat(lines.get(1).path("item").path("id").asText()).isEqualTo("502");
        assertThat(lines.get(1).path("quantity").decimalValue()).isEqualByComparingTo("10");
        assertThat(lines.get(1).path("rate").decimalValue()).isEqualByComparingTo("10000.00");

        JsonNode collapsed = json.readTree(send("GET", "/salesOrder/eid:OPP-1", null).body());
        assertThat(collapsed.path("item").path("items").isMissingNode()).isTrue();
        assertThat(collapsed.path("item").path("links").get(0).path("href").asText()).endsWith("/salesOrder/1001/item");
        assertThat(json.readTree(send("GET", "/salesOrder/1001/item", null).body()).path("totalResults").asInt())
                .isEqualTo(2);

        Map<String, Object> stored = erp.byExternalId("salesOrder", "OPP-1").orElseThrow();
        assertThat(stored.get("total")).isInstanceOf(BigDecimal.class);
        assertThat(((BigDecimal) stored.get("total"))).isEqualByComparingTo("120000.00");
    }

    @Test
    void upsertAgainReplacesLinesWhenAskedAndMergesByLineKeyOtherwise() throws Exception {
        createCustomer("SF-001");
        String twoLines = salesOrder("SF-001", "2", null,
                line("IMPL-STD", "1", "20000.00", "20000.00"), line("PLAT-SUB", "10", "10000.00", "100000.00"));
        assertThat(send("PUT", "/salesOrder/eid:OPP-1", twoLines).statusCode()).isEqualTo(204);
        assertThat(lines("OPP-1")).extracting(l -> l.get("line")).containsExactly(1, 2);

        // ?replace=item: lines sent with their line key are kept (and updated), lines without one are new lines
        // with new numbers, lines not sent are removed
        String keyed = salesOrder("SF-001", "2", null,
                line("IMPL-STD", "1", "20000.00", "20000.00").replace("{\"item\"", "{\"line\":1,\"item\""),
                line("TRAIN-STD", "2", "5000.00", "10000.00"));
        assertThat(send("PUT", "/salesOrder/eid:OPP-1?replace=item", keyed).statusCode()).isEqualTo(204);
        assertThat(lines("OPP-1")).extracting(l -> l.get("line")).containsExactly(1, 3);
        assertThat((BigDecimal) erp.byExternalId("salesOrder", "OPP-1").orElseThrow().get("total"))
                .isEqualByComparingTo("30000.00");

        assertThat(send("PATCH", "/salesOrder/eid:OPP-1",
                "{\"item\":{\"items\":[{\"line\":3,\"quantity\":3}]}}").statusCode()).isEqualTo(204);
        assertThat(lines("OPP-1")).hasSize(2);
        assertThat((BigDecimal) lines("OPP-1").get(1).get("amount")).isEqualByComparingTo("15000.00");

        assertThat(send("PUT", "/salesOrder/eid:OPP-1", twoLines).statusCode()).isEqualTo(204);
        assertThat(lines("OPP-1")).hasSize(4); // without ?replace=item NetSuite adds the lines sent
        assertThat(erp.records("salesOrder")).singleElement().extracting(r -> r.get("id")).isEqualTo("1001");

        JsonNode unknownLine = errorDetail(send("PUT", "/salesOrder/eid:OPP-1?replace=item", salesOrder("SF-001", "2",
                null, line("IMPL-STD", "1", "1.00", "1.00").replace("{\"item\"", "{\"line\":99,\"item\""))), 400);
        assertThat(unknownLine.path("o:errorPath").asText()).isEqualTo("item.items[0].line");
    }

    @Test
    void rejectsMissingRequiredField() throws Exception {
        HttpResponse<String> response = send("POST", "/customer", "{\"subsidiary\":{\"id\":\"1\"}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValue("application/vnd.oracle.resource+json; type=error");
        JsonNode error = json.readTree(response.body());
        assertThat(error.path("type").asText()).isEqualTo("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1");
        assertThat(error.path("title").asText()).isEqualTo("Bad Request");
        assertThat(error.path("status").asInt()).isEqualTo(400);
        JsonNode detail = error.path("o:errorDetails").get(0);
        assertThat(detail.path("o:errorCode").asText()).isEqualTo("USER_ERROR");
        assertThat(detail.path("o:errorPath").asText()).isEqualTo("companyName");
        assertThat(detail.path("detail").asText()).contains("Please enter value(s) for: Company Name");
        assertThat(erp.records("customer")).isEmpty();
        assertThat(erp.validationErrorCount()).isEqualTo(1);
    }

    @Test
    void rejectsUnknownField() throws Exception {
        JsonNode detail = errorDetail(send("PUT", "/customer/eid:SF-001",
                "{\"companyName\":\"Acme\",\"subsidiary\":{\"id\":\"1\"},\"foo\":\"bar\"}"), 400);

        assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_CONTENT");
        assertThat(detail.path("detail").asText())
                .isEqualTo("Error while accessing a resource. You have entered an invalid field: foo.");
    }

    @Test
    void rejectsReferenceToMissingCustomerAndItem() throws Exception {
        JsonNode detail = errorDetail(send("PUT", "/salesOrder/eid:OPP-1", salesOrder("NOPE", "2", null,
                line("IMPL-STD", "1", "10.00", "10.00"))), 400);
        assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_CONTENT");
        assertThat(detail.path("o:errorPath").asText()).isEqualTo("entity");
        assertThat(detail.path("detail").asText()).contains("Invalid Field Value NOPE for the following field: entity");

        createCustomer("SF-001");
        JsonNode item = errorDetail(send("PUT", "/salesOrder/eid:OPP-1", salesOrder("SF-001", "2", null,
                line("NO-SUCH-ITEM", "1", "10.00", "10.00"))), 400);
        assertThat(item.path("o:errorPath").asText()).isEqualTo("item.items[0].item");
        assertThat(erp.records("salesOrder")).isEmpty();
    }

    @Test
    void rejectsCurrencyOtherThanTheSubsidiarys() throws Exception {
        createCustomer("SF-001");

        JsonNode detail = errorDetail(send("PUT", "/salesOrder/eid:OPP-1", salesOrder("SF-001", "2", "1",
                line("IMPL-STD", "1", "10.00", "10.00"))), 400);

        assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_VALUE");
        assertThat(detail.path("o:errorPath").asText()).isEqualTo("currency");
        assertThat(detail.path("detail").asText()).contains("Invalid currency reference key 1 for subsidiary 2")
                .contains("EUR").contains("USD");
    }

    @Test
    void rejectsOrderInAnotherSubsidiaryThanItsCustomer() throws Exception {
        createCustomer("SF-001"); // subsidiary 2

        JsonNode detail = errorDetail(send("PUT", "/salesOrder/eid:OPP-1", salesOrder("SF-001", "1", null,
                line("IMPL-STD", "1", "10.00", "10.00"))), 400);

        assertThat(detail.path("o:errorPath").asText()).isEqualTo("entity");
        assertThat(detail.path("detail").asText()).contains("Invalid entity reference key 1000 for subsidiary 1");
    }

    @Test
    void rejectsAmountThatIsNotQuantityTimesRate() throws Exception {
        createCustomer("SF-001");

        JsonNode detail = errorDetail(send("PUT", "/salesOrder/eid:OPP-1", salesOrder("SF-001", "2", null,
                line("IMPL-STD", "1", "20000.00", "20000.00"), line("PLAT-SUB", "10", "10000.00", "100000.01"))), 400);

        assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_VALUE");
        assertThat(detail.path("o:errorPath").asText()).isEqualTo("item.items[1].amount");
        assertThat(detail.path("detail").asText()).contains("100000.01").contains("100000.00");
    }

    @Test
    void rejectsMalformedJsonBadDatesAndStringAmounts() throws Exception {
        createCustomer("SF-001");
        assertThat(errorDetail(send("POST", "/customer", "{\"companyName\":"), 400).path("o:errorCode").asText())
                .isEqualTo("INVALID_CONTENT");

        String badDate = salesOrder("SF-001", "2", null, line("IMPL-STD", "1", "10.00", "10.00"))
                .replace("{\"entity\"", "{\"tranDate\":\"2025-02-30\",\"entity\"");
        assertThat(errorDetail(send("PUT", "/salesOrder/eid:OPP-1", badDate), 400).path("o:errorPath").asText())
                .isEqualTo("tranDate");

        String stringAmount = salesOrder("SF-001", "2", null, line("IMPL-STD", "1", "10.00", "10.00"))
                .replace("\"amount\":10.00", "\"amount\":\"10.00\"");
        assertThat(errorDetail(send("PUT", "/salesOrder/eid:OPP-1", stringAmount), 400).path("o:errorPath").asText())
                .isEqualTo("item.items[0].amount");
    }

    @Test
    void answersNotFoundForUnknownRecordsAndTypes() throws Exception {
        assertThat(errorDetail(send("GET", "/customer/4242", null), 404).path("o:errorCode").asText())
                .isEqualTo("NONEXISTENT_ID");
        assertThat(errorDetail(send("PATCH", "/customer/eid:nobody", "{\"companyName\":\"X\"}"), 404)
                .path("o:errorCode").asText()).isEqualTo("NONEXISTENT_ID");
        assertThat(send("GET", "/noSuchRecord/1", null).statusCode()).isEqualTo(404);
        JsonNode subsidiary = json.readTree(send("GET", "/subsidiary/3", null).body());
        assertThat(subsidiary.path("name").asText()).isEqualTo("Revenue Bridge Ltd");
        assertThat(subsidiary.path("currency").path("refName").asText()).isEqualTo("British Pound");
        assertThat(send("POST", "/subsidiary", "{\"name\":\"X\"}").statusCode()).isEqualTo(403);
    }

    @Test
    void refusesCallsWithoutTheBearerToken() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(erp.baseUrl() + RECORDS + "/customer"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(erp.baseUrl() + RECORDS + "/customer"))
                .header("Authorization", "Bearer nope").GET().build(), HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> response : List.of(none, wrong)) {
            JsonNode detail = errorDetail(response, 401);
            assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_LOGIN");
            assertThat(json.readTree(response.body()).path("title").asText()).isEqualTo("Unauthorized");
        }
    }

    @Test
    void throttlesRequestsBeyondTheConcurrencyLimit() throws Exception {
        createCustomer("SF-001");
        erp.concurrencyLimit(2).processingDelayMillis(300);

        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 6)
                .mapToObj(i -> http.sendAsync(request("GET", "/customer/1000", null), HttpResponse.BodyHandlers.ofString()))
                .toList();
        List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();

        List<HttpResponse<String>> refused = responses.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(refused).isNotEmpty();
        assertThat(responses).filteredOn(r -> r.statusCode() == 200).isNotEmpty();
        assertThat(responses).allMatch(r -> r.statusCode() == 200 || r.statusCode() == 429);
        JsonNode detail = errorDetail(refused.get(0), 429);
        assertThat(detail.path("o:errorCode").asText()).isEqualTo("CONCURRENCY_LIMIT_EXCEEDED");
        assertThat(detail.path("detail").asText()).isEqualTo("Concurrent request limit exceeded. Request blocked.");
        assertThat(erp.maxConcurrentSeen()).isBetween(1, 2);
        assertThat(erp.throttledCount()).isEqualTo(refused.size());
    }

    @Test
    void aRequestHoldsItsPlaceUntilItHasAnsweredEvenPastTheClientsTimeout() throws Exception {
        // NetSuite counts a REST request toward the account's concurrency limit until it completes
        // (subsect_1559222360): its processing time takes the place, also when the client has given up on the answer
        // (a chaos hold is processing time of the same kind)
        createCustomer("SF-001");
        erp.concurrencyLimit(1).faults().latency(1_500);
        Duration before = erp.placeTime();
        HttpRequest impatient = HttpRequest.newBuilder(URI.create(erp.baseUrl() + RECORDS + "/customer/1000"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMillis(300)).GET().build();
        assertThatThrownBy(() -> http.send(impatient, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);

        // the client gave up; the ERP still works on it: the next request is refused at once
        long sent = System.nanoTime();
        JsonNode detail = errorDetail(send("GET", "/customer/1000", null), 429);
        assertThat(detail.path("o:errorCode").asText()).isEqualTo("CONCURRENCY_LIMIT_EXCEEDED");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofMillis(500));

        // once the first one has answered its place is free again, and the time it held it is counted
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> erp.placeTime().minus(before).toMillis() >= 1_500);
        assertThat(send("GET", "/customer/1000", null).statusCode()).isEqualTo(200);
        assertThat(erp.placeTime().minus(before).toMillis()).isGreaterThanOrEqualTo(3_000);
        assertThat(erp.throttledCount()).isEqualTo(1);
    }

    @Test
    void injectedFailuresComeInNetSuitesShape() throws Exception {
        erp.faults().failNext(2, 503);

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = send("PUT", "/customer/eid:SF-001", CUSTOMER);
            JsonNode detail = errorDetail(response, 503);
            assertThat(json.readTree(response.body()).path("title").asText()).isEqualTo("Service Unavailable");
            assertThat(detail.path("o:errorCode").asText()).isNotBlank();
        }
        assertThat(send("PUT", "/customer/eid:SF-001", CUSTOMER).statusCode()).isEqualTo(204);
        assertThat(erp.records("customer")).hasSize(1);
        assertThat(erp.writeLog()).extracting(ErpSandbox.WriteRequest::status).containsExactly(503, 503, 204);
    }

    @Test
    void droppedConnectionReachesTheClientAsIOException() throws Exception {
        erp.faults().dropNext(1);
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        assertThatThrownBy(() -> fresh.send(request("PUT", "/customer/eid:SF-001", CUSTOMER),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

        assertThat(erp.records("customer")).isEmpty();
        assertThat(send("PUT", "/customer/eid:SF-001", CUSTOMER).statusCode()).isEqualTo(204);
    }

    @Test
    void listsRecordsPageByPage() throws Exception {
        for (int i = 1; i <= 5; i++) {
            createCustomer("SF-00" + i);
        }

        JsonNode first = json.readTree(send("GET", "/customer?limit=2&offset=0", null).body());
        assertThat(first.path("count").asInt()).isEqualTo(2);
        assertThat(first.path("hasMore").asBoolean()).isTrue();
        assertThat(first.path("totalResults").asInt()).isEqualTo(5);
        assertThat(first.path("offset").asInt()).isZero();
        assertThat(first.path("items").get(0).path("id").asText()).isEqualTo("1000");
        assertThat(first.path("items").get(0).path("links").get(0).path("href").asText()).endsWith("/customer/1000");
        assertThat(first.findValuesAsText("rel")).contains("next", "self");

        JsonNode last = json.readTree(send("GET", "/customer?limit=2&offset=4", null).body());
        assertThat(last.path("count").asInt()).isEqualTo(1);
        assertThat(last.path("hasMore").asBoolean()).isFalse();
        assertThat(last.path("items").get(0).path("id").asText()).isEqualTo("1004");

        JsonNode filtered = json.readTree(send("GET", "/customer?q="
                + URLEncoder.encode("externalId IS \"SF-003\"", StandardCharsets.UTF_8), null).body());
        assertThat(filtered.path("totalResults").asInt()).isEqualTo(1);
        assertThat(filtered.path("items").get(0).path("id").asText()).isEqualTo("1002");

        assertThat(send("GET", "/customer?limit=0", null).statusCode()).isEqualTo(400);
    }

    @Test
    void refusesUnbalancedJournalsAndASetTotalWhichItComputes() throws Exception {
        createCustomer("SF-001");
        HttpResponse<String> unbalanced = send("PUT", "/journalEntry/eid:dp_1", "{\"subsidiary\":{\"id\":\"1\"},"
                + "\"line\":{\"items\":[{\"account\":{\"id\":\"1210\"},\"debit\":100.00},"
                + "{\"account\":{\"id\":\"1100\"},\"credit\":99.99}]}}");
        assertThat(errorDetail(unbalanced, 400).path("detail").asText()).contains("out of balance");
        assertThat(send("PUT", "/journalEntry/eid:dp_1", "{\"subsidiary\":{\"id\":\"1\"},"
                + "\"line\":{\"items\":[{\"account\":{\"id\":\"1210\"},\"debit\":100.00},"
                + "{\"account\":{\"id\":\"1100\"},\"credit\":100.00}]}}").statusCode()).isEqualTo(204);

        HttpResponse<String> total = send("PUT", "/deposit/eid:po_1", "{\"subsidiary\":{\"id\":\"1\"},"
                + "\"account\":{\"id\":\"1010\"},\"total\":10.00,"
                + "\"other\":{\"items\":[{\"account\":{\"id\":\"1100\"},\"amount\":10.00}]}}");
        JsonNode readOnly = errorDetail(total, 400);
        assertThat(readOnly.path("detail").asText()).contains("read-only");
        assertThat(readOnly.path("o:errorPath").asText()).isEqualTo("total");
        assertThat(send("PUT", "/deposit/eid:po_1", "{\"subsidiary\":{\"id\":\"1\"},\"account\":{\"id\":\"1010\"},"
                + "\"other\":{\"items\":[{\"account\":{\"id\":\"1100\"},\"amount\":10.00}]},"
                + "\"cashBack\":{\"items\":[{\"account\":{\"id\":\"6140\"},\"amount\":0.59}]}}").statusCode())
                .isEqualTo(204);
        assertThat(json.readTree(send("GET", "/deposit/eid:po_1", null).body()).path("total").decimalValue())
                .isEqualByComparingTo("9.41");
    }

    @Test
    void exposesStateOverHttp() throws Exception {
        createCustomer("SF-001");
        send("POST", "/customer", "{}");

        JsonNode state = json.readTree(http.send(HttpRequest.newBuilder(URI.create(erp.baseUrl() + "/_sandbox/state"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());

        assertThat(state.path("accountId").asText()).isEqualTo("TSTDRV1234567");
        assertThat(state.path("records").fieldNames()).toIterable().containsExactly("customer");
        assertThat(state.path("records").path("customer").get(0).path("externalId").asText()).isEqualTo("SF-001");
        assertThat(state.path("counters").path("requests").asInt()).isEqualTo(2);
        assertThat(state.path("counters").path("validationErrors").asInt()).isEqualTo(1);
        assertThat(state.path("counters").has("throttled")).isTrue();
        assertThat(state.path("counters").has("maxConcurrent")).isTrue();
        assertThat(state.path("counters").path("tokensIssued").asInt()).isEqualTo(1);

        JsonNode config = json.readTree(http.send(HttpRequest.newBuilder(URI.create(erp.baseUrl()
                + "/_sandbox/erp/config")).POST(HttpRequest.BodyPublishers.ofString("{\"armEnabled\":false}")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(config.path("armEnabled").asBoolean()).isFalse();
        assertThat(erp.armEnabled()).isFalse();
    }

    // ---- helpers ----

    private void createCustomer(String externalId) throws Exception {
        HttpResponse<String> response = send("PUT", "/customer/eid:" + externalId, CUSTOMER);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lines(String externalId) {
        Map<String, Object> item = (Map<String, Object>) erp.byExternalId("salesOrder", externalId).orElseThrow().get("item");
        return (List<Map<String, Object>>) item.get("items");
    }

    private static String salesOrder(String customerExternalId, String subsidiary, String currency, String... lines) {
        return "{\"entity\":{\"externalId\":\"" + customerExternalId + "\"},\"subsidiary\":{\"id\":\"" + subsidiary + "\"},"
                + (currency == null ? "" : "\"currency\":{\"id\":\"" + currency + "\"},")
                + "\"startDate\":\"2025-01-01\",\"endDate\":\"2025-12-31\",\"otherRefNum\":\"PO-77\","
                + "\"item\":{\"items\":[" + String.join(",", lines) + "]}}";
    }

    private static String line(String itemExternalId, String quantity, String rate, String amount) {
        return "{\"item\":{\"externalId\":\"" + itemExternalId + "\"},\"quantity\":" + quantity
                + ",\"rate\":" + rate + ",\"amount\":" + amount
                + ",\"revRecStartDate\":\"2025-01-01\",\"revRecEndDate\":\"2025-12-31\"}";
    }

    private JsonNode errorDetail(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json.readTree(response.body());
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("o:errorDetails").isArray()).isTrue();
        return body.path("o:errorDetails").get(0);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(erp.baseUrl() + RECORDS + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
