package dev.revenuebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ChangeEventHeader bitmaps decoded as the Pub/Sub API documents them ("Event Deserialization Considerations"). */
class ChangeEventReaderTest {

    private static final List<String> SCHEMA = List.of("ChangeEventHeader", "Name", "AccountId", "StageName", "IsWon",
            "Amount", "CloseDate", "BillingAddress");

    @Test
    void aBitIsTheFieldAtThatPositionOfTheSchema() {
        // 0x18 = bits 3 and 4: StageName and IsWon
        assertThat(ChangeEventReader.decode("0x18", SCHEMA)).containsExactly("StageName", "IsWon");
        assertThat(ChangeEventReader.decode("0x2", SCHEMA)).containsExactly("Name");
        // a nested bitmap of the compound field at position 7 is a change of that field
        assertThat(ChangeEventReader.decode("7-0x06", SCHEMA)).containsExactly("BillingAddress");
        assertThat(ChangeEventReader.decode("0x0", SCHEMA)).isEmpty();
        assertThatThrownBy(() -> ChangeEventReader.decode("StageName", SCHEMA)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFieldSetToNullIsAChangeThoughItsValueIsNullLikeEveryUnchangedField() {
        Map<String, Object> event = event("0x20", "0x20", null, null);   // Amount cleared; Name unchanged (null too)
        assertThat(ChangeEventReader.changedFields(event, header(event))).containsExactly("Amount");
    }

    @Test
    void withoutBitmapsTheFieldsWithValuesAreTheChange() {
        Map<String, Object> event = event(null, null, "Acme renewal", null);
        assertThat(ChangeEventReader.changedFields(event, header(event))).containsExactly("Name");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> header(Map<String, Object> event) {
        return (Map<String, Object>) event.get("ChangeEventHeader");
    }

    private static Map<String, Object> event(String changed, String nulled, String name, Object amount) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("changeType", "UPDATE");
        header.put("changedFields", changed == null ? List.of() : List.of(changed));
        header.put("nulledFields", nulled == null ? List.of() : List.of(nulled));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("ChangeEventHeader", header);
        event.put("Name", name);
        event.put("AccountId", null);
        event.put("StageName", null);
        event.put("IsWon", null);
        event.put("Amount", amount);
        event.put("CloseDate", null);
        event.put("BillingAddress", null);
        return event;
    }
}
