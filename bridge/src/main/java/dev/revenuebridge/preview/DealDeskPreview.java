package dev.revenuebridge.preview;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.salesforce.DealAssembler;
import dev.revenuebridge.deal.DealRejectedException;
import dev.revenuebridge.plan.DealPlan;
import dev.revenuebridge.plan.DealPlanner;
import dev.revenuebridge.trace.DealFactsReader;
import dev.revenuebridge.erp.ErpRecords;
import dev.revenuebridge.revenue.Contract;
import dev.revenuebridge.revenue.RevenueSchedule;
import dev.revenuebridge.stripe.StripeRequests;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/preview}: what the bridge would do with a deal, before it closes and without touching anything.
 * Takes a deal shaped like shared/examples/seed-120k-deal.json and answers with the validation findings, the
 * normalized contract, the Stripe and ERP records that would be created, the allocation and the revenue schedule by
 * month. It is the live route's {@link DealPlanner} plan on the deal's facts, without the apply, so it cannot drift from
 * what the route then does (approvals on record, a synced contract's amendment, unchanged terms included).
 */
@RestController
@RequestMapping("/api/preview")
public class DealDeskPreview {

    static final String NEW_STRIPE_CUSTOMER = "(new Stripe customer)";
    static final String NEW_ERP_RECORD = "(new ERP record)";

    private final DealAssembler assembler;
    private final DealPlanner planner;
    private final DealFactsReader facts;
    private final StripeRequests stripe;
    private final ErpRecords erp;
    private final dev.revenuebridge.trace.DealTrace trace;

    public DealDeskPreview(DealAssembler assembler, DealPlanner planner, DealFactsReader facts, StripeRequests stripe,
                           ErpRecords erp, dev.revenuebridge.trace.DealTrace trace) {
        this.assembler = assembler;
        this.planner = planner;
        this.facts = facts;
        this.stripe = stripe;
        this.erp = erp;
        this.trace = trace;
    }

    @PostMapping(consumes = "application/json", produces = "application/json")
    public ResponseEntity<Map<String, Object>> preview(@RequestBody(required = false) String body) {
        JsonNode seed;
        try {
            seed = body == null ? null : assembler.readSeed(body);
        } catch (JsonProcessingException e) {
            return badRequest(List.of("the body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            return badRequest(List.of("the body cannot be read: " + e.getMessage()));
        }
        List<String> shape = shapeProblems(seed);
        if (!shape.isEmpty()) {
            return badRequest(shape);
        }
        ClosedWonDeal deal;
        String type;
        try {
            DealAssembler.Fetched fetched = assembler.fetchedFromSeed(seed);
            deal = fetched.deal();
            type = fetched.opportunity().type();
        } catch (DealRejectedException e) {
            return badRequest(e.reasons());
        } catch (IOException e) {
            return badRequest(List.of(e.getMessage()));
        }
        try {
            return preview(deal, planner.plan(facts.preview(deal, type)));
        } catch (dev.revenuebridge.revenue.RevenueRecognitionException | DealRejectedException e) {
            // what the gate let through but revenue or billing cannot take: the live route would dead-letter it
            return badRequest(e instanceof DealRejectedException rejected ? rejected.reasons() : List.of(e.getMessage()));
        }
    }

    /**
     * The plan shown: the outcome and its reasons; for a deal that would sync, the contract, its allocation and the
     * revenue schedule the live route would keep (the same {@link DealPlan}), and the Stripe and ERP records the
     * adapters would send for it. A deal the live route would not sync (review, approval, unchanged terms) shows why.
     */
    private ResponseEntity<Map<String, Object>> preview(ClosedWonDeal deal, DealPlan plan) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("opportunityId", deal.opportunityId());
        out.put("outcome", plan.outcome());
        out.put("status", switch (plan.outcome()) {
            case REQUIRES_REVIEW -> "Requires Review";
            case PENDING_APPROVAL -> "Pending Approval";
            default -> "Valid";
        });
        out.put("findings", plan.reasons());
        out.put("approvalReasons", plan.approvalReasons());
        out.put("deal", deal);
        if (plan.revenueSchedule() == null) {
            return ResponseEntity.ok(out);
        }
        Contract contract = plan.contract();
        RevenueSchedule schedule = plan.revenueSchedule();
        out.put("contractVersion", plan.contractVersion());
        out.put("contract", contract);
        out.put("allocation", contract.obligations().stream().map(o -> Map.of(
                "lineId", o.lineId(), "productCode", o.productCode(), "recognition", o.recognition(),
                "linePrice", o.linePrice(), "standaloneSellingPrice", o.standaloneSellingPrice(),
                "allocated", o.allocatedAmount())).toList());
        out.put("revenueSchedule", schedule.entries());
        Map<String, BigDecimal> byMonth = new LinkedHashMap<>();
        schedule.byMonth().forEach((month, amount) -> byMonth.put(month.toString(), amount));
        out.put("revenueByMonth", byMonth);
        out.put("revenueTotal", schedule.total());
        out.put("stripe", stripeRecords(deal));
        out.put("erp", erpRecords(deal, schedule));
        return ResponseEntity.ok(out);
    }

    private Map<String, Object> stripeRecords(ClosedWonDeal deal) {
        Map<String, Object> records = new LinkedHashMap<>();
        var existing = trace.linkedForAccount(deal.accountId(), "stripe", "customer");
        records.put("customer", existing.<Object>map(id -> Map.of("reuse", id,
                        "why", "the Account's Stripe customer from an earlier deal"))
                .orElseGet(() -> stripe.customerParams(deal).toMap()));
        var synced = trace.linked(deal.opportunityId(), "stripe", "subscription");
        if (synced.isPresent()) {
            records.put("note", "this Opportunity is synced already: the live route would amend subscription "
                    + synced.get() + " to these terms rather than create one");
        }
        if (stripe.startsAfterNextBillingDate(deal)) {
            // Stripe refuses an anchor beyond the next natural billing date: a schedule starts the subscription then
            records.put("subscription", null);
            records.put("subscriptionSchedule", stripe.subscriptionScheduleParams(deal, NEW_STRIPE_CUSTOMER).toMap());
        } else {
            var subscription = stripe.subscriptionParams(deal, NEW_STRIPE_CUSTOMER);
            records.put("subscription", subscription == null ? null : subscription.toMap());
        }
        List<ClosedWonDeal.DealLine> oneTime = stripe.oneTimeLines(deal);
        if (oneTime.isEmpty()) {
            records.put("oneTimeInvoice", null);
        } else {
            Map<String, Object> invoice = new LinkedHashMap<>(stripe.invoiceParams(deal, NEW_STRIPE_CUSTOMER).toMap());
            invoice.put("add_lines", stripe.addLinesParams(deal, oneTime).toMap());
            records.put("oneTimeInvoice", invoice);
        }
        return records;
    }

    private Map<String, Object> erpRecords(ClosedWonDeal deal, RevenueSchedule schedule) {
        Map<String, Object> records = new LinkedHashMap<>();
        records.put("customer", Map.of("externalId", deal.accountId(), "record", erp.customer(deal, NEW_STRIPE_CUSTOMER)));
        records.put("salesOrder", Map.of("externalId", deal.opportunityId(),
                "record", erp.salesOrder(deal, NEW_ERP_RECORD, NEW_STRIPE_CUSTOMER, null, null)));
        // revenue: Advanced Revenue Management plans it from the order's lines (their rev rec dates); the bridge's own
        // schedule, which it ties ARM's plans out against, is the preview's revenueSchedule
        return records;
    }

    /** What is wrong with the body's shape, in words; empty when it has the shape of a deal. */
    static List<String> shapeProblems(JsonNode seed) {
        List<String> problems = new ArrayList<>();
        if (seed == null || !seed.isObject()) {
            problems.add("the body must be a JSON object with opportunity, lineItems and account");
            return problems;
        }
        if (!seed.path("opportunity").isObject()) {
            problems.add("opportunity is missing or not an object");
        } else if (!seed.path("opportunity").path("Id").isTextual() || seed.path("opportunity").path("Id").asText().isBlank()) {
            problems.add("opportunity.Id is missing");
        } else if (!seed.path("opportunity").path("Id").asText().matches("006[A-Za-z0-9]{12,15}")) {
            problems.add("opportunity.Id is not a Salesforce Opportunity Id (006 and 12 to 15 letters or digits)");
        }
        if (seed.toString().contains("\\u0000")) {
            problems.add("the body contains a NUL character, which no Salesforce field holds");
        }
        if (!seed.path("lineItems").isArray()) {
            problems.add("lineItems is missing or not an array");
        } else {
            for (int i = 0; i < seed.path("lineItems").size(); i++) {
                if (!seed.path("lineItems").get(i).isObject()) {
                    problems.add("lineItems[" + i + "] is not an object");
                }
            }
        }
        if (!seed.path("account").isObject()) {
            problems.add("account is missing or not an object");
        }
        return problems;
    }

    private static ResponseEntity<Map<String, Object>> badRequest(List<String> problems) {
        return ResponseEntity.badRequest().body(Map.of("error", "not a deal the preview can read", "problems", problems));
    }
}
