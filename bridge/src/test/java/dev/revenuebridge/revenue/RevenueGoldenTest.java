package dev.revenuebridge.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.mapping.MappingCatalog;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case in src/test/resources/golden/revenue/ (see the README there): the deal goes through the engine
 * with the shipped catalog (mappings/products.yaml) and must give exactly the expected allocation and schedule, to
 * the cent, or exactly the expected findings.
 */
class RevenueGoldenTest {

    private static final MappingCatalog CATALOG = new MappingCatalog("mappings", false);

    static Stream<Named<Path>> cases() throws IOException, URISyntaxException {
        Path folder = Path.of(Objects.requireNonNull(RevenueGoldenTest.class.getResource("/golden/revenue")).toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted()
                    .map(f -> Named.of(f.getFileName().toString(), f)).toList().stream();
        }
    }

    @Test
    void theFolderHoldsEveryRequiredCase() throws Exception {
        assertThat(cases().map(Named::getName)).contains(
                "01-worked-example.yaml", "02-free-training-carve-out.yaml", "03-mid-month-start-monthly.yaml",
                "04-mid-month-start-daily.yaml", "05-discount.yaml", "06-unsupported-lines.yaml", "07-renewal.yaml",
                "08-amendment-before-recognition.yaml", "09-mid-term-amendment.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theEngineGivesTheExpectedOutcome(Path file) throws IOException {
        JsonNode golden = SeedDeals.YAML.readTree(file.toFile());
        ClosedWonDeal deal = SeedDeals.fromSeed(golden.get("deal"));
        RevenueScheduler scheduler = new RevenueScheduler(CATALOG,
                Convention.of(golden.path("convention").asText("monthly")));
        JsonNode expected = golden.get("expected");

        if (expected.has("findings")) {
            RevenueRecognitionException refused = catchThrowableOfType(() -> scheduler.contract(deal),
                    RevenueRecognitionException.class);
            assertThat(refused).as("the engine refuses the deal").isNotNull();
            assertThat(rows(refused.findings().stream().map(f -> f.lineId() + " " + f.reason())))
                    .isEqualTo(rows(expected.get("findings"), "line", "reason"));
            assertThat(scheduler.findings(deal)).isEqualTo(refused.findings());
            return;
        }

        if (golden.has("amendedIn")) {
            // a mid-term amendment: the original as posted, then the amended deal modified prospectively
            RevenueSchedule posted = scheduler.schedule(scheduler.contract(SeedDeals.fromSeed(golden.get("original"))));
            RevenueSchedule modified = new ContractModification(scheduler).schedule(deal, posted.entries(),
                    java.time.YearMonth.parse(golden.get("amendedIn").asText()));
            assertThat(rows(modified.entries().stream().map(e -> e.month() + " " + e.lineId() + " " + e.productCode()
                    + " " + e.amount().toPlainString())))
                    .isEqualTo(rows(expected.get("schedule"), "month", "line", "product", "amount"));
            assertThat(modified.total().toPlainString()).isEqualTo(expected.get("total").asText());
            return;
        }

        assertThat(scheduler.findings(deal)).isEmpty();
        Contract contract = scheduler.contract(deal);
        assertThat(contract.transactionPrice().toPlainString()).isEqualTo(expected.get("transactionPrice").asText());
        assertThat(rows(contract.obligations().stream().map(o -> o.lineId() + " " + o.productCode() + " "
                + o.standaloneSellingPrice().toPlainString() + " " + o.allocatedAmount().toPlainString())))
                .isEqualTo(rows(expected.get("allocation"), "line", "product", "standaloneSellingPrice", "allocated"));

        RevenueSchedule schedule = scheduler.schedule(contract);
        assertThat(rows(schedule.entries().stream().map(e -> e.month() + " " + e.lineId() + " " + e.productCode()
                + " " + e.amount().toPlainString())))
                .isEqualTo(rows(expected.get("schedule"), "month", "line", "product", "amount"));
        assertThat(schedule.total().toPlainString()).isEqualTo(expected.get("total").asText());
        assertThat(schedule.total()).isEqualTo(contract.transactionPrice());
    }

    private static List<String> rows(Stream<String> actual) {
        return actual.toList();
    }

    private static List<String> rows(JsonNode expected, String... columns) {
        List<String> rows = new ArrayList<>();
        for (JsonNode row : expected) {
            List<String> cells = new ArrayList<>();
            for (String column : columns) {
                cells.add(row.get(column).asText());
            }
            rows.add(String.join(" ", cells));
        }
        return rows;
    }
}
