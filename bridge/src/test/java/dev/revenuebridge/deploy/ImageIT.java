package dev.revenuebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the image without a Docker engine (the build has none): after {@code package}, the layered
 * jar's layers are exactly the ones the Dockerfile copies, in order; the Dockerfile's ENTRYPOINT is the jar's launcher;
 * the image runs on a JRE as the numeric non-root user the Deployment's securityContext names.
 */
class ImageIT {

    private static final Path DOCKERFILE = Path.of("Dockerfile");

    @Test
    void theDockerfileCopiesTheLayeredJarsLayersAndRunsAsTheDeploymentsNonRootUser() throws Exception {
        Path jar = builtJar();
        List<String> layers = listLayers(jar);
        assertThat(layers).as("the jar's layers").containsExactly("dependencies", "spring-boot-loader",
                "snapshot-dependencies", "application");

        String dockerfile = Files.readString(DOCKERFILE);
        List<String> copied = new ArrayList<>();
        Matcher copy = Pattern.compile("COPY --from=layers /build/extracted/([a-z-]+)/").matcher(dockerfile);
        while (copy.find()) {
            copied.add(copy.group(1));
        }
        assertThat(copied).as("the layers the Dockerfile copies, least changing first").isEqualTo(layers);

        try (JarFile file = new JarFile(jar.toFile())) {
            String launcher = file.getManifest().getMainAttributes().getValue("Main-Class");
            assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"" + launcher + "\"]");
        }

        String lastStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM ") + 1);
        assertThat(lastStage.lines().findFirst().orElseThrow()).as("the image's base: a JRE, not a JDK").contains("-jre");
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(lastStage);
        assertThat(user.find()).as("a numeric USER (runAsNonRoot can check only a number)").isTrue();
        assertThat(Integer.parseInt(user.group(1))).as("not root").isPositive();

        JsonNode pod = new ObjectMapper(new YAMLFactory()).readTree(Path.of("k8s/base/deployment.yaml").toFile())
                .path("spec").path("template").path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asText()).isEqualTo(user.group(1));
        assertThat(pod.path("securityContext").path("runAsGroup").asText()).isEqualTo(user.group(2));
        assertThat(pod.path("containers").get(0).path("securityContext").path("readOnlyRootFilesystem").asBoolean())
                .isTrue();
    }

    private static Path builtJar() throws IOException {
        // the deployable jar of the bridge module (failsafe passes its build directory)
        try (var files = Files.list(Path.of(System.getProperty("buildDirectory", "bridge/target")))) {
            return files.filter(f -> f.getFileName().toString().matches("revenue-bridge-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no bridge/target/revenue-bridge-*-exec.jar: run after package"));
        }
    }

    private static List<String> listLayers(Path jar) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", jar.toString(), "list-layers")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("java -Djarmode=tools -jar %s list-layers", jar).isZero();
        return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }
}
