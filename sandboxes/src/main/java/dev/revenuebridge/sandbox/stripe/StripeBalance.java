package dev.revenuebridge.sandbox.stripe;

import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.PAGINATION;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.of;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The account's balance: balance transactions (charges, refunds, disputes and their fees, adjustments), refunds,
 * disputes, and payouts that group the balance transactions they pay out. The account settles in USD: a charge in
 * another currency is converted at the day's rate, which its balance transaction carries as {@code exchange_rate}.
 */
final class StripeBalance {

    static final String SETTLEMENT_CURRENCY = "usd";
    /** Fixed conversion rates into USD, as a sandbox may have them. */
    private static final Map<String, Double> TO_USD = Map.of("usd", 1.0, "eur", 1.0825, "gbp", 1.2710);
    static final long DISPUTE_FEE = 1_500L;

    private final StripeStore store;
    /** Balance transactions left out of listings: a payout whose components the client cannot all see. */
    private final java.util.Set<String> hidden = java.util.concurrent.ConcurrentHashMap.newKeySet();

    StripeBalance(StripeStore store) {
        this.store = store;
    }

    void register(Map<String, StripeEndpoint> endpoints) {
        endpoints.put("GET /v1/balance_transactions", of(this::listTransactions, PAGINATION, "payout", "type", "source",
                "currency"));
        endpoints.put("GET /v1/balance_transactions/{id}", of(c -> store.require("balance_transactions",
                "balance transaction", c.pathParam("id"))));
        endpoints.put("GET /v1/payouts/{payout}", of(c -> store.require("payouts", "payout", c.pathParam("payout"))));
        endpoints.put("GET /v1/charges/{charge}", of(c -> store.require("charges", "charge", c.pathParam("charge"))));
        endpoints.put("POST /v1/refunds", of(this::createRefund, "charge", "payment_intent", "amount", "reason",
                "metadata"));
        endpoints.put("GET /v1/disputes/{dispute}", of(c -> store.require("disputes", "dispute", c.pathParam("dispute"))));
        endpoints.put("GET /v1/refunds/{refund}", of(c -> store.require("refunds", "refund", c.pathParam("refund"))));
    }

    private Object listTransactions(StripeCall c) {
        String payout = c.string("payout");
        String type = c.string("type");
        String source = c.string("source");
        if (payout != null) {
            store.reference("payouts", "payout", payout, "payout");
        }
        return store.list("balance_transactions", "balance transaction", t -> !hidden.contains(t.get("id"))
                        && (payout == null || payout.equals(t.get("_payout")) || payout.equals(t.get("source")))
                                && (type == null || type.equals(t.get("type")))
                                && (source == null || source.equals(t.get("source"))),
                c, "/v1/balance_transactions");
    }

    void hide(String balanceTransactionId) {
        hidden.add(balanceTransactionId);
    }

    // ---------------------------------------------------------------- charges

    /** A charge of {@code amount} (minor units of {@code currency}) and its balance transaction in the settlement currency. */
    Map<String, Object> charge(String customer, long amount, String currency, String description, String paymentMethod) {
        return charge(customer, amount, currency, description, paymentMethod, null);
    }

    /** The same, made by a PaymentIntent (since basil a charge no longer names an invoice: its intent's payment does). */
    Map<String, Object> charge(String customer, long amount, String currency, String description, String paymentMethod,
                               String paymentIntent) {
        boolean ach = paymentMethod != null && (paymentMethod.contains("usBankAccount") || paymentMethod.contains("us_bank_account"));
        long settled = settle(amount, currency);
        long fee = ach ? Math.min(Math.round(settled * 0.008), 500L) : Math.round(settled * 0.029) + 30L;
        String chargeId = StripeIds.next(ach ? "py_" : "ch_");
        Map<String, Object> txn = transaction(ach ? "payment" : "charge", "charge", settled, fee, chargeId, description);
        if (!SETTLEMENT_CURRENCY.equals(currency)) {
            txn.put("exchange_rate", TO_USD.get(currency));
        }
        Map<String, Object> charge = new LinkedHashMap<>();
        charge.put("id", chargeId);
        charge.put("object", "charge");
        charge.put("amount", amount);
        charge.put("amount_captured", amount);
        charge.put("amount_refunded", 0L);
        charge.put("balance_transaction", txn.get("id"));
        charge.put("captured", true);
        charge.put("created", store.now());
        charge.put("currency", currency);
        charge.put("customer", customer);
        charge.put("description", description);
        charge.put("disputed", false);
        charge.put("livemode", false);
        charge.put("metadata", new LinkedHashMap<>());
        charge.put("paid", true);
        charge.put("payment_intent", paymentIntent);
        charge.put("payment_method", paymentMethod);
        charge.put("payment_method_details", Map.of("type", ach ? "us_bank_account" : "card"));
        charge.put("refunded", false);
        charge.put("status", "succeeded");
        store.add("charges", charge);
        store.emit("charge.succeeded", charge, null);
        return charge;
    }

    // ---------------------------------------------------------------- refunds

    /** A refund of a charge, named by itself or by its PaymentIntent (docs.stripe.com/api/refunds/create). */
    private Object createRefund(StripeCall c) {
        if (c.string("charge") != null && c.string("payment_intent") != null) {
            throw StripeError.exclusive("charge", "charge", "payment_intent");
        }
        Map<String, Object> charge;
        if (c.string("payment_intent") != null) {
            Map<String, Object> intent = store.reference("payment_intents", "payment intent", c.string("payment_intent"),
                    "payment_intent");
            if (intent.get("latest_charge") == null) {
                throw StripeError.state("charge_not_refundable", "payment_intent", "This PaymentIntent ("
                        + intent.get("id") + ") does not have a successful charge to refund.");
            }
            charge = store.find("charges", (String) intent.get("latest_charge"));
        } else if (c.string("charge") != null) {
            charge = store.reference("charges", "charge", c.string("charge"), "charge");
        } else {
            throw StripeError.missingParameter("charge");
        }
        long refundable = (Long) charge.get("amount") - (Long) charge.get("amount_refunded");
        long amount = c.integer("amount") != null ? c.integer("amount") : refundable;
        if (amount <= 0 || amount > refundable) {
            throw StripeError.invalid("amount", "Refund amount (" + amount + ") is greater than unrefunded amount on "
                    + "charge (" + refundable + ")");
        }
        Map<String, Object> before = StripeStore.copy(charge);
        String currency = (String) charge.get("currency");
        String refundId = StripeIds.next("re_");
        Map<String, Object> txn = transaction("refund", "refund", -settle(amount, currency), 0L, refundId,
                "REFUND FOR CHARGE (" + charge.get("description") + ")");
        if (!SETTLEMENT_CURRENCY.equals(currency)) txn.put("exchange_rate", TO_USD.get(currency));
        Map<String, Object> refund = new LinkedHashMap<>();
        refund.put("id", refundId);
        refund.put("object", "refund");
        refund.put("amount", amount);
        refund.put("balance_transaction", txn.get("id"));
        refund.put("charge", charge.get("id"));
        refund.put("created", store.now());
        refund.put("currency", currency);
        refund.put("metadata", new LinkedHashMap<>());
        refund.put("payment_intent", charge.get("payment_intent"));
        refund.put("reason", c.string("reason"));
        refund.put("status", "succeeded");
        store.add("refunds", refund);
        charge.put("amount_refunded", (Long) charge.get("amount_refunded") + amount);
        charge.put("refunded", charge.get("amount_refunded").equals(charge.get("amount")));
        store.emit("refund.created", refund, null);
        store.emit("charge.refunded", charge, before);
        return refund;
    }

    // ---------------------------------------------------------------- disputes

    /** The customer's bank disputes {@code amount} of a charge: the amount and the dispute fee leave the balance. */
    Map<String, Object> dispute(String chargeId, long amount) {
        Map<String, Object> charge = store.require("charges", "charge", chargeId);
        String currency = (String) charge.get("currency");
        String disputeId = StripeIds.next("dp_");
        Map<String, Object> withdrawal = transaction("adjustment", "dispute", -settle(amount, currency), DISPUTE_FEE,
                disputeId, "Chargeback withdrawal for " + chargeId);
        Map<String, Object> dispute = new LinkedHashMap<>();
        dispute.put("id", disputeId);
        dispute.put("object", "dispute");
        dispute.put("amount", amount);
        dispute.put("balance_transactions", new ArrayList<>(List.of(withdrawal)));
        dispute.put("charge", chargeId);
        dispute.put("created", store.now());
        dispute.put("currency", currency);
        dispute.put("livemode", false);
        dispute.put("metadata", new LinkedHashMap<>());
        dispute.put("payment_intent", charge.get("payment_intent"));
        dispute.put("reason", "product_not_received");
        dispute.put("status", "needs_response");
        store.add("disputes", dispute);
        Map<String, Object> before = StripeStore.copy(charge);
        charge.put("disputed", true);
        store.emit("charge.dispute.created", dispute, null);
        store.emit("charge.updated", charge, before);
        return dispute;
    }

    /** Closes a dispute; a won one brings the amount and the fee back. */
    @SuppressWarnings("unchecked")
    Map<String, Object> closeDispute(String disputeId, boolean won) {
        Map<String, Object> dispute = store.require("disputes", "dispute", disputeId);
        Map<String, Object> before = StripeStore.copy(dispute);
        if (won) {
            String currency = (String) dispute.get("currency");
            Map<String, Object> reversal = transaction("adjustment", "dispute_reversal",
                    settle((Long) dispute.get("amount"), currency), -DISPUTE_FEE, disputeId,
                    "Chargeback reversal for " + dispute.get("charge"));
            ((List<Object>) dispute.get("balance_transactions")).add(reversal);
        }
        dispute.put("status", won ? "won" : "lost");
        store.emit("charge.dispute.closed", dispute, before);
        return dispute;
    }

    // ---------------------------------------------------------------- payouts

    /**
     * Pays out every balance transaction in the settlement currency not yet paid out: one payout of their net,
     * arriving {@code arrival}, with its own (negative) balance transaction; emits payout.created and payout.paid.
     */
    Map<String, Object> payout(LocalDate arrival) {
        List<Map<String, Object>> included = new ArrayList<>();
        long net = 0;
        for (Map<String, Object> t : store.all("balance_transactions")) {
            if (t.get("_payout") == null && !"payout".equals(t.get("type"))
                    && SETTLEMENT_CURRENCY.equals(t.get("currency"))) {
                included.add(t);
                net += (Long) t.get("net");
            }
        }
        if (included.isEmpty() || net <= 0) {
            throw StripeError.state("balance_insufficient", null, "There is no available balance to pay out.");
        }
        String payoutId = StripeIds.next("po_");
        long arrivalEpoch = arrival.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        for (Map<String, Object> t : included) {
            t.put("_payout", payoutId);
            t.put("status", "available");
        }
        Map<String, Object> own = transaction("payout", "payout", -net, 0L, payoutId, "STRIPE PAYOUT");
        own.put("status", "available");
        Map<String, Object> payout = new LinkedHashMap<>();
        payout.put("id", payoutId);
        payout.put("object", "payout");
        payout.put("amount", net);
        payout.put("arrival_date", arrivalEpoch);
        payout.put("automatic", true);
        payout.put("balance_transaction", own.get("id"));
        payout.put("created", store.now());
        payout.put("currency", SETTLEMENT_CURRENCY);
        payout.put("description", "STRIPE PAYOUT");
        payout.put("destination", "ba_sandboxOperatingAccount");
        payout.put("livemode", false);
        payout.put("metadata", new LinkedHashMap<>());
        payout.put("method", "standard");
        payout.put("reconciliation_status", "completed");
        payout.put("statement_descriptor", null);
        payout.put("status", "in_transit");
        payout.put("type", "bank_account");
        store.add("payouts", payout);
        store.emit("payout.created", payout, null);
        Map<String, Object> before = StripeStore.copy(payout);
        payout.put("status", "paid");
        store.emit("payout.paid", payout, before);
        return payout;
    }

    private Map<String, Object> transaction(String type, String category, long amount, long fee, String source,
                                            String description) {
        Map<String, Object> txn = new LinkedHashMap<>();
        txn.put("id", StripeIds.next("txn_"));
        txn.put("object", "balance_transaction");
        txn.put("amount", amount);
        txn.put("available_on", availableOn(store.now()));
        txn.put("created", store.now());
        txn.put("currency", SETTLEMENT_CURRENCY);
        txn.put("description", description);
        txn.put("exchange_rate", null);
        txn.put("fee", fee);
        txn.put("fee_details", fee == 0 ? List.of() : List.of(Map.of("amount", fee, "currency", SETTLEMENT_CURRENCY,
                "description", category.startsWith("dispute") ? "Dispute fee" : "Stripe processing fees",
                "type", "stripe_fee")));
        txn.put("net", amount - fee);
        txn.put("_payout", null);
        txn.put("reporting_category", category);
        txn.put("source", source);
        txn.put("status", "pending");
        txn.put("type", type);
        store.add("balance_transactions", txn);
        return txn;
    }

    /** Minor units of {@code currency} converted into the settlement currency at the sandbox's rate. */
    static long settle(long amount, String currency) {
        Double rate = TO_USD.get(currency);
        Objects.requireNonNull(rate, () -> "the sandbox has no rate for " + currency);
        return Math.round(amount * rate);
    }

    /** Two business days after {@code epochSecond} (UTC), as the funds of a charge become available. */
    static long availableOn(long epochSecond) {
        LocalDate day = Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC).toLocalDate();
        int added = 0;
        while (added < 2) {
            day = day.plusDays(1);
            if (day.getDayOfWeek().getValue() <= 5) added++;
        }
        return day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }
}
