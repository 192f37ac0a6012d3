package dev.revenuebridge.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.revenue.RevenueScheduler;
import dev.revenuebridge.revenue.SeedDeals;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The validation gate against the golden cases in src/test/resources/golden/validation, word for word. */
class ValidationGoldenTest {

    static final MappingCatalog MAPPINGS = new MappingCatalog("mappings", false);
    static final ValidationGate GATE = new ValidationGate(MAPPINGS, new RevenueScheduler(MAPPINGS, "monthly"));

    /** A folder of golden cases under src/test/resources/golden, from the test classpath. */
    static Path golden(String folder) {
        try {
            return Path.of(java.util.Objects.requireNonNull(ValidationGoldenTest.class.getResource("/golden/" + folder),
                    "no golden/" + folder + " on the test classpath").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Path> cases() throws IOException {
        return Files.list(golden("validation")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theGateSaysWhatTheGoldenCaseSays(Path file) throws IOException {
        JsonNode golden = SeedDeals.YAML.readTree(file.toFile());
        ValidationGate.Verdict verdict = GATE.evaluate(SeedDeals.fromSeed(deal(golden.path("deal"))));
        JsonNode expected = golden.path("expected");
        String status = !verdict.valid() ? "Requires Review" : verdict.needsApproval() ? "Pending Approval" : "Valid";
        assertThat(status).as(golden.path("description").asText()).isEqualTo(expected.path("status").asText());
        assertThat(verdict.reasons()).containsExactlyElementsOf(strings(expected.path("reasons")));
        assertThat(verdict.approvalReasons()).containsExactlyElementsOf(strings(expected.path("approvalReasons")));
    }

    /** The seed deal with the case's changes applied. */
    static JsonNode deal(JsonNode spec) throws IOException {
        ObjectNode seed;
        try (InputStream in = ValidationGoldenTest.class.getResourceAsStream(spec.path("seed").asText())) {
            seed = (ObjectNode) SeedDeals.YAML.readTree(in);
        }
        for (String section : List.of("opportunity", "account")) {
            if (spec.path(section).isObject()) {
                ((ObjectNode) seed.path(section)).setAll((ObjectNode) spec.path(section));
            }
        }
        for (JsonNode change : spec.path("lineItems")) {
            for (JsonNode line : seed.path("lineItems")) {
                if (line.path("Id").asText().equals(change.path("Id").asText())) {
                    ((ObjectNode) line).setAll((ObjectNode) change);
                }
            }
        }
        return seed;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
