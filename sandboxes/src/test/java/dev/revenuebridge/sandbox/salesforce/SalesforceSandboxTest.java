package dev.revenuebridge.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Salesforce sandbox answers like an org: OAuth, sObjects, SOQL, sObject Collections, errors, change events. */
class SalesforceSandboxTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static SalesforceSandbox org;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        org = new SalesforceSandbox().start(0, 0);
        try (InputStream in = SalesforceSandboxTest.class.getResourceAsStream("/deals/seed-120k-deal.json")) {
            org.loadDeal(JSON.readValue(in, new TypeReference<>() {
            }), true);
        }
        org.passwordGrantEnabled(true);   // an old org that still allows the username-password flow
        HttpResponse<String> login = post("/services/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=password&client_id=" + SalesforceSandbox.CLIENT_ID + "&client_secret="
                        + SalesforceSandbox.CLIENT_SECRET + "&username=" + enc(SalesforceSandbox.USERNAME)
                        + "&password=" + SalesforceSandbox.PASSWORD, null);
        org.passwordGrantEnabled(false);
        assertThat(login.statusCode()).isEqualTo(200);
        Map<String, Object> body = JSON.readValue(login.body(), new TypeReference<>() {
        });
        assertThat(body.get("instance_url")).isEqualTo(org.baseUrl());
        assertThat((String) body.get("id")).endsWith("/id/" + SalesforceSandbox.ORG_ID + "/" + SalesforceSandbox.USER_ID);
        token = (String) body.get("access_token");
    }

    @AfterAll
    static void stop() {
        org.close();
    }

    @Test
    void aWrongClientSecretIsRefused() throws Exception {
        HttpResponse<String> login = post("/services/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=" + SalesforceSandbox.CLIENT_ID + "&client_secret=nope", null);
        assertThat(login.statusCode()).isEqualTo(400);
        assertThat(login.body()).contains("invalid_client_id");
    }

    @Test
    void restCallsNeedASession() throws Exception {
        HttpResponse<String> response = get("/services/data/v56.0/sobjects/Opportunity/006Dn00000SeedAAA", "nope");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("INVALID_SESSION_ID");
    }

    @Test
    void soqlSelectsTheNamedFieldsAndFollowsRelationships() throws Exception {
        HttpResponse<String> response = get("/services/data/v56.0/query?q=" + enc(
                "SELECT Id, Quantity, Product2.ProductCode FROM OpportunityLineItem WHERE OpportunityId = '006Dn00000SeedAAA' ORDER BY Id"),
                token);
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> body = JSON.readValue(response.body(), new TypeReference<>() {
        });
        assertThat(body.get("totalSize")).isEqualTo(2);
        assertThat(response.body()).contains("\"ProductCode\":\"IMPL-STD\"").contains("\"ProductCode\":\"PLAT-SUB\"")
                .doesNotContain("UnitPrice");
    }

    @Test
    void soqlNamingAnUnknownFieldIsRefusedLikeAnOrg() throws Exception {
        HttpResponse<String> response = get("/services/data/v56.0/query?q=" + enc(
                "SELECT Id, Colour__c FROM Opportunity"), token);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("INVALID_FIELD").contains("Colour__c");
        HttpResponse<String> malformed = get("/services/data/v56.0/query?q=" + enc("SELEKT Id FROM Opportunity"), token);
        assertThat(malformed.body()).contains("MALFORMED_QUERY");
    }

    @Test
    void patchWritesFieldsRefusesReadOnlyOnesAndEmitsAChangeEvent() throws Exception {
        int events = org.eventCount();
        HttpResponse<String> ok = patch("/services/data/v56.0/sobjects/Opportunity/006Dn00000SeedAAA",
                "{\"Sync_Status__c\":\"Synced\"}");
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(org.record("Opportunity", "006Dn00000SeedAAA")).containsEntry("Sync_Status__c", "Synced");
        assertThat(org.eventCount()).isEqualTo(events + 1);

        HttpResponse<String> readOnly = patch("/services/data/v56.0/sobjects/Opportunity/006Dn00000SeedAAA",
                "{\"IsWon\":false}");
        assertThat(readOnly.statusCode()).isEqualTo(400);
        assertThat(readOnly.body()).contains("INVALID_FIELD_FOR_INSERT_UPDATE");
        HttpResponse<String> unknown = patch("/services/data/v56.0/sobjects/Opportunity/006Dn00000SeedAAA",
                "{\"Colour__c\":\"red\"}");
        assertThat(unknown.body()).contains("INVALID_FIELD");
    }

    @Test
    void sObjectCollectionsTakeAtMost200Records() throws Exception {
        HttpResponse<String> one = patch("/services/data/v56.0/composite/sobjects",
                "{\"allOrNone\":false,\"records\":[{\"attributes\":{\"type\":\"Opportunity\"},\"id\":\"006Dn00000SeedAAA\","
                        + "\"Last_Sync__c\":\"2026-01-01T00:00:00Z\"},{\"attributes\":{\"type\":\"Opportunity\"},"
                        + "\"id\":\"006Dn00000NopeAAA\",\"Sync_Status__c\":\"Synced\"}]}");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).contains("\"success\":true").contains("INVALID_CROSS_REFERENCE_KEY");

        List<String> records = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            records.add("{\"attributes\":{\"type\":\"Opportunity\"},\"id\":\"006Dn00000SeedAAA\"}");
        }
        HttpResponse<String> tooMany = patch("/services/data/v56.0/composite/sobjects",
                "{\"records\":[" + String.join(",", records) + "]}");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("EXCEEDED_ID_LIMIT");
    }

    @Test
    void sObjectCollectionsFailARecordAloneOrRollEverythingBack() throws Exception {
        String records = "[{\"attributes\":{\"type\":\"Opportunity\"},\"id\":\"006Dn00000SeedAAA\",\"Sync_Status__c\":\"%s\"},"
                + "{\"attributes\":{\"type\":\"Opportunity\"},\"id\":\"006Dn00000SeedAAA\",\"IsWon\":false},"
                + "{\"attributes\":{\"type\":\"Account\"},\"id\":\"001Dn00000AcmeAAA\",\"Colour__c\":\"red\"}]";
        HttpResponse<String> partial = patch("/services/data/v56.0/composite/sobjects",
                "{\"allOrNone\":false,\"records\":" + records.formatted("Partial") + "}");
        assertThat(partial.statusCode()).isEqualTo(200);
        List<Map<String, Object>> results = JSON.readValue(partial.body(), new TypeReference<>() {
        });
        assertThat(results).hasSize(3);
        assertThat(results.get(0)).containsEntry("id", "006Dn00000SeedAAA").containsEntry("success", true)
                .containsEntry("errors", List.of());
        assertThat(results.get(1).get("success")).isEqualTo(false);
        assertThat(partial.body()).contains("INVALID_FIELD_FOR_INSERT_UPDATE").contains("\"fields\":[\"IsWon\"]")
                .contains("\"statusCode\":\"INVALID_FIELD\"").contains("\"fields\":[\"Colour__c\"]");
        assertThat(org.record("Opportunity", "006Dn00000SeedAAA")).containsEntry("Sync_Status__c", "Partial");

        HttpResponse<String> all = patch("/services/data/v56.0/composite/sobjects",
                "{\"allOrNone\":true,\"records\":" + records.formatted("AllOrNone") + "}");
        results = JSON.readValue(all.body(), new TypeReference<>() {
        });
        assertThat(results).allSatisfy(r -> assertThat(r.get("success")).isEqualTo(false));
        assertThat(all.body()).contains("ALL_OR_NONE_OPERATION_ROLLED_BACK").contains("INVALID_FIELD_FOR_INSERT_UPDATE");
        assertThat(results.get(0)).containsEntry("id", "006Dn00000SeedAAA");
        assertThat(org.record("Opportunity", "006Dn00000SeedAAA")).containsEntry("Sync_Status__c", "Partial")
                .containsEntry("LastModifiedById", SalesforceSandbox.USER_ID);

        org.faults().failNext(1, 503);
        HttpResponse<String> injected = patch("/services/data/v56.0/composite/sobjects",
                "{\"allOrNone\":false,\"records\":" + records.formatted("Faulted") + "}");
        assertThat(injected.statusCode()).isEqualTo(503);
        assertThat(injected.body()).contains("SERVER_UNAVAILABLE");
        assertThat(org.record("Opportunity", "006Dn00000SeedAAA")).containsEntry("Sync_Status__c", "Partial");
    }

    @Test
    void apiVersionsUpToTheNewestAreServedAndListed() throws Exception {
        HttpResponse<String> versions = HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/data/"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(versions.statusCode()).isEqualTo(200);
        List<Map<String, String>> list = JSON.readValue(versions.body(), new TypeReference<>() {
        });
        assertThat(list.get(list.size() - 1)).containsEntry("version", SalesforceSandbox.API_VERSION)
                .containsEntry("url", "/services/data/v" + SalesforceSandbox.API_VERSION)
                .containsEntry("label", "Winter '27");
        assertThat(list).contains(Map.of("label", "Winter '26", "url", "/services/data/v65.0", "version", "65.0"),
                Map.of("label", "Summer '14", "url", "/services/data/v31.0", "version", "31.0"));

        HttpResponse<String> newest = get("/services/data/v" + SalesforceSandbox.API_VERSION
                + "/sobjects/Account/001Dn00000AcmeAAA", token);
        assertThat(newest.statusCode()).isEqualTo(200);
        assertThat(newest.body()).contains("\"url\":\"/services/data/v68.0/sobjects/Account/001Dn00000AcmeAAA\"");
        HttpResponse<String> future = get("/services/data/v69.0/sobjects/Account/001Dn00000AcmeAAA", token);
        assertThat(future.statusCode()).isEqualTo(404);
        assertThat(future.body()).contains("NOT_FOUND");
        assertThat(get("/services/data/v30.0/sobjects/Account/001Dn00000AcmeAAA", token).statusCode()).isEqualTo(410);
    }

    @Test
    void theApiBudgetIsEnforced() throws Exception {
        org.dailyApiLimit(org.apiCalls() + 1);
        try {
            assertThat(get("/services/data/v56.0/sobjects/Account/001Dn00000AcmeAAA", token).statusCode()).isEqualTo(200);
            HttpResponse<String> over = get("/services/data/v56.0/sobjects/Account/001Dn00000AcmeAAA", token);
            assertThat(over.statusCode()).isEqualTo(403);
            assertThat(over.body()).contains("REQUEST_LIMIT_EXCEEDED");
        } finally {
            org.dailyApiLimit(15_000);
        }
    }

    @Test
    void theChangeEventHeaderCarriesChangedFieldsAsABitmap() {
        assertThat(ChangeEvents.bitmap(List.of("StageName", "IsWon"))).isEqualTo("0x18");
    }

    static HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + path)).header("Authorization", "Bearer " + bearer)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> patch(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String type, String body, String bearer)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(org.baseUrl() + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) request.header("Authorization", "Bearer " + bearer);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
