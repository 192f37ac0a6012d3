package dev.revenuebridge.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The checks a deal event passes before deal-sync reads it. A deal event is small (an Opportunity Id and the change's
 * header); one that is too big, has no usable Opportunity Id or a type the bridge does not publish was not written by
 * the bridge's ingest or approvals, and is kept as a dead letter with the reason instead of being read.
 */
@Component("dealEventCheck")
public class DealEventCheck {

    /** Why a deal event cannot be read. Permanent: it goes to the dead letters at once, without retries. */
    public static class UnreadableDealEventException extends RuntimeException {
        public UnreadableDealEventException(String message) {
            super(message);
        }
    }

    /** Change types of Salesforce change events (GAP_* included), the bridge's own decisions (approvals) and its sweep. */
    static final Set<String> KNOWN_CHANGE_TYPES = Set.of("CREATE", "UPDATE", "GAP_CREATE", "GAP_UPDATE", "APPROVAL", "SWEEP");
    /** 006 and 12 to 15 more: Salesforce's 15- and 18-character ids, and the worked example's 17-character one. */
    private static final Pattern OPPORTUNITY_ID = Pattern.compile("006[A-Za-z0-9]{12,15}");

    private final int maxBytes;

    public DealEventCheck(@Value("${revenue.kafka.max-deal-event-bytes:65536}") int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Before parsing: the raw record's size. */
    public void size(String raw) {
        int bytes = raw == null ? 0 : raw.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new UnreadableDealEventException("deal event of " + bytes + " bytes is over the limit of " + maxBytes
                    + " (revenue.kafka.max-deal-event-bytes): not read");
        }
        if (bytes == 0) {
            throw new UnreadableDealEventException("empty deal event");
        }
    }

    /** After parsing: an Opportunity Id and a known type. */
    public void fields(Object event) {
        if (!(event instanceof Map<?, ?> fields)) {
            throw new UnreadableDealEventException("deal event is not a JSON object: " + abbreviate(String.valueOf(event)));
        }
        Object id = fields.get("opportunityId");
        if (id == null || !OPPORTUNITY_ID.matcher(String.valueOf(id)).matches()) {
            throw new UnreadableDealEventException(id == null ? "deal event without opportunityId"
                    : "deal event with an opportunityId that is not an Opportunity Id: " + abbreviate(String.valueOf(id)));
        }
        Object type = fields.get("changeType");
        if (type != null && !KNOWN_CHANGE_TYPES.contains(String.valueOf(type))) {
            throw new UnreadableDealEventException("deal event of Opportunity " + id + " has an unknown changeType "
                    + abbreviate(String.valueOf(type)) + " (known: " + String.join(", ", KNOWN_CHANGE_TYPES.stream().sorted().toList()) + ")");
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 79) + "…" : text;
    }
}
