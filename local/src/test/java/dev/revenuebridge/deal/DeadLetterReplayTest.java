package dev.revenuebridge.deal;

import dev.revenuebridge.trace.DeadLetters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An ERP outage leaves dead letters that ops see over the API; once the ERP is back, a replay (over the API or over
 * JMX, or over Jolokia as Hawtio does) brings the deal to Synced through the same idempotency guards: nothing is created twice.
 */
@org.springframework.test.context.TestPropertySource(properties = "spring.jmx.enabled=true")
@org.apache.camel.test.spring.junit5.DisableJmx(false) // Camel's test support turns Camel's MBeans off unless told
class DeadLetterReplayTest extends BridgeTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    org.apache.camel.CamelContext camel;

    @Test
    @SuppressWarnings("unchecked")
    void aDealDeadLetteredDuringAnErpOutageIsReplayedOverTheApiWithoutDuplicates() {
        String opportunity = "006Dn0000OutageAAA";
        INFRA.erp().faults().outage(503);
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0000OutageAAA"), true);
        awaitSyncStatus(opportunity, "Failed");

        List<Map<String, Object>> open = http.getForObject("/api/dead-letters", List.class);
        Map<String, Object> letter = open.stream().filter(d -> opportunity.equals(d.get("opportunityId"))).findFirst().orElseThrow();
        assertThat((String) letter.get("errorMessage")).contains("HTTP 503");
        assertThat((String) letter.get("remoteBody")).contains("o:errorDetails");
        assertThat(letter.get("sourceRoute")).isEqualTo("deal-sync");
        long stripeCustomers = count("customers", opportunity);

        INFRA.erp().faults().clear();
        var replayed = http.postForEntity("/api/dead-letters/" + letter.get("id") + "/replay", null, Map.class);
        assertThat(replayed.getStatusCode().value()).isEqualTo(202);
        awaitSyncStatus(opportunity, "Synced");

        assertThat(count("customers", opportunity)).isEqualTo(stripeCustomers).isEqualTo(1);
        assertThat(count("subscriptions", opportunity)).isEqualTo(1);
        assertThat(count("invoices", opportunity)).isEqualTo(1);
        assertThat(INFRA.erp().records("salesOrder").stream().filter(o -> opportunity.equals(o.get("externalId")))).hasSize(1);
        assertThat(http.postForEntity("/api/dead-letters/" + letter.get("id") + "/replay", null, Map.class)
                .getStatusCode().value()).as("a replayed dead letter is not open any more").isEqualTo(409);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE opportunity_id = ? AND action = 'dead-letter-replay'",
                Integer.class, opportunity)).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDeadLetterIsReplayedOverJmx() throws Exception {
        String opportunity = "006Dn0000JmxRplAAA";
        INFRA.erp().faults().outage(503);
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0000JmxRplAAA"), true);
        awaitSyncStatus(opportunity, "Failed");
        INFRA.erp().faults().clear();

        var server = ManagementFactory.getPlatformMBeanServer();
        ObjectName deadLetters = new ObjectName("revenue-bridge:type=DeadLetters");
        List<String> listed = (List<String>) server.invoke(deadLetters, "list", new Object[0], new String[0]);
        assertThat(listed).anyMatch(line -> line.contains(opportunity));
        String outcome = (String) server.invoke(deadLetters, "replayAll", new Object[] {"deal-sync", "HTTP 503"},
                new String[] {String.class.getName(), String.class.getName()});
        assertThat(outcome).matches("[1-9]\\d* of [1-9]\\d* replayed");
        awaitSyncStatus(opportunity, "Synced");
        await().atMost(Duration.ofSeconds(5)).until(() -> count("subscriptions", opportunity) == 1);
    }

    /** Hawtio is a browser client of Jolokia: these are the requests its JMX tab sends to list and invoke. */
    @Test
    @SuppressWarnings("unchecked")
    void aDeadLetterIsReplayedOverJolokiaAsHawtioDoesIt() {
        String opportunity = "006Dn0000JolRplAAA";
        INFRA.erp().faults().outage(503);
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0000JolRplAAA"), true);
        awaitSyncStatus(opportunity, "Failed");
        INFRA.erp().faults().clear();

        ResponseEntity<String> console = http.getForEntity("/actuator/hawtio/index.html", String.class);
        assertThat(console.getStatusCode().value()).isEqualTo(200);
        assertThat(console.getBody()).contains("<title>Hawtio</title>");

        Map<String, Object> operations = jolokia(Map.of("type", "list", "path", "revenue-bridge/type=DeadLetters/op"));
        assertThat((Map<String, Object>) operations.get("value")).containsKeys("list", "replay", "replayAll", "discard");
        Map<String, Object> routes = jolokia(Map.of("type", "read",
                "mbean", "org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name=\"deal-sync\"",
                "attribute", List.of("State", "ExchangesTotal", "ExchangesFailed")));
        assertThat(((Map<String, Object>) routes.get("value")).get("State")).isEqualTo("Started");
        assertThat(((Number) ((Map<String, Object>) routes.get("value")).get("ExchangesTotal")).longValue()).isPositive();

        List<String> listed = (List<String>) jolokia(Map.of("type", "exec", "mbean", "revenue-bridge:type=DeadLetters",
                "operation", "list()")).get("value");
        String line = listed.stream().filter(l -> l.contains(opportunity)).findFirst().orElseThrow();
        long id = Long.parseLong(line.substring(0, line.indexOf(' ')));
        Map<String, Object> replayed = jolokia(Map.of("type", "exec", "mbean", "revenue-bridge:type=DeadLetters",
                "operation", "replay(long)", "arguments", List.of(id)));
        assertThat((String) replayed.get("value")).contains("dead letter " + id + " replayed");

        awaitSyncStatus(opportunity, "Synced");
        assertThat(count("customers", opportunity)).isEqualTo(1);
        assertThat(count("subscriptions", opportunity)).isEqualTo(1);
        assertThat(count("invoices", opportunity)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT actor FROM audit_log WHERE opportunity_id = ? AND action = 'dead-letter-replay'",
                String.class, opportunity)).as("the operator signed in to Jolokia").isEqualTo("operator");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDeadLetterIsResolvedWhenItsDealSyncsAfterAnEditInSalesforce() {
        String opportunity = "006Dn0000EditAfAAA";
        INFRA.erp().faults().outage(503);
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0000EditAfAAA"), true);
        awaitSyncStatus(opportunity, "Failed");
        INFRA.erp().faults().clear();

        INFRA.salesforce().editAsSalesRep("Opportunity", opportunity, Map.of("Name", "Edit after outage - platform 2026 (countersigned)"));
        awaitSyncStatus(opportunity, "Synced");
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM dead_letter WHERE opportunity_id = ? AND status = 'open'", Integer.class, opportunity) == 0);
        Map<String, Object> letter = jdbc.queryForMap(
                "SELECT status, resolution FROM dead_letter WHERE opportunity_id = ?", opportunity);
        assertThat(letter).containsEntry("status", "resolved").containsEntry("resolution", "the deal synced later");
        List<Map<String, Object>> open = http.getForObject("/api/dead-letters", List.class);
        assertThat(open).noneMatch(d -> opportunity.equals(d.get("opportunityId")));
        assertThat(count("subscriptions", opportunity)).isEqualTo(1);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> jolokia(Map<String, Object> request) {
        ResponseEntity<Map> response = http.postForEntity("/actuator/jolokia", request, Map.class);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        assertThat(response.getBody().get("status")).as("Jolokia answer %s", response.getBody()).isEqualTo(200);
        return response.getBody();
    }

    @SuppressWarnings("unchecked")
    private static long count(String kind, String opportunityId) {
        return INFRA.stripe().objects(kind).stream()
                .filter(o -> opportunityId.equals(((Map<String, Object>) o.getOrDefault("metadata", Map.of())).get("sf_opportunity_id")))
                .count();
    }
}
