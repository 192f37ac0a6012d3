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
 * Every route and mapping file is deployed: k8s/base's ConfigMaps list exactly the files of routes/,
 * routes/config/ and mappings/, so a file added to the repository but not to Kubernetes fails here, not in a pod that
 * has no route for it.
 */
class DeployedFilesTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theConfigMapsCarryEveryRouteAndMappingFile() throws IOException {
        JsonNode kustomization = YAML.readTree(Path.of("k8s/base/kustomization.yaml").toFile());
        assertThat(deployed(kustomization, "revenue-bridge-routes")).as("routes/ in k8s/base")
                .containsExactlyInAnyOrderElementsOf(files("routes", ".camel.yaml"));
        assertThat(deployed(kustomization, "revenue-bridge-route-config")).as("routes/config/ in k8s/base")
                .containsExactlyInAnyOrderElementsOf(files("routes/config", ".camel.yaml"));
        assertThat(deployed(kustomization, "revenue-bridge-mappings")).as("mappings/ in k8s/base")
                .containsExactlyInAnyOrderElementsOf(files("mappings", ".yaml"));
    }

    private static List<String> deployed(JsonNode kustomization, String configMap) {
        List<String> files = new ArrayList<>();
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            if (configMap.equals(generator.path("name").asText())) {
                generator.path("files").forEach(f -> files.add(Path.of("k8s/base").resolve(f.asText()).normalize().toString()));
            }
        }
        return files;
    }

    private static List<String> files(String directory, String suffix) throws IOException {
        try (Stream<Path> listing = Files.list(Path.of(directory))) {
            return listing.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
                    .map(p -> p.normalize().toString()).sorted().toList();
        }
    }
}
