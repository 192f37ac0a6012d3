package dev.revenuebridge.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.camel.Body;
import org.springframework.stereotype.Component;

/**
 * A change event as the Pub/Sub API delivers it (an Avro record, {@code pubSubDeserializeType: GENERIC_RECORD}) written
 * as JSON text: the form the ingest reads, logs and keeps in a dead letter. Fields in schema order; a union's value as
 * itself (no type wrapper), strings and enum symbols as strings, records and maps as objects, arrays as arrays, bytes
 * as base64.
 * <p>
 * Why not camel-salesforce's own {@code JSON} deserialization: it builds a new converter for every event, and each
 * loads Avro's logical-type conversions afresh (a service-loader scan): 16% of the bridge's CPU in the ceiling benchmark.
 */
@Component("changeEventJson")
public class ChangeEventJson {

    private final JsonFactory json = new JsonFactory();

    public String json(@Body GenericRecord event) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator generator = json.createGenerator(out)) {
            write(generator, event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write change event " + event.getSchema().getFullName() + " as JSON", e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator out, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof GenericRecord record) {
            out.writeStartObject();
            for (Schema.Field field : record.getSchema().getFields()) {
                out.writeFieldName(field.name());
                write(out, record.get(field.pos()));
            }
            out.writeEndObject();
        } else if (value instanceof CharSequence || value instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
            out.writeString(value.toString());
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof Integer i) {
            out.writeNumber(i);
        } else if (value instanceof Long l) {
            out.writeNumber(l);
        } else if (value instanceof Float f) {
            out.writeNumber(f);
        } else if (value instanceof Double d) {
            out.writeNumber(d);
        } else if (value instanceof Collection<?> items) {
            out.writeStartArray();
            for (Object item : items) {
                write(out, item);
            }
            out.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.writeFieldName(String.valueOf(entry.getKey()));
                write(out, entry.getValue());
            }
            out.writeEndObject();
        } else if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] raw = new byte[copy.remaining()];
            copy.get(raw);
            out.writeString(Base64.getEncoder().encodeToString(raw));
        } else if (value instanceof GenericFixed fixed) {
            out.writeString(Base64.getEncoder().encodeToString(fixed.bytes()));
        } else {
            throw new IllegalArgumentException("change event value of unexpected type " + value.getClass().getName());
        }
    }
}
