package dev.revenuebridge.revenue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.salesforce.DealAssembler;
import dev.revenuebridge.mapping.MappingCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a deal in the shape of shared/examples/seed-120k-deal.json ({@code opportunity}, {@code lineItems} with
 * {@code Product2.ProductCode}, {@code account}), as JSON or YAML, into a {@link ClosedWonDeal}. Numbers are read as
 * decimals, never through double.
 */
public final class SeedDeals {

    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private SeedDeals() {
    }

    /** A seed-shaped JSON file on the test classpath, e.g. {@code /deals/seed-120k-deal.json}. */
    public static ClosedWonDeal fromClasspath(String resource) {
        try (InputStream in = SeedDeals.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return fromSeed(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Read exactly as the bridge reads a deal (DealAssembler, through mappings/salesforce-fields.yaml). */
    public static ClosedWonDeal fromSeed(JsonNode seed) {
        try {
            return ASSEMBLER.fromSeed(seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final DealAssembler ASSEMBLER =
            new DealAssembler(new MappingCatalog("mappings", false), new ObjectMapper(), null);
}
