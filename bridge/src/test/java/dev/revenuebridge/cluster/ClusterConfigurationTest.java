package dev.revenuebridge.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes Lease cluster service as k8s/base configures it (CLUSTER_SERVICE=kubernetes and the Downward API's
 * POD_NAME and POD_NAMESPACE), and the settings it refuses. No cluster here: what it does with the API is camel-kubernetes'.
 */
class ClusterConfigurationTest {

    @Test
    void theKubernetesServiceUsesALeaseNamedForTheBridgeAndRenewsWithinTwoThirdsOfIt() {
        KubernetesClusterService service = ClusterConfiguration.kubernetes("revenue-bridge", "revenue-bridge-7d9f-abcde",
                "revenue-bridge", "app.kubernetes.io/name=revenue-bridge", 15_000, 2_000);
        assertThat(service.getLeaseResourceType()).isEqualTo(LeaseResourceType.Lease);
        assertThat(service.getKubernetesNamespace()).isEqualTo("revenue-bridge");
        assertThat(service.getPodName()).isEqualTo("revenue-bridge-7d9f-abcde");
        assertThat(service.getKubernetesResourceName()).isEqualTo("revenue-bridge");
        assertThat(service.getClusterLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "revenue-bridge"));
        assertThat(service.getLeaseDurationMillis()).isEqualTo(15_000);
        assertThat(service.getRenewDeadlineMillis()).isEqualTo(10_000);
        assertThat(service.getRetryPeriodMillis()).isEqualTo(2_000);
    }

    @Test
    void withoutThePodsNameOrABadLabelItDoesNotStart() {
        assertThatThrownBy(() -> ClusterConfiguration.kubernetes("", "pod", "revenue-bridge", "a=b", 15_000, 2_000))
                .hasMessageContaining("POD_NAMESPACE");
        assertThatThrownBy(() -> ClusterConfiguration.kubernetes("ns", "pod", "revenue-bridge", "no-equals", 15_000, 2_000))
                .hasMessageContaining("pod-label");
        assertThatThrownBy(() -> new DatabaseClusterService(null, "m", java.time.Duration.ofSeconds(3),
                java.time.Duration.ofSeconds(2))).hasMessageContaining("at most a third");
    }

    @Test
    void twoBridgesOnOneHostAreTwoMembers() {
        assertThat(ClusterConfiguration.memberId("")).isNotEqualTo(ClusterConfiguration.memberId(""));
        assertThat(ClusterConfiguration.memberId("replica-a")).isEqualTo("replica-a");
    }
}
