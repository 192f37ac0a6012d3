package dev.revenuebridge.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.trace.DealTrace;
import org.springframework.stereotype.Component;

/**
 * Turns one Opportunity change event (as the Pub/Sub API delivers it, deserialized to a Map) into deal events, one per
 * changed record (a change event may carry several Opportunity ids), each saying why it may matter:
 * {@code closedWon} (IsWon was set to true) or {@code dealChanged} (a deal the bridge tracks, synced or held, had one
 * of its Salesforce-owned fields changed: evaluated again, or amended). In an update event the Pub/Sub API sends the changed
 * fields with values and the others as null; a change of bridge-owned fields only is the bridge's own write-back.
 */
@Component("changeEventReader")
public class ChangeEventReader {

    private final MappingCatalog mappings;
    private final DealTrace trace;

    public ChangeEventReader(MappingCatalog mappings, DealTrace trace) {
        this.mappings = mappings;
        this.trace = trace;
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> dealEvents(@Body Map<String, Object> event,
                                                @Header("CamelSalesforcePubSubReplayId") String replayId) {
        Map<String, Object> header = (Map<String, Object>) event.get("ChangeEventHeader");
        if (header == null) {
            throw new IllegalArgumentException("change event without ChangeEventHeader");
        }
        List<String> changedDealFields = event.entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getKey().equals("ChangeEventHeader"))
                .map(Map.Entry::getKey)
                .filter(field -> !mappings.bridgeOwnedFields().contains(field) && !mappings.systemFields().contains(field))
                .toList();
        boolean closedWon = Boolean.TRUE.equals(event.get("IsWon"));
        // a gap event says "this record changed" without what changed: the deal is read afresh and evaluated
        boolean gap = String.valueOf(header.get("changeType")).startsWith("GAP_");
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
            dealEvent.put("closedWon", closedWon);
            dealEvent.put("dealChanged", !closedWon && !changedDealFields.isEmpty()
                    && trace.tracked(String.valueOf(recordId)));
            dealEvent.put("changedFields", changedDealFields);
            dealEvent.put("gap", gap);
            out.add(dealEvent);
        }
        return out;
    }
}
