package dev.revenuebridge.sandbox.salesforce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Opportunity change events (Change Data Capture) as the Pub/Sub API carries them: Avro binary without a container
 * header, a ChangeEventHeader record, then one nullable field per Opportunity field. As in real orgs, the header's
 * changedFields, diffFields and nulledFields are hex bitmaps of field positions, not names.
 */
final class ChangeEvents {

    static final String TOPIC = "/data/OpportunityChangeEvent";
    static final String SCHEMA_ID = "OppChgEvt-sandbox-v1";

    /** Opportunity fields carried by the event, in schema order after ChangeEventHeader. */
    static final List<String> FIELDS = List.of("Name", "AccountId", "StageName", "IsWon", "Amount", "CloseDate",
            "Type", "CurrencyIsoCode", "LastModifiedDate", "Sync_Status__c", "Billing_Approved__c",
            "Contract_Start_Date__c", "Contract_End_Date__c", "Billing_Cadence__c", "Payment_Terms__c",
            "Payment_Method__c", "Sync_Error__c", "Last_Sync__c", "Stripe_Customer_Id__c", "Stripe_Subscription_Id__c",
            "Stripe_Invoice_Id__c", "ERP_Customer_Id__c", "ERP_Sales_Order_Id__c");

    static final String SCHEMA_JSON = """
            {"type":"record","name":"OpportunityChangeEvent","namespace":"com.sforce.eventbus","fields":[
              {"name":"ChangeEventHeader","type":{"type":"record","name":"ChangeEventHeader","fields":[
                {"name":"entityName","type":"string"},
                {"name":"recordIds","type":{"type":"array","items":"string"}},
                {"name":"changeType","type":{"type":"enum","name":"ChangeType","namespace":"com.salesforce.eventbus",
                  "symbols":["CREATE","UPDATE","DELETE","UNDELETE","GAP_CREATE","GAP_UPDATE","GAP_DELETE",
                             "GAP_UNDELETE","GAP_OVERFLOW","SNAPSHOT"]}},
                {"name":"changeOrigin","type":"string"},
                {"name":"transactionKey","type":"string"},
                {"name":"sequenceNumber","type":"int"},
                {"name":"commitTimestamp","type":"long"},
                {"name":"commitNumber","type":"long"},
                {"name":"commitUser","type":"string"},
                {"name":"nulledFields","type":{"type":"array","items":"string"}},
                {"name":"diffFields","type":{"type":"array","items":"string"}},
                {"name":"changedFields","type":{"type":"array","items":"string"}}]}},
              {"name":"Name","type":["null","string"],"default":null},
              {"name":"AccountId","type":["null","string"],"default":null},
              {"name":"StageName","type":["null","string"],"default":null},
              {"name":"IsWon","type":["null","boolean"],"default":null},
              {"name":"Amount","type":["null","double"],"default":null},
              {"name":"CloseDate","type":["null","long"],"default":null},
              {"name":"Type","type":["null","string"],"default":null},
              {"name":"CurrencyIsoCode","type":["null","string"],"default":null},
              {"name":"LastModifiedDate","type":["null","long"],"default":null},
              {"name":"Sync_Status__c","type":["null","string"],"default":null},
              {"name":"Billing_Approved__c","type":["null","boolean"],"default":null},
              {"name":"Contract_Start_Date__c","type":["null","string"],"default":null},
              {"name":"Contract_End_Date__c","type":["null","string"],"default":null},
              {"name":"Billing_Cadence__c","type":["null","string"],"default":null},
              {"name":"Payment_Terms__c","type":["null","string"],"default":null},
              {"name":"Payment_Method__c","type":["null","string"],"default":null},
              {"name":"Sync_Error__c","type":["null","string"],"default":null},
              {"name":"Last_Sync__c","type":["null","string"],"default":null},
              {"name":"Stripe_Customer_Id__c","type":["null","string"],"default":null},
              {"name":"Stripe_Subscription_Id__c","type":["null","string"],"default":null},
              {"name":"Stripe_Invoice_Id__c","type":["null","string"],"default":null},
              {"name":"ERP_Customer_Id__c","type":["null","string"],"default":null},
              {"name":"ERP_Sales_Order_Id__c","type":["null","string"],"default":null}]}
            """;

    static final Schema SCHEMA = new Schema.Parser().parse(SCHEMA_JSON);

    private ChangeEvents() {
    }

    /**
     * Encodes one change event. {@code changed} holds the changed Opportunity fields and their new values; fields
     * outside {@link #FIELDS} are only flagged in the bitmap.
     */
    static byte[] encode(String changeType, List<String> recordIds, Map<String, Object> changed, String transactionKey,
                         long commitNumber, Instant commitTimestamp, String commitUser) {
        Schema headerSchema = SCHEMA.getField("ChangeEventHeader").schema();
        GenericRecord header = new GenericData.Record(headerSchema);
        header.put("entityName", "Opportunity");
        header.put("recordIds", new ArrayList<>(recordIds));
        header.put("changeType", new GenericData.EnumSymbol(headerSchema.getField("changeType").schema(), changeType));
        header.put("changeOrigin", "com/salesforce/api/rest/56.0;client=revenue-bridge-sandbox");
        header.put("transactionKey", transactionKey);
        header.put("sequenceNumber", 1);
        header.put("commitTimestamp", commitTimestamp.toEpochMilli());
        header.put("commitNumber", commitNumber);
        header.put("commitUser", commitUser);
        // a field set to null is among changedFields and also in nulledFields (Change Data Capture Developer Guide,
        // "Change Event Body Fields"); an event without field changes (GAP_*, DELETE) has empty bitmaps
        List<String> nulled = changed.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
        header.put("nulledFields", nulled.isEmpty() ? List.of() : List.of(bitmap(nulled)));
        header.put("diffFields", List.of());
        header.put("changedFields", changed.isEmpty() ? List.of() : List.of(bitmap(changed.keySet())));

        GenericRecord event = new GenericData.Record(SCHEMA);
        event.put("ChangeEventHeader", header);
        for (String field : FIELDS) {
            Object value = changed.get(field);
            if (value == null) continue;
            event.put(field, switch (field) {
                case "Amount" -> ((Number) value).doubleValue();
                case "IsWon", "Billing_Approved__c" -> Boolean.valueOf(String.valueOf(value));
                case "CloseDate" -> java.time.LocalDate.parse(String.valueOf(value)).toEpochDay();
                case "LastModifiedDate" -> commitTimestamp.toEpochMilli();
                default -> String.valueOf(value);
            });
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(SCHEMA).write(event, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The hex bitmap of changed field positions (position 0 is ChangeEventHeader), as the Pub/Sub API sends it. */
    static String bitmap(Iterable<String> changedFields) {
        BigInteger bits = BigInteger.ZERO;
        for (String field : changedFields) {
            int position = FIELDS.indexOf(field);
            if (position >= 0) {
                bits = bits.setBit(position + 1);
            }
        }
        return "0x" + bits.toString(16).toUpperCase();
    }
}
