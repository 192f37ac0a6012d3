package dev.revenuebridge.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The cluster service that elects the replica holding the Salesforce subscription ({@code revenue.cluster.service}):
 * {@code kubernetes}, a coordination.k8s.io Lease through the Kubernetes API (the pod's ServiceAccount needs the Role
 * in k8s/base), or {@code database} (the default), a lease row in PostgreSQL, for replicas anywhere else.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterConfiguration {

    @Bean
    CamelClusterService clusterService(@Value("${revenue.cluster.service}") String kind,
                                       @Value("${revenue.cluster.member-id:}") String memberId,
                                       @Value("${revenue.cluster.lease-duration-ms}") long leaseDurationMillis,
                                       @Value("${revenue.cluster.renew-interval-ms}") long renewIntervalMillis,
                                       @Value("${revenue.cluster.kubernetes.namespace:}") String kubernetesNamespace,
                                       @Value("${revenue.cluster.kubernetes.pod-name:}") String podName,
                                       @Value("${revenue.cluster.kubernetes.lease-name}") String leaseName,
                                       @Value("${revenue.cluster.kubernetes.pod-label}") String podLabel,
                                       JdbcTemplate jdbc) {
        return switch (kind) {
            case "database" -> new DatabaseClusterService(jdbc, memberId(memberId),
                    Duration.ofMillis(leaseDurationMillis), Duration.ofMillis(renewIntervalMillis));
            case "kubernetes" -> kubernetes(kubernetesNamespace, podName, leaseName, podLabel, leaseDurationMillis,
                    renewIntervalMillis);
            default -> throw new IllegalArgumentException("revenue.cluster.service is '" + kind
                    + "': it must be database or kubernetes");
        };
    }

    static KubernetesClusterService kubernetes(String namespace, String podName, String leaseName, String podLabel,
                                               long leaseDurationMillis, long renewIntervalMillis) {
        if (podName.isBlank() || namespace.isBlank()) {
            throw new IllegalArgumentException("revenue.cluster.service=kubernetes needs POD_NAME and POD_NAMESPACE"
                    + " (the Downward API: metadata.name and metadata.namespace)");
        }
        String[] label = podLabel.split("=", 2);
        if (label.length != 2) {
            throw new IllegalArgumentException("revenue.cluster.kubernetes.pod-label must be name=value: " + podLabel);
        }
        KubernetesClusterService service = new KubernetesClusterService();
        service.setKubernetesNamespace(namespace);
        service.setPodName(podName);
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setKubernetesResourceName(leaseName);
        service.setClusterLabels(Map.of(label[0], label[1]));
        service.setLeaseDurationMillis(leaseDurationMillis);
        // renew well before the lease ends (client-go's leader election: renew deadline about two thirds of the lease)
        service.setRenewDeadlineMillis(leaseDurationMillis * 2 / 3);
        service.setRetryPeriodMillis(renewIntervalMillis);
        return service;
    }

    /** The configured member id, or this host's name with a random suffix (two bridges on one host stay two members). */
    static String memberId(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "bridge";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
