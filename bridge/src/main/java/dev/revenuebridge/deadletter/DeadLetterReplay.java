package dev.revenuebridge.deadletter;

import dev.revenuebridge.trace.DeadLetters;

import dev.revenuebridge.kafka.DealEventPublisher;
import dev.revenuebridge.trace.Approvals;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedOperationParameters;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/**
 * Replays and discards dead letters: over JMX ({@code revenue-bridge:type=DeadLetters}, e.g. from Hawtio or jconsole)
 * and the ops API. A deal-sync dead letter is replayed by putting its original message back on the deals topic: it
 * passes the same idempotency guards as any delivery (processed keys, the link table, Stripe idempotency keys, ERP
 * upserts), so replaying a message that was already applied creates nothing new. Every action goes to the audit log.
 */
@Component("deadLetterReplay")
@ManagedResource(objectName = "revenue-bridge:type=DeadLetters", description = "Dead letters: list, replay, discard")
public class DeadLetterReplay {

    /** The outcome of one operator action, in words. */
    public record Outcome(long id, boolean done, String detail) {
    }

    private final DeadLetters deadLetters;
    private final Approvals audit;
    private final DealEventPublisher dealEvents;
    private final dev.revenuebridge.cash.StripeEventPublisher stripeEvents;

    public DeadLetterReplay(DeadLetters deadLetters, Approvals audit, DealEventPublisher dealEvents,
                            dev.revenuebridge.cash.StripeEventPublisher stripeEvents) {
        this.stripeEvents = stripeEvents;
        this.deadLetters = deadLetters;
        this.audit = audit;
        this.dealEvents = dealEvents;
    }

    @ManagedOperation(description = "Open dead letters, newest first: id, route, Opportunity, error")
    public List<String> list() {
        return deadLetters.list("open").stream().map(d -> d.id() + " | " + d.sourceRoute() + " > " + d.routeId() + " | "
                + d.opportunityId() + " | " + d.errorMessage()).toList();
    }

    @ManagedOperation(description = "Replay one dead letter through the same idempotency guards")
    @ManagedOperationParameters(@ManagedOperationParameter(name = "id", description = "dead letter id"))
    public String replay(long id) {
        return replay(id, jmxActor()).detail();
    }

    @ManagedOperation(description = "Replay every open dead letter of a route (empty: any) whose error contains a text (empty: any)")
    @ManagedOperationParameters({
            @ManagedOperationParameter(name = "routeId", description = "source or failing route id, e.g. deal-sync or erp-sales-order"),
            @ManagedOperationParameter(name = "reasonContains", description = "text the error message contains, e.g. HTTP 503")})
    public String replayAll(String routeId, String reasonContains) {
        List<Outcome> outcomes = new ArrayList<>();
        for (DeadLetters.DeadLetter letter : deadLetters.list("open")) {
            boolean route = routeId == null || routeId.isBlank() || routeId.equals(letter.routeId())
                    || routeId.equals(letter.sourceRoute());
            boolean reason = reasonContains == null || reasonContains.isBlank()
                    || String.valueOf(letter.errorMessage()).contains(reasonContains);
            if (route && reason) {
                outcomes.add(replay(letter.id(), jmxActor()));
            }
        }
        return outcomes.stream().filter(Outcome::done).count() + " of " + outcomes.size() + " replayed";
    }

    @ManagedOperation(description = "Discard one dead letter, with the reason (kept in the audit log)")
    @ManagedOperationParameters({
            @ManagedOperationParameter(name = "id", description = "dead letter id"),
            @ManagedOperationParameter(name = "reason", description = "why it is discarded")})
    public String discard(long id, String reason) {
        return discard(id, reason, jmxActor()).detail();
    }

    public Outcome replay(long id, String actor) {
        var letter = deadLetters.find(id);
        if (letter.isEmpty()) {
            return new Outcome(id, false, "no dead letter " + id);
        }
        DeadLetters.DeadLetter d = letter.get();
        if (!"open".equals(d.status())) {
            return new Outcome(id, false, "dead letter " + id + " is " + d.status() + ", not open");
        }
        String topic;
        if ("deal-sync".equals(d.sourceRoute()) && d.body() != null) {
            dealEvents.publish(d.opportunityId() != null ? d.opportunityId() : String.valueOf(id), d.body());
            topic = dealEvents.topic();
        } else if ("stripe-events".equals(d.sourceRoute()) && d.body() != null && stripeEvents.objectId(d.body()) != null) {
            // a Stripe event whose booking failed: applied again (its id was not kept as processed)
            stripeEvents.publish(d.body(), stripeEvents.objectId(d.body()));
            topic = stripeEvents.topic();
        } else {
            return new Outcome(id, false, "dead letter " + id + " came from " + d.sourceRoute()
                    + ": only deal events and Stripe events can be replayed; fix the source and let it send again");
        }
        deadLetters.resolve(id, "replayed", "replayed by " + actor);
        audit.operatorAction(d.opportunityId(), "dead-letter-replay", actor, "dead letter " + id + ": " + d.errorMessage());
        return new Outcome(id, true, "dead letter " + id + " replayed onto " + topic);
    }

    public Outcome discard(long id, String reason, String actor) {
        if (reason == null || reason.isBlank()) {
            return new Outcome(id, false, "a discard needs a reason");
        }
        var letter = deadLetters.find(id);
        if (letter.isEmpty() || !deadLetters.resolve(id, "discarded", reason)) {
            return new Outcome(id, false, "dead letter " + id + " is not open");
        }
        audit.operatorAction(letter.get().opportunityId(), "dead-letter-discard", actor, "dead letter " + id + ": " + reason);
        return new Outcome(id, true, "dead letter " + id + " discarded");
    }

    /**
     * Who called an MBean operation: the operator signed in to Jolokia/Hawtio (the call runs in their request), or
     * "jmx" for a direct JMX connection, which has no principal of the bridge's.
     */
    private static String jmxActor() {
        var authentication = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
        return authentication == null || authentication.getName() == null ? "jmx" : authentication.getName();
    }
}
