package dev.revenuebridge.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real mapping files as shipped, reloading in local mode, and errors that name the file and the field. */
class MappingCatalogTest {

    @TempDir
    Path dir;

    @Test
    void theShippedMappingsCarryTheWorkedExample() {
        MappingCatalog mappings = new MappingCatalog("mappings", false);
        assertThat(mappings.product("IMPL-STD")).hasValueSatisfying(p -> {
            assertThat(p.billing()).isEqualTo(MappingCatalog.Billing.ONE_TIME);
            assertThat(p.recognition()).isEqualTo(MappingCatalog.Recognition.POINT_IN_TIME);
            assertThat(p.standaloneSellingPrice()).isEqualByComparingTo(new BigDecimal("20000.00"));
        });
        assertThat(mappings.product("PLAT-SUB")).hasValueSatisfying(p -> {
            assertThat(p.billing()).isEqualTo(MappingCatalog.Billing.RECURRING);
            assertThat(p.interval()).isEqualTo("month");
        });
        assertThat(mappings.product("TRAIN-STD")).isPresent();
        assertThat(mappings.paymentTerm("Net 30")).hasValueSatisfying(t -> assertThat(t.days()).isEqualTo(30));
        assertThat(mappings.subsidiary("US")).hasValueSatisfying(s -> assertThat(s.currency()).isEqualTo("USD"));
        assertThat(mappings.subsidiary("DE")).hasValueSatisfying(s -> assertThat(s.currency()).isEqualTo("EUR"));
        assertThat(mappings.stripePaymentMethod("ACH")).hasValue("us_bank_account");
        assertThat(mappings.salesforceField("lineItem", "productCode")).isEqualTo("Product2.ProductCode");
    }

    @Test
    void anEditedFileTakesEffectWhenReloadIsOn() throws IOException {
        copyShippedMappings();
        MappingCatalog mappings = new MappingCatalog(dir.toString(), true);
        assertThat(mappings.paymentTerm("Net 90")).isEmpty();

        Path terms = dir.resolve("payment-terms.yaml");
        Files.writeString(terms, Files.readString(terms) + "  \"Net 90\": {days: 90, erpTerm: \"9\"}\n");
        Files.setLastModifiedTime(terms, FileTime.from(Instant.now().plusSeconds(5)));

        assertThat(mappings.paymentTerm("Net 90")).hasValueSatisfying(t -> assertThat(t.days()).isEqualTo(90));
    }

    @Test
    void aBrokenFileKeepsThePreviousMappingsWhenReloading() throws IOException {
        copyShippedMappings();
        MappingCatalog mappings = new MappingCatalog(dir.toString(), true);
        Path terms = dir.resolve("payment-terms.yaml");
        Files.writeString(terms, "paymentTerms:\n  \"Net 30\": {days: thirty, erpTerm: \"2\"}\n");
        Files.setLastModifiedTime(terms, FileTime.from(Instant.now().plusSeconds(5)));

        assertThat(mappings.paymentTerm("Net 30")).hasValueSatisfying(t -> assertThat(t.days()).isEqualTo(30));
    }

    @Test
    void aMappingErrorNamesTheFileTheEntryAndTheField() throws IOException {
        copyShippedMappings();
        Files.writeString(dir.resolve("products.yaml"), """
                products:
                  PLAT-SUB:
                    name: Platform subscription
                    billing: sometimes
                    recognition: ratable
                    stripe: {product: PLAT-SUB}
                    erp: {item: "502"}
                    standaloneSellingPrice: {USD: "10000.00"}
                """);
        assertThatThrownBy(() -> new MappingCatalog(dir.toString(), false))
                .isInstanceOf(MappingException.class)
                .hasMessage("mappings/products.yaml: PLAT-SUB.billing has an unknown value 'sometimes'");

        Files.writeString(dir.resolve("subsidiaries.yaml"), Files.readString(Path.of("mappings/subsidiaries.yaml"))
                .replace("  US: us", "  US: north-america"));
        copy("products.yaml");
        assertThatThrownBy(() -> new MappingCatalog(dir.toString(), false))
                .hasMessageContaining("mappings/subsidiaries.yaml: billingCountries.US")
                .hasMessageContaining("north-america");
    }

    @Test
    void aKeyTheFileDoesNotKnowIsAnErrorNotASilentDefault() throws IOException {
        copyShippedMappings();
        // "standrd" would leave Quarterly non-standard (every quarterly deal held for approval) without a word
        Files.writeString(dir.resolve("billing-cadences.yaml"), Files.readString(Path.of("mappings/billing-cadences.yaml"))
                .replace("Quarterly: {months: 3, standard: true}", "Quarterly: {months: 3, standrd: true}"));
        assertThatThrownBy(() -> new MappingCatalog(dir.toString(), false))
                .isInstanceOf(MappingException.class)
                .hasMessage("mappings/billing-cadences.yaml: billingCadences.Quarterly.standrd is not a key this file"
                        + " knows (allowed here: months, standard)");

        copy("billing-cadences.yaml");
        Files.writeString(dir.resolve("salesforce-fields.yaml"), Files.readString(Path.of("mappings/salesforce-fields.yaml"))
                .replace("  billingCadence: Billing_Cadence__c", "  billingCadense: Billing_Cadence__c"));
        assertThatThrownBy(() -> new MappingCatalog(dir.toString(), false))
                .hasMessageStartingWith("mappings/salesforce-fields.yaml: opportunity.billingCadense is not a key this file knows")
                .hasMessageContaining("billingCadence");

        copy("salesforce-fields.yaml");
        Files.writeString(dir.resolve("products.yaml"), Files.readString(Path.of("mappings/products.yaml"))
                .replaceFirst("erp: \\{item: \"501\"", "erp: {itme: \"501\""));
        assertThatThrownBy(() -> new MappingCatalog(dir.toString(), false))
                .hasMessageStartingWith("mappings/products.yaml: products.IMPL-STD.erp.itme is not a key this file knows");
    }

    private void copyShippedMappings() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
    }

    private void copy(String file) throws IOException {
        Files.copy(Path.of("mappings", file), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
