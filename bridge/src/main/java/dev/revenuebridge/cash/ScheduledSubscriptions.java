package dev.revenuebridge.cash;

import dev.revenuebridge.trace.DealTrace;
import java.util.Map;
import org.apache.camel.Body;
import org.springframework.stereotype.Component;

/**
 * A contract that starts later than the next natural billing date is billed by a subscription schedule, which creates
 * the subscription on the contract start (customer.subscription.created, with {@code schedule} set). Its metadata (the
 * schedule's phase's) names the deal: the subscription is linked to the deal and shown on the Opportunity, in place of
 * the schedule's id it showed until then.
 */
@Component("scheduledSubscriptions")
public class ScheduledSubscriptions {

    private final DealTrace trace;

    public ScheduledSubscriptions(DealTrace trace) {
        this.trace = trace;
    }

    /** Links the started subscription to its deal; returns the Opportunity id. */
    @SuppressWarnings("unchecked")
    public String link(@Body Map<String, Object> event) {
        Map<String, Object> subscription = (Map<String, Object>) ((Map<String, Object>) event.get("data")).get("object");
        String id = String.valueOf(subscription.get("id"));
        Object metadata = subscription.get("metadata");
        String opportunityId = metadata instanceof Map<?, ?> m && m.get("sf_opportunity_id") != null
                ? String.valueOf(m.get("sf_opportunity_id")) : null;
        if (opportunityId == null || !trace.known(opportunityId)) {
            throw new StripeCash.UnknownStripeObjectException(id, "Stripe subscription " + id + " (schedule "
                    + subscription.get("schedule") + ") belongs to no deal the bridge synced: it was made outside the bridge");
        }
        trace.link(opportunityId, "stripe", "subscription", id);
        return opportunityId;
    }

    /** The Opportunity's subscription id, now that there is a subscription. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> writeBack(@Body Map<String, Object> event) {
        Map<String, Object> subscription = (Map<String, Object>) ((Map<String, Object>) event.get("data")).get("object");
        return Map.of("Stripe_Subscription_Id__c", String.valueOf(subscription.get("id")));
    }
}
