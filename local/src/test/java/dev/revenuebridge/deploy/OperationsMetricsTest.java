package dev.revenuebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.revenuebridge.support.BridgeTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The metrics ops act on, as Prometheus scrapes them (GET /actuator/prometheus on the operations port, signed in as
 * viewer): they move as deals sync, wait for review and fail, and every metric the alerts (k8s/base/prometheusrule.yaml)
 * and the dashboard (k8s/base/grafana-dashboard.json) use exists, so no alert watches a name nobody writes.
 * (Spring Boot's tests export no metrics unless asked: AutoConfigureObservability makes the Prometheus registry.)
 */
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability(tracing = false)
class OperationsMetricsTest extends BridgeTestSupport {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)", Pattern.MULTILINE);
    private static final Pattern REFERENCED = Pattern.compile("revenue_bridge_[a-z0-9_]+");

    @Test
    void metricsMoveAsDealsSyncWaitAndFailAndEveryAlertedMetricExists() throws IOException {
        assertThat(value("revenue_bridge_leader", "namespace=\"salesforce-subscription\"")).isEqualTo(1.0);
        assertThat(value("revenue_bridge_deals_total", "outcome=\"synced\"")).isZero();

        String synced = "006Dn0MetSyncedAAA";
        INFRA.salesforce().loadDeal(seedDeal(synced, "001Dn0MetSyncedAAA"), true);
        awaitSyncStatus(synced, "Synced");

        Map<String, Object> invalid = seedDeal("006Dn0MetReviewAAA", "001Dn0MetReviewAAA");
        opportunity(invalid).put("Payment_Terms__c", "Net 97");
        INFRA.salesforce().loadDeal(invalid, true);
        awaitSyncStatus("006Dn0MetReviewAAA", "Requires Review");

        INFRA.erp().faults().outage(503);
        INFRA.salesforce().loadDeal(seedDeal("006Dn0MetFailedAAA", "001Dn0MetFailedAAA"), true);
        awaitSyncStatus("006Dn0MetFailedAAA", "Failed");
        INFRA.erp().faults().clear();

        assertThat(value("revenue_bridge_deals_total", "outcome=\"synced\"")).isEqualTo(1.0);
        assertThat(value("revenue_bridge_deals_total", "outcome=\"requires_review\"")).isEqualTo(1.0);
        assertThat(value("revenue_bridge_deals_total", "outcome=\"failed\"")).isEqualTo(1.0);
        assertThat(value("revenue_bridge_deal_close_to_synced_seconds_count", "")).isEqualTo(1.0);
        assertThat(value("revenue_bridge_deal_close_to_synced_seconds_sum", "")).as("seconds from close to synced")
                .isPositive().isLessThan(60);
        // the gauges read from PostgreSQL follow within their refresh interval (500 ms in tests)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(value("revenue_bridge_dead_letters_open", "")).isEqualTo(1.0);
            assertThat(value("revenue_bridge_exceptions_open", "kind=\"validation\"")).isEqualTo(1.0);
            assertThat(value("revenue_bridge_deals_by_status", "status=\"Synced\"")).isEqualTo(1.0);
            assertThat(value("revenue_bridge_deals_by_status", "status=\"Failed\"")).isEqualTo(1.0);
            assertThat(value("revenue_bridge_salesforce_replay_position_age_seconds", "")).isBetween(0.0, 60.0);
        });
        assertThat(value("revenue_bridge_salesforce_event_lag_seconds", "")).isBetween(0.0, 60.0);
        assertThat(value("revenue_bridge_external_calls_seconds_count", "status=\"2xx\",system=\"stripe\"")).isPositive();
        assertThat(value("revenue_bridge_external_calls_seconds_count", "status=\"2xx\",system=\"erp\"")).isPositive();
        assertThat(value("revenue_bridge_external_calls_seconds_count", "status=\"5xx\",system=\"erp\""))
                .as("the outage's 503s").isPositive();
        assertThat(value("revenue_bridge_external_calls_seconds_count", "status=\"2xx\",system=\"salesforce\"")).isPositive();

        Set<String> scraped = names(scrape());
        Set<String> referenced = new TreeSet<>();
        referenced.addAll(referencedIn(Path.of("k8s/base/prometheusrule.yaml")));
        referenced.addAll(referencedIn(Path.of("k8s/base/grafana-dashboard.json")));
        assertThat(referenced).as("metrics the alerts and the dashboard use").hasSizeGreaterThan(15);
        // one series per currency with an open unreconciled payout (and the corporate currency, when set): none here
        referenced.remove("revenue_bridge_payouts_unreconciled_amount");
        assertThat(scraped).as("on /actuator/prometheus").containsAll(referenced);
        // the alert rules are a PrometheusRule Kubernetes reads, each with a runbook line in the README
        var rules = new ObjectMapper(new YAMLFactory()).readTree(Path.of("k8s/base/prometheusrule.yaml").toFile());
        String readme = Files.readString(Path.of("README.md"));
        rules.path("spec").path("groups").get(0).path("rules").forEach(rule ->
                assertThat(readme).as("runbook line of %s", rule.path("alert").asText())
                        .contains("`" + rule.path("alert").asText() + "`"));
    }

    private String scrape() {
        var response = as("viewer").getForEntity("/actuator/prometheus", String.class);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        return response.getBody();
    }

    /** The sample of a metric whose labels contain these (in Prometheus' order: alphabetical). */
    private double value(String name, String labels) {
        Matcher m = SAMPLE.matcher(scrape());
        while (m.find()) {
            String sampleLabels = m.group(2) == null ? "" : m.group(2);
            if (m.group(1).equals(name) && sampleLabels.contains(labels)) {
                return Double.parseDouble(m.group(3));
            }
        }
        throw new AssertionError(name + "{" + labels + "} is not on /actuator/prometheus");
    }

    private static Set<String> names(String exposition) {
        Matcher m = SAMPLE.matcher(exposition);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> referencedIn(Path file) throws IOException {
        return REFERENCED.matcher(Files.readString(file)).results().map(r -> r.group())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
