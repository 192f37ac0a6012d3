package dev.revenuebridge.deal;

import dev.revenuebridge.salesforce.DealAssembler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.sandbox.salesforce.SalesforceSandbox;
import dev.revenuebridge.support.BridgeTestSupport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orgs differ: one without multiple currencies has no CurrencyIsoCode, one with state and country picklists keeps the
 * ISO code in BillingCountryCode. The deal query the bridge sends is answered by such an org once the mapping says so,
 * and the deal reads as in any other org. (Not mapped, the default query names a field that org lacks: INVALID_FIELD.)
 */
class SalesforceOrgShapesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path mappings;

    @Test
    void aDealIsReadFromAnOrgWithoutCurrenciesAndWithCountryPicklists() throws Exception {
        try (SalesforceSandbox org = new SalesforceSandbox().multiCurrency(false).stateAndCountryPicklists(true)) {
            org.start(0, 0);
            String opportunity = "006Dn00OrgShapeAAA";
            org.loadDeal(BridgeTestSupport.seedDeal(opportunity, "001Dn00OrgShapeAAA"), false);
            String token = signIn(org);

            // the default mapping asks for CurrencyIsoCode: this org has none
            DealAssembler standard = new DealAssembler(new MappingCatalog("mappings", false), JSON, null);
            HttpResponse<String> refused = query(org, token, standard.dealQuery(opportunity));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("INVALID_FIELD").contains("CurrencyIsoCode");

            // the README's two changes: no currency field (the org's corporate currency), the country's ISO code field
            copyMappings();
            Path fields = mappings.resolve("salesforce-fields.yaml");
            Files.writeString(fields, Files.readString(fields)
                    .replace("  currency: CurrencyIsoCode", "  currency: ~")
                    .replace("  country: BillingCountry", "  country: BillingCountryCode")
                    .replace("  state: BillingState", "  state: BillingStateCode"));
            DealAssembler shaped = new DealAssembler(new MappingCatalog(mappings.toString(), false), JSON, "USD");
            HttpResponse<String> answer = query(org, token, shaped.dealQuery(opportunity));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            ClosedWonDeal deal = shaped.assemble(shaped.opportunityRecord(opportunity, answer.body()));

            assertThat(deal.currency()).isEqualTo("USD");
            assertThat(deal.account().country()).isEqualTo("US");
            assertThat(deal.account().state()).isEqualTo("IL");
            assertThat(deal.lines()).extracting(ClosedWonDeal.DealLine::productCode).containsExactly("IMPL-STD", "PLAT-SUB");
            assertThat(deal.amount()).isEqualByComparingTo("120000.00");
            assertThat(org.record("Account", "001Dn00OrgShapeAAA").get("BillingCountry")).isEqualTo("United States");
        }
    }

    private void copyMappings() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path file : files.toList()) {
                Files.copy(file, mappings.resolve(file.getFileName().toString()));
            }
        }
    }

    private static String signIn(SalesforceSandbox org) throws Exception {
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id="
                        + SalesforceSandbox.CLIENT_ID + "&client_secret=" + SalesforceSandbox.CLIENT_SECRET)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        Map<String, Object> body = JSON.readValue(login.body(), new TypeReference<>() {
        });
        return (String) body.get("access_token");
    }

    private static HttpResponse<String> query(SalesforceSandbox org, String token, String soql) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/data/v" + SalesforceSandbox.API_VERSION
                        + "/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
