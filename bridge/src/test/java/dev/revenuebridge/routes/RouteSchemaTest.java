package dev.revenuebridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every route file is valid against the Camel YAML DSL JSON schema of the Camel version in use (the schema that
 * camel-yaml-dsl ships as schema/camelYamlDsl.json, and that Kaoto and the VS Code tooling read): a file Camel loads
 * but the schema refuses would not open in those editors, and a key the schema does not know is a typo Camel may
 * ignore.
 */
class RouteSchemaTest {

    @Test
    void everyRouteFileIsValidAgainstTheCamelYamlDslSchema() throws IOException {
        JsonSchema schema;
        try (InputStream in = org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader.class
                .getResourceAsStream("/schema/camelYamlDsl.json")) {
            assertThat(in).as("camel-yaml-dsl's schema on the classpath").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Path> files;
        try (Stream<Path> routes = Stream.concat(Files.list(Path.of("routes")), Files.list(Path.of("routes/config")))) {
            files = routes.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(15);
        java.util.Map<String, List<String>> errors = new java.util.TreeMap<>();
        for (Path file : files) {
            JsonNode routes = yaml.readTree(file.toFile());
            Set<ValidationMessage> messages = schema.validate(routes);
            if (!messages.isEmpty()) {
                errors.put(file.toString(), messages.stream().map(ValidationMessage::getMessage).sorted().toList());
            }
        }
        assertThat(errors).as("route files the Camel YAML DSL schema refuses").isEmpty();
    }
}
