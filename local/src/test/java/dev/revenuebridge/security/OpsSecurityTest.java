package dev.revenuebridge.security;

import dev.revenuebridge.trace.DeadLetters;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeInfrastructure;
import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Nobody reaches operations or money without signing in, and each role reaches only its own: every endpoint the
 * application maps (its controllers and every exposed actuator endpoint, read from the application itself, so a new
 * one cannot be forgotten) answers 401 without credentials and 403 to a role below the one it needs, on the operations
 * port; the application port serves the webhook and nothing else. Jolokia refuses the JDK's operations, the heap dump
 * first, even to {@code operator}. No secret, email or tax id reaches the logs.
 */
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability   // metrics as in production
@org.springframework.test.context.TestPropertySource(properties = "spring.jmx.enabled=true")   // the MBeans, as in production
class OpsSecurityTest extends BridgeTestSupport {

    /** The role each endpoint needs, by "METHOD pattern"; null: open (probes). A new endpoint must be added here. */
    static final Map<String, String> NEEDS = new LinkedHashMap<>();

    static {
        NEEDS.put("GET /api/deals/{opportunityId}", "viewer");
        NEEDS.put("GET /api/exceptions", "viewer");
        NEEDS.put("GET /api/dead-letters", "viewer");
        NEEDS.put("GET /api/dead-letters/{id}", "viewer");
        NEEDS.put("POST /api/preview", "viewer");
        NEEDS.put("POST /api/dead-letters/{id}/replay", "operator");
        NEEDS.put("POST /api/dead-letters/{id}/discard", "operator");
        NEEDS.put("POST /api/approvals/{opportunityId}", "finance");
        NEEDS.put("POST /webhooks/stripe", "application port");
        NEEDS.put("GET /actuator/health", null);
        NEEDS.put("GET /actuator/info", null);
        NEEDS.put("GET /actuator/prometheus", "viewer");
        NEEDS.put("GET /actuator/metrics", "viewer");
        NEEDS.put("GET /actuator/camelroutes", "viewer");
        NEEDS.put("GET /actuator/hawtio", "operator");
        NEEDS.put("POST /actuator/jolokia", "operator");
        NEEDS.put("GET /actuator/jolokia", "operator");
    }

    /** Who may do what: a role is refused what needs another (operator and finance include viewer). */
    static final Map<String, Set<String>> GRANTS = Map.of(
            "viewer", Set.of("viewer"),
            "operator", Set.of("viewer", "operator"),
            "finance", Set.of("viewer", "finance"));

    static final String EMAIL = "accounts.payable@hygiene-gmbh.example";
    static final String TAX_ID = "DE811907980";

    @LocalServerPort
    int port;
    @Value("${revenue.erp.auth.private-key-file}")
    String erpKeyFile;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;
    @Autowired
    PathMappedEndpoints actuator;

    @Test
    void everyEndpointNeedsItsRoleAndNoOtherRoleGetsIn() {
        List<String> endpoints = applicationEndpoints();
        assertThat(endpoints).as("endpoints of the application without an expected role in this test")
                .allMatch(NEEDS::containsKey);
        assertThat(endpoints).as("every endpoint is found").contains("POST /api/approvals/{opportunityId}",
                "GET /actuator/prometheus", "POST /actuator/jolokia", "GET /actuator/hawtio");
        for (String endpoint : endpoints) {
            String needs = NEEDS.get(endpoint);
            if ("application port".equals(needs)) {
                continue;   // theApplicationPortServesTheWebhookAndNothingElse
            }
            HttpMethod method = method(endpoint);
            String path = path(endpoint);
            int anonymous = call(as(null), method, path);
            if (needs == null) {
                assertThat(anonymous).as("%s is open (probes)", endpoint).isLessThan(400);
                continue;
            }
            assertThat(anonymous).as("%s without credentials", endpoint).isEqualTo(401);
            assertThat(call(as(null).withBasicAuth("operator", "wrong-password"), method, path))
                    .as("%s with a wrong password", endpoint).isEqualTo(401);
            GRANTS.forEach((role, granted) -> {
                int status = call(as(role), method, path);
                if (granted.contains(needs)) {
                    assertThat(status).as("%s as %s", endpoint, role).isNotIn(401, 403);
                } else {
                    assertThat(status).as("%s as %s", endpoint, role).isEqualTo(403);
                }
            });
        }
    }

    @Test
    void theApplicationPortServesTheWebhookAndNothingElse() {
        for (String endpoint : applicationEndpoints()) {
            if (endpoint.equals("POST /webhooks/stripe")) continue;
            assertThat(call(webhooks.withBasicAuth("operator", "operator"), method(endpoint), path(endpoint)))
                    .as("%s on the application port", endpoint).isEqualTo(404);
        }
        // the webhook answers there (a delivery without a signature is refused by the webhook itself, not hidden)
        assertThat(call(webhooks, HttpMethod.POST, "/webhooks/stripe")).isEqualTo(400);
        assertThat(call(http, HttpMethod.POST, "/webhooks/stripe")).as("no webhook on the operations port").isEqualTo(404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jolokiaRefusesTheJdksOperationsEvenToAnOperator() throws Exception {
        Path dump = Files.createTempDirectory("heap").resolve("bridge.hprof");
        for (String jolokia : List.of("/actuator/jolokia", "/actuator/hawtio/jolokia")) {
            List<Map<String, Object>> refused = List.of(
                    Map.of("type", "exec", "mbean", "com.sun.management:type=HotSpotDiagnostic",
                            "operation", "dumpHeap(java.lang.String,boolean)", "arguments", List.of(dump.toString(), true)),
                    Map.of("type", "exec", "mbean", "java.lang:type=Memory", "operation", "gc()"),
                    Map.of("type", "exec", "mbean", "com.sun.management:type=DiagnosticCommand",
                            "operation", "vmSystemProperties()"),
                    Map.of("type", "exec", "mbean", "jdk.management.jfr:type=FlightRecorder", "operation", "newRecording()"),
                    Map.of("type", "write", "mbean", "java.lang:type=Memory", "attribute", "Verbose", "value", true),
                    Map.of("type", "exec", "mbean", "org.apache.camel:context=revenue-bridge,type=context,name=\"revenue-bridge\"",
                            "operation", "stop()"));
            for (Map<String, Object> request : refused) {
                ResponseEntity<Map> answer = http.postForEntity(jolokia, request, Map.class);
                Object status = answer.getStatusCode().value() == 200 ? answer.getBody().get("status")
                        : answer.getStatusCode().value();
                assertThat(status).as("%s %s via %s: %s", request.get("mbean"), request.get("operation"), jolokia,
                        answer.getBody()).isIn(403, 404);
            }
            // reading is allowed, and so are the bridge's own operations
            ResponseEntity<Map> read = http.postForEntity(jolokia, Map.of("type", "read", "mbean", "java.lang:type=Runtime",
                    "attribute", "Uptime"), Map.class);
            assertThat(read.getBody().get("status")).as("read via %s", jolokia).isEqualTo(200);
            ResponseEntity<Map> own = http.postForEntity(jolokia, Map.of("type", "exec", "mbean",
                    "revenue-bridge:type=DeadLetters", "operation", "list()"), Map.class);
            assertThat(own.getBody().get("status")).as("the bridge's own operation via %s: %s", jolokia, own.getBody())
                    .isEqualTo(200);
        }
        assertThat(dump).doesNotExist();
        assertThat(as("viewer").postForEntity("/actuator/jolokia", Map.of("type", "version"), Map.class)
                .getStatusCode().value()).as("Jolokia is for operators").isEqualTo(403);
    }

    /**
     * A full run's logs (a deal with a billing email and a VAT id from Closed Won to paid, a deal refused by the gate, a
     * dead letter with the remote system's answer, sign-ins to all three systems, and careless lines) hold no
     * configured secret and none of the test data's emails and tax ids: the log lines are masked, whatever logged them.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void noSecretEmailOrTaxIdReachesTheLogs(CapturedOutput output) throws Exception {
        StripeCalls.deliverWebhooksTo(port, false, false);
        String opportunity = "006Dn000HygieneAAA";
        Map<String, Object> deal = seedDeal(opportunity, "001Dn000HygieneAAA");
        account(deal).put("BillingCountry", "DE");
        account(deal).put("Tax_Id__c", TAX_ID);
        account(deal).put("Billing_Email__c", EMAIL);
        opportunity(deal).put("CurrencyIsoCode", "EUR");
        INFRA.salesforce().loadDeal(deal, true);
        awaitSyncStatus(opportunity, "Synced");
        String invoice = StripeCalls.oneTimeInvoiceOf(opportunity);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("invoice", invoice).isPresent());
        StripeCalls.pay(invoice, "pm_sepaDebit");

        // a deal the gate refuses, with the same email and tax id on its Account
        String refused = "006Dn000HygRefAAAA";
        Map<String, Object> bad = seedDeal(refused, "001Dn000HygRefAAAA");
        account(bad).put("Tax_Id__c", TAX_ID);
        account(bad).put("Billing_Email__c", EMAIL);
        opportunity(bad).put("Payment_Terms__c", "Net 97");
        INFRA.salesforce().loadDeal(bad, true);
        awaitSyncStatus(refused, "Requires Review");

        // a dead letter: the ERP refuses the customer, with its error body
        INFRA.erp().faults().outage(400);
        String failed = "006Dn000HygFailAAA";
        Map<String, Object> failing = seedDeal(failed, "001Dn000HygFailAAA");
        account(failing).put("Billing_Email__c", EMAIL);
        INFRA.salesforce().loadDeal(failing, true);
        awaitSyncStatus(failed, "Failed");
        INFRA.erp().faults().clear();

        // and whatever a future change might log: a message and a stack trace carrying them are masked too
        org.slf4j.LoggerFactory.getLogger("dev.revenuebridge.deal").warn("a careless line: key {} secret {} email {} tax id {}",
                BridgeInfrastructure.STRIPE_API_KEY, BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, EMAIL, TAX_ID);
        org.slf4j.LoggerFactory.getLogger("dev.revenuebridge.erp").error("a careless stack trace",
                new IllegalStateException("refused customer " + EMAIL + " (" + TAX_ID + "), assertion password="
                        + BridgeInfrastructure.SALESFORCE_KEYSTORE_PASSWORD));

        List<String> secrets = new ArrayList<>(List.of(BridgeInfrastructure.STRIPE_API_KEY,
                BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, BridgeInfrastructure.SALESFORCE_KEYSTORE_PASSWORD));
        String pem = Files.readString(Path.of(erpKeyFile));
        pem.lines().filter(line -> line.length() > 20 && !line.startsWith("-----")).forEach(secrets::add);
        String logs = output.getAll();
        assertThat(logs).as("the run logged").contains(opportunity).contains(failed)
                .contains("a careless line: key *** secret *** email [email] tax id [tax id]")
                .contains("refused customer [email] ([tax id])");
        for (String secret : secrets) {
            assertThat(logs).as("a configured secret in the logs").doesNotContain(secret);
        }
        assertThat(logs).doesNotContain(EMAIL).doesNotContain(TAX_ID).doesNotContain("ap@acme.example");
        assertThat(logs).doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.");
    }

    /** "METHOD pattern" of every controller mapping and every exposed actuator endpoint. */
    private List<String> applicationEndpoints() {
        List<String> endpoints = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mappings.getHandlerMethods().entrySet()) {
            Set<RequestMethod> methods = entry.getKey().getMethodsCondition().getMethods();
            for (String pattern : entry.getKey().getPatternValues()) {
                if (pattern.equals("/error")) continue;   // Spring's error page
                for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    endpoints.add(method.name() + " " + pattern);
                }
            }
        }
        for (var endpoint : actuator) {
            String path = endpoint.getRootPath();
            if (path.equals("jolokia")) {
                endpoints.add("GET /actuator/jolokia");
                endpoints.add("POST /actuator/jolokia");
            } else {
                endpoints.add("GET /actuator/" + path);
            }
        }
        return endpoints.stream().distinct().sorted().toList();
    }

    private static HttpMethod method(String endpoint) {
        return HttpMethod.valueOf(endpoint.substring(0, endpoint.indexOf(' ')));
    }

    private static String path(String endpoint) {
        return endpoint.substring(endpoint.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "006Dn00000NobodyAAA");
    }

    private static int call(TestRestTemplate client, HttpMethod method, String path) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        HttpEntity<String> body = method == HttpMethod.POST ? new HttpEntity<>("{}", headers) : new HttpEntity<>(headers);
        return client.exchange(path, method, body, String.class).getStatusCode().value();
    }
}
