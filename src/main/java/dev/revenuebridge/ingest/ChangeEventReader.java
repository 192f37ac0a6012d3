package dev.revenuebridge.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Turns one Opportunity change event (as the Pub/Sub API delivers it, deserialized to a Map) into the deal events the
 * bridge publishes on Kafka, one per changed record: a change event may carry several Opportunity ids.
 */
@Component("changeEventReader")
public class ChangeEventReader {

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> dealEvents(@Body Map<String, Object> event,
                                                @Header("CamelSalesforcePubSubReplayId") String replayId) {
        Map<String, Object> header = (Map<String, Object>) event.get("ChangeEventHeader");
        if (header == null) {
            throw new IllegalArgumentException("change event without ChangeEventHeader");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object recordId : (List<Object>) header.getOrDefault("recordIds", List.of())) {
            Map<String, Object> dealEvent = new LinkedHashMap<>();
            dealEvent.put("opportunityId", String.valueOf(recordId));
            dealEvent.put("changeType", String.valueOf(header.get("changeType")));
            dealEvent.put("stageName", event.get("StageName"));
            dealEvent.put("commitNumber", header.get("commitNumber"));
            dealEvent.put("commitTimestamp", header.get("commitTimestamp") instanceof Number n
                    ? Instant.ofEpochMilli(n.longValue()).toString() : null);
            dealEvent.put("transactionKey", header.get("transactionKey"));
            dealEvent.put("commitUser", header.get("commitUser"));
            dealEvent.put("replayId", replayId);
            out.add(dealEvent);
        }
        return out;
    }
}
