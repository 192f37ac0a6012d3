package dev.revenuebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** An Opportunity change event's Avro record (as the Pub/Sub API's GENERIC_RECORD deserialization gives it) as JSON. */
class ChangeEventJsonTest {

    /** The shape of Salesforce's OpportunityChangeEvent schema: header record with an enum, nullable unions, a compound field. */
    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type":"record","name":"OpportunityChangeEvent","namespace":"com.sforce.eventbus","fields":[
              {"name":"ChangeEventHeader","type":{"type":"record","name":"ChangeEventHeader","fields":[
                {"name":"entityName","type":"string"},
                {"name":"recordIds","type":{"type":"array","items":"string"}},
                {"name":"changeType","type":{"type":"enum","name":"ChangeType","symbols":["CREATE","UPDATE","DELETE"]}},
                {"name":"commitTimestamp","type":"long"},
                {"name":"sequenceNumber","type":"int"},
                {"name":"changedFields","type":{"type":"array","items":"string"}}]}},
              {"name":"Name","type":["null","string"],"default":null},
              {"name":"IsWon","type":["null","boolean"],"default":null},
              {"name":"Amount","type":["null","double"],"default":null},
              {"name":"BillingAddress","type":["null",{"type":"record","name":"Address","fields":[
                {"name":"City","type":["null","string"],"default":null}]}],"default":null}]}
            """);

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aDecodedEventIsItsFieldsAsPlainJson() throws Exception {
        GenericRecord event = new GenericData.Record(SCHEMA);
        event.put("ChangeEventHeader", header("UPDATE", 1_766_163_900_000L, List.of("0x18")));
        event.put("Name", "Acme \"platform\" renewal");
        event.put("IsWon", true);
        event.put("Amount", 120_000.0);
        // what the consumer hands over: decoded from the binary payload (strings are Avro Utf8, arrays GenericArray)
        GenericRecord decoded = roundTrip(event);

        JsonNode json = mapper.readTree(new ChangeEventJson().json(decoded));

        assertThat(json.path("ChangeEventHeader").path("changeType").asText()).isEqualTo("UPDATE");
        assertThat(json.path("ChangeEventHeader").path("recordIds").get(0).asText()).isEqualTo("006Dn00000SeedAAA");
        assertThat(json.path("ChangeEventHeader").path("commitTimestamp").asLong()).isEqualTo(1_766_163_900_000L);
        assertThat(json.path("ChangeEventHeader").path("changedFields").get(0).asText()).isEqualTo("0x18");
        assertThat(json.path("Name").asText()).isEqualTo("Acme \"platform\" renewal");
        assertThat(json.path("IsWon").isBoolean()).isTrue();
        assertThat(json.path("Amount").decimalValue()).isEqualByComparingTo("120000");
        // a field the change left alone is there, null (the bitmaps tell a clear from an untouched field)
        assertThat(json.has("BillingAddress")).isTrue();
        assertThat(json.path("BillingAddress").isNull()).isTrue();
        assertThat(mapper.convertValue(json, java.util.Map.class)).containsOnlyKeys("ChangeEventHeader", "Name", "IsWon",
                "Amount", "BillingAddress");
    }

    @Test
    void aCompoundFieldIsAnObject() throws Exception {
        GenericRecord event = roundTrip(minimal(address("Dublin")));
        assertThat(mapper.readTree(new ChangeEventJson().json(event)).path("BillingAddress").path("City").asText())
                .isEqualTo("Dublin");
    }

    private static GenericRecord address(String city) {
        Schema address = SCHEMA.getField("BillingAddress").schema().getTypes().get(1);
        GenericRecord record = new GenericData.Record(address);
        record.put("City", city);
        return record;
    }

    private static GenericRecord minimal(GenericRecord address) {
        GenericRecord event = new GenericData.Record(SCHEMA);
        event.put("ChangeEventHeader", header("CREATE", 1L, List.of()));
        event.put("BillingAddress", address);
        return event;
    }

    /** The change event header of the seed Opportunity. */
    private static GenericRecord header(String changeType, long commitTimestamp, List<String> changedFields) {
        GenericRecord header = new GenericData.Record(SCHEMA.getField("ChangeEventHeader").schema());
        header.put("entityName", "Opportunity");
        header.put("recordIds", List.of("006Dn00000SeedAAA"));
        header.put("changeType", new GenericData.EnumSymbol(header.getSchema().getField("changeType").schema(), changeType));
        header.put("commitTimestamp", commitTimestamp);
        header.put("sequenceNumber", 1);
        header.put("changedFields", changedFields);
        return header;
    }

    private static GenericRecord roundTrip(GenericRecord event) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(SCHEMA).write(event, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(SCHEMA).read(null,
                DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }
}
