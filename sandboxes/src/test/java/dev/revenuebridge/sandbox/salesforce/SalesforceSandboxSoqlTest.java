package dev.revenuebridge.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SOQL as the sandbox parses and answers it: relationship fields, subqueries, typed literals, org shapes. */
class SalesforceSandboxSoqlTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private SalesforceSandbox org;
    private String token;

    static Map<String, Object> seed() {
        try (InputStream in = SalesforceSandboxSoqlTest.class.getResourceAsStream("/deals/seed-120k-deal.json")) {
            return JSON.readValue(in, new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start(boolean multiCurrency, boolean picklists) throws Exception {
        org = new SalesforceSandbox().multiCurrency(multiCurrency).stateAndCountryPicklists(picklists).start(0, 0);
        org.loadDeal(seed(), true);
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id="
                        + SalesforceSandbox.CLIENT_ID + "&client_secret=" + SalesforceSandbox.CLIENT_SECRET)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        token = JSON.readTree(login.body()).get("access_token").asText();
    }

    @AfterEach
    void stop() {
        if (org != null) org.close();
    }

    private HttpResponse<String> query(String version, String soql) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/data/v" + version + "/query?q="
                        + URLEncoder.encode(soql, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String soql) throws Exception {
        HttpResponse<String> response = query("56.0", soql);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private void refused(String soql, String errorCode, String message) throws Exception {
        HttpResponse<String> response = query("56.0", soql);
        assertThat(response.statusCode()).as(soql).isEqualTo(400);
        assertThat(response.body()).as(soql).contains(errorCode).contains(message);
    }

    @Test
    void aSubqueryNestsTheChildrenAsAQueryResultAndRelationshipFieldsAsObjects() throws Exception {
        start(true, false);
        JsonNode body = ok("SELECT Id, Name, Account.Name, (SELECT Id, Quantity, Product2.ProductCode FROM "
                + "OpportunityLineItems ORDER BY Id) FROM Opportunity WHERE Id = '006Dn00000SeedAAA'");
        JsonNode opp = body.get("records").get(0);
        assertThat(opp.get("attributes").get("url").asText()).isEqualTo("/services/data/v56.0/sobjects/Opportunity/006Dn00000SeedAAA");
        assertThat(opp.get("Account").get("attributes").get("type").asText()).isEqualTo("Account");
        assertThat(opp.get("Account").get("Name").asText()).isEqualTo("Acme Corp");
        JsonNode lines = opp.get("OpportunityLineItems");
        assertThat(lines.get("totalSize").asInt()).isEqualTo(2);
        assertThat(lines.get("done").asBoolean()).isTrue();
        assertThat(lines.get("records").get(0).get("attributes").get("type").asText()).isEqualTo("OpportunityLineItem");
        assertThat(lines.get("records").get(0).get("Id").asText()).isEqualTo("00kDn00000Impl1AAA");
        assertThat(lines.get("records").get(0).get("Product2").get("ProductCode").asText()).isEqualTo("IMPL-STD");
        assertThat(lines.get("records").get(1).get("Product2").get("ProductCode").asText()).isEqualTo("PLAT-SUB");
        assertThat(lines.get("records").get(0).has("UnitPrice")).isFalse();

        JsonNode none = ok("SELECT Id, (SELECT Id FROM OpportunityLineItems WHERE Quantity > 5) FROM Opportunity");
        assertThat(none.get("records").get(0).has("OpportunityLineItems")).isTrue();
        assertThat(none.get("records").get(0).get("OpportunityLineItems").isNull()).isTrue();
    }

    @Test
    void literalsCompareByTypeDatetimesAsInstantsNumbersAsDecimals() throws Exception {
        start(true, false);
        String stamp = (String) org.record("Opportunity", "006Dn00000SeedAAA").get("SystemModstamp");
        Instant modstamp = Soql.instant(stamp);
        String before = modstamp.minusSeconds(1).toString();                    // ...Z
        String offset = modstamp.minusSeconds(1).atOffset(java.time.ZoneOffset.ofHours(2)).toString();   // +02:00
        assertThat(ok("SELECT Id FROM Opportunity WHERE SystemModstamp > " + before).get("totalSize").asInt()).isEqualTo(1);
        assertThat(ok("SELECT Id FROM Opportunity WHERE SystemModstamp > " + offset).get("totalSize").asInt()).isEqualTo(1);
        assertThat(ok("SELECT Id FROM Opportunity WHERE SystemModstamp > " + modstamp.plusMillis(1)).get("totalSize").asInt())
                .isZero();
        assertThat(ok("SELECT Id FROM Opportunity WHERE SystemModstamp >= 2020-01-01T00:00:00.123Z AND Amount >= 120000.00"
                + " AND Amount < 120000.01 AND IsWon = true AND CloseDate = 2025-12-19").get("totalSize").asInt()).isEqualTo(1);
        assertThat(ok("SELECT Id FROM OpportunityLineItem WHERE UnitPrice IN (20000, 10000.0) AND Discount = null "
                + "ORDER BY UnitPrice DESC LIMIT 1").get("records").get(0).get("Id").asText()).isEqualTo("00kDn00000Impl1AAA");
        assertThat(ok("SELECT Id FROM Account WHERE Name = 'acme corp'").get("totalSize").asInt()).isEqualTo(1);
        assertThat(ok("SELECT Id FROM Account WHERE Name != 'O\\'Brien'").get("totalSize").asInt()).isEqualTo(1);
        assertThat(ok("SELECT Id FROM OpportunityLineItem WHERE Opportunity.StageName = 'Closed Won' AND "
                + "Product2.ProductCode IN ('IMPL-STD')").get("totalSize").asInt()).isEqualTo(1);

        refused("SELECT Id FROM Opportunity WHERE SystemModstamp > '" + before + "'", "INVALID_FIELD",
                "value of filter criterion for field 'SystemModstamp' must be of type dateTime and should not be enclosed in quotes");
        refused("SELECT Id FROM Opportunity WHERE CloseDate > 2025-12-19T00:00:00Z", "INVALID_FIELD", "must be of type date");
        refused("SELECT Id FROM Opportunity WHERE Name = 5", "INVALID_FIELD", "should be enclosed in quotes");
    }

    @Test
    void unknownNamesAnywhereAreInvalidFieldsAndUnsupportedSyntaxIsMalformed() throws Exception {
        start(true, false);
        refused("SELECT Id, Colour__c FROM Opportunity", "INVALID_FIELD", "Colour__c");
        refused("SELECT Id, (SELECT Id, Colour__c FROM OpportunityLineItems) FROM Opportunity", "INVALID_FIELD", "Colour__c");
        refused("SELECT Id FROM Opportunity WHERE Colour__c = 'red'", "INVALID_FIELD", "Colour__c");
        refused("SELECT Id FROM Opportunity ORDER BY Colour__c", "INVALID_FIELD", "Colour__c");
        refused("SELECT Id FROM Opportunity WHERE Account.Colour__c = 'red'", "INVALID_FIELD", "Account.Colour__c");
        refused("SELECT Id, (SELECT Id FROM Contacts) FROM Opportunity", "INVALID_TYPE", "Contacts");
        refused("SELECT Id FROM Opportunity WHERE Name = 'a' OR Name = 'b'", "MALFORMED_QUERY", "OR");
        refused("SELECT Id FROM Opportunity WHERE Name LIKE 'a%'", "MALFORMED_QUERY", "LIKE");
        refused("SELECT Id FROM Opportunity WHERE Name = 'unterminated", "MALFORMED_QUERY", "unterminated");
        refused("SELECT Id FROM Opportunity LIMIT", "MALFORMED_QUERY", "end of query");
        refused("SELECT FROM Opportunity", "MALFORMED_QUERY", "FROM");
        assertThatThrownBy(() -> Soql.parse("SELECT Id, (SELECT Id, (SELECT Id FROM X) FROM Y) FROM Z"))
                .isInstanceOf(Soql.SoqlException.class);
    }

    @Test
    void theParserReadsTheSelectListInOrder() {
        Soql soql = Soql.parse("select Id, Account.Name, (SELECT Id FROM OpportunityLineItems WHERE Quantity >= -1.5 "
                + "ORDER BY Id DESC LIMIT 3) from Opportunity where StageName in ('Closed Won', 'x') order by Name limit 7");
        assertThat(soql.fields()).containsExactly("Id", "Account.Name");
        assertThat(soql.object()).isEqualTo("Opportunity");
        assertThat(soql.limit()).isEqualTo(7);
        Soql sub = soql.subqueries().get(0);
        assertThat(sub.descending()).isTrue();
        assertThat(sub.conditions().get(0).values().get(0).value()).isEqualTo(new java.math.BigDecimal("-1.5"));
        assertThat(soql.conditions().get(0).operator()).isEqualTo(Soql.Operator.IN);
        assertThat(Soql.parse("SELECT Id FROM Account WHERE CreatedDate < 2026-12-03T10:15:30+00:00").conditions().get(0)
                .values().get(0).value()).isEqualTo(Instant.parse("2026-12-03T10:15:30Z"));
    }

    @Test
    void aSingleCurrencyOrgHasNoCurrencyIsoCode() throws Exception {
        start(false, false);
        refused("SELECT Id, CurrencyIsoCode FROM Opportunity", "INVALID_FIELD", "CurrencyIsoCode");
        assertThat(org.record("Opportunity", "006Dn00000SeedAAA")).doesNotContainKey("CurrencyIsoCode");
        refused("SELECT Id, BillingCountryCode FROM Account", "INVALID_FIELD", "BillingCountryCode");
    }

    @Test
    void stateAndCountryPicklistsGiveTheIsoCodesAndTheNames() throws Exception {
        start(true, true);
        JsonNode account = ok("SELECT BillingCountry, BillingCountryCode, BillingState, BillingStateCode, CurrencyIsoCode"
                + " FROM Account").get("records").get(0);
        assertThat(account.get("BillingCountryCode").asText()).isEqualTo("US");
        assertThat(account.get("BillingCountry").asText()).isEqualTo("United States");
        assertThat(account.get("BillingStateCode").asText()).isEqualTo("IL");
        assertThat(account.get("BillingState").asText()).isEqualTo("Illinois");
        Map<String, Object> named = new java.util.LinkedHashMap<>(Map.of("Id", "001Dn00000NamedAAA",
                "BillingCountry", "Canada", "BillingState", "Ontario"));
        SalesforceSchema.AddressPicklists.apply(named, true);
        assertThat(named).containsEntry("BillingCountryCode", "CA").containsEntry("BillingStateCode", "ON");
        assertThatThrownBy(() -> SalesforceSchema.AddressPicklists.apply(
                new java.util.HashMap<>(Map.of("BillingCountry", "Atlantis")), true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
