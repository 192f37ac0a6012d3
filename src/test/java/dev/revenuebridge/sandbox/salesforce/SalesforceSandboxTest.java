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
