package dev.revenuebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every route and mapping file is deployed: the ConfigMaps that routes/kustomization.yaml and
 * mappings/kustomization.yaml generate (and k8s/base takes in) list exactly the files of routes/, routes/config/ and
 * mappings/, so a file added to the repository but not to Kubernetes fails here, not in a pod that has no route for it.
 */
class DeployedFilesTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theConfigMapsCarryEveryRouteAndMappingFile() throws IOException {
        JsonNode base = YAML.readTree(Path.of("k8s/base/kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        base.path("resources").forEach(r -> resources.add(Path.of("k8s/base").resolve(r.asText()).normalize().toString()));
        assertThat(resources).as("k8s/base takes the ConfigMaps of routes/ and mappings/").contains("routes", "mappings");

        assertThat(deployed("routes", "revenue-bridge-routes")).as("routes/ deployed")
                .containsExactlyInAnyOrderElementsOf(files("routes", ".camel.yaml"));
        assertThat(deployed("routes", "revenue-bridge-route-config")).as("routes/config/ deployed")
                .containsExactlyInAnyOrderElementsOf(files("routes/config", ".camel.yaml"));
        assertThat(deployed("mappings", "revenue-bridge-mappings")).as("mappings/ deployed")
                .containsExactlyInAnyOrderElementsOf(files("mappings", ".yaml"));
    }

    /**
     * Every overlay builds with kustomize's default rules (no --load-restrictor), as {@code kubectl apply -k} does, and
     * holds what the bridge needs to run two replicas. Needs kubectl on the PATH (skipped without it).
     */
    @Test
    void everyOverlayBuildsWithKustomizesDefaultRules() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not on the PATH");
        try (Stream<Path> overlays = Files.list(Path.of("k8s/overlays"))) {
            for (Path overlay : overlays.sorted().toList()) {
                Process kustomize = new ProcessBuilder("kubectl", "kustomize", overlay.toString())
                        .redirectErrorStream(true).start();
                String out = new String(kustomize.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(kustomize.waitFor()).as("kubectl kustomize %s: %s", overlay, out).isZero();
                List<String> kinds = out.lines().filter(l -> l.startsWith("kind: ")).map(l -> l.substring(6)).toList();
                assertThat(kinds).as("%s", overlay).contains("Deployment", "Service", "NetworkPolicy",
                        "PodDisruptionBudget", "ServiceAccount", "Role", "RoleBinding", "PrometheusRule", "ServiceMonitor",
                        "KafkaTopic", "ConfigMap");
                assertThat(out).as("%s: the Lease cluster service", overlay).contains("value: kubernetes");
            }
        }
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** The files a directory's kustomization.yaml puts into a ConfigMap, as paths from the repository root. */
    private static List<String> deployed(String directory, String configMap) throws IOException {
        JsonNode kustomization = YAML.readTree(Path.of(directory, "kustomization.yaml").toFile());
        List<String> files = new ArrayList<>();
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            if (configMap.equals(generator.path("name").asText())) {
                generator.path("files").forEach(f -> files.add(Path.of(directory).resolve(f.asText()).normalize().toString()));
            }
        }
        return files;
    }

    private static List<String> files(String directory, String suffix) throws IOException {
        try (Stream<Path> listing = Files.list(Path.of(directory))) {
            return listing.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .map(p -> p.normalize().toString()).sorted().toList();
        }
    }
}
