package dev.revenuebridge.cash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Payouts reconciled into ERP bank deposits that tie out to the cent: the worked example's ACH payment paid out two
 * business days later; a payout mixing charges, a partial refund, a dispute with its fee and a converted EUR charge;
 * a payout of 1,000 balance transactions (10 pages).
 */
class PayoutReconciliationTest extends BridgeTestSupport {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void deliverWebhooks() {
        INFRA.stripe().payOutLeftovers();   // the sandbox is shared: each payout here holds only this test's money
        StripeCalls.deliverWebhooksTo(port, false, false);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theWorkedExamplesAchPaymentIsPaidOutTwoBusinessDaysLaterIntoOneDepositEqualToThePayout() {
        String opportunity = "006Dn0PayoutWxAAAA";
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001Dn0PayoutWxAAAA"), true);
        awaitSyncStatus(opportunity, "Synced");
        StripeCalls.Paid paid = StripeCalls.pay(StripeCalls.oneTimeInvoiceOf(opportunity), "pm_usBankAccount");
        String chargeId = paid.charge();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                INFRA.erp().byExternalId("customerPayment", paid.invoicePayment()).isPresent());

        // paid on Friday 2025-12-19; the funds are available, and paid out, on Tuesday 2025-12-23
        Map<String, Object> charge = INFRA.stripe().object("charges", chargeId).orElseThrow();
        Map<String, Object> txn = INFRA.stripe().object("balance_transactions", (String) charge.get("balance_transaction")).orElseThrow();
        assertThat(LocalDate.ofEpochDay(((Number) txn.get("available_on")).longValue() / 86_400)).isEqualTo(LocalDate.parse("2025-12-23"));
        assertThat(((Number) txn.get("fee")).longValue()).as("ACH: 0.8 %, capped at 5.00").isEqualTo(500L);
        Map<String, Object> payout = INFRA.stripe().payout(LocalDate.parse("2025-12-23"));

        Map<String, Object> deposit = awaitDeposit(payout);
        assertThat(deposit.get("tranDate")).isEqualTo("2025-12-23");
        assertThat(ref(deposit.get("account"))).as("the US subsidiary's USD bank account").isEqualTo("1010");
        assertThat(lines(deposit)).anySatisfy(l -> assertThat(l.get("memo")).isEqualTo("Stripe fees"));
        // the customer payment waited in Undeposited Funds; the deposit moved it, once, at its own amount
        Map<String, Object> erpPayment = INFRA.erp().byExternalId("customerPayment", paid.invoicePayment()).orElseThrow();
        assertThat(erpPayment).containsEntry("undepFunds", true);
        assertThat(ref(erpPayment.get("status"))).isEqualTo("Deposited");
        assertThat(ref(erpPayment.get("deposit"))).isEqualTo(deposit.get("id"));
        assertThat(sublist(deposit, "payment")).singleElement()
                .satisfies(p -> assertThat(ref(p.get("doc"))).isEqualTo(erpPayment.get("id")));
        assertThat(sublist(deposit, "cashBack")).singleElement().satisfies(fee -> {
            assertThat(fee).containsEntry("memo", "Stripe fees");
            assertThat(ref(fee.get("account"))).isEqualTo("6140");
            assertThat(new BigDecimal(String.valueOf(fee.get("amount")))).isEqualByComparingTo("5.00");
        });

        Map<String, Object> trace = trace(opportunity);
        assertThat((List<Map<String, Object>>) trace.get("cash")).anySatisfy(d -> assertThat(d)
                .containsEntry("stripeId", paid.invoicePayment()).containsEntry("chargeId", chargeId).containsEntry("kind", "payment")
                .containsEntry("payoutId", payout.get("id")).containsEntry("depositId", deposit.get("id")));
        // on revenue.events, keyed by the payout (a deposit spans deals): the deposit booked
        String payoutId = (String) payout.get("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> !outcomeEvents(payoutId).isEmpty());
        assertThat(outcomeEvents(payoutId)).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("type", "deposit.booked").containsEntry("subject", payoutId)
                    .containsEntry("opportunityId", null);
            assertThat((Map<String, Object>) e.get("data")).containsEntry("erpId", deposit.get("id"))
                    .containsEntry("status", "reconciled");
            assertThat(new BigDecimal((String) ((Map<String, Object>) e.get("data")).get("amount")))
                    .isEqualByComparingTo(new BigDecimal(String.valueOf(deposit.get("total"))));
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPayoutMixingChargesARefundADisputeAndAConvertedChargeIsOneDepositThatTiesOut() {
        String customer = (String) StripeCalls.post("/v1/customers", "name=Mixed+payout+customer").get("id");
        List<String> usd = INFRA.stripe().charges(customer, 3, 50_000, "usd");        // 3 x 500.00 USD by card
        List<String> eur = INFRA.stripe().charges(customer, 1, 100_000, "eur");       // 1,000.00 EUR, converted
        StripeCalls.post("/v1/refunds", "charge=" + usd.get(0) + "&amount=20000");              // 200.00 refunded of 500.00
        INFRA.stripe().dispute(usd.get(1), 50_000);                                    // 500.00 disputed, 15.00 fee
        Map<String, Object> payout = INFRA.stripe().payout(LocalDate.parse("2025-12-23"));

        Map<String, Object> deposit = awaitDeposit(payout);
        List<Map<String, Object>> lines = lines(deposit);
        assertThat(lines).extracting(l -> (String) l.get("memo"))
                .contains("Refunds", "Disputes (withdrawn)", "Charges (gross), converted at 1.0825", "Stripe fees");
        assertThat(amount(lines, "Refunds")).isEqualByComparingTo("-200.00");
        assertThat(amount(lines, "Disputes (withdrawn)")).isEqualByComparingTo("-500.00");
        assertThat(amount(lines, "Charges (gross), converted at 1.0825")).isEqualByComparingTo("1082.50");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM deal_exception WHERE subject = ?", Integer.class,
                payout.get("id"))).as("reconciled: no exception").isZero();
    }

    @Test
    void aPayoutOfAThousandBalanceTransactionsIsReadPageByPageIntoOneDeposit() {
        String customer = (String) StripeCalls.post("/v1/customers", "name=Many+small+payments").get("id");
        INFRA.stripe().charges(customer, 1_000, 1_999, "usd");
        int listingsBefore = listings();
        Map<String, Object> payout = INFRA.stripe().payout(LocalDate.parse("2025-12-23"));

        Map<String, Object> deposit = awaitDeposit(payout);
        assertThat((String) deposit.get("memo")).matches("Stripe payout po_\\w+ \\(1\\d{3} balance transactions\\)");
        assertThat(listings() - listingsBefore).as("pages of 100").isGreaterThanOrEqualTo(10);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM payout_aggregation", Integer.class))
                .as("the aggregate is gone once completed").isZero();
    }

    /** The deposit of the payout in the ERP: one, equal to the payout, its lines adding up to it. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> awaitDeposit(Map<String, Object> payout) {
        String payoutId = (String) payout.get("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> INFRA.erp().byExternalId("deposit", payoutId).isPresent());
        assertThat(INFRA.erp().records("deposit").stream().filter(d -> payoutId.equals(d.get("externalId")))).hasSize(1);
        Map<String, Object> deposit = INFRA.erp().byExternalId("deposit", payoutId).orElseThrow();
        BigDecimal payoutAmount = BigDecimal.valueOf(((Number) payout.get("amount")).longValue(), 2);
        assertThat(new BigDecimal(String.valueOf(deposit.get("total")))).isEqualByComparingTo(payoutAmount);
        assertThat(lines(deposit).stream().map(l -> new BigDecimal(String.valueOf(l.get("amount"))))
                .reduce(BigDecimal.ZERO, BigDecimal::add)).as("deposit lines").isEqualByComparingTo(payoutAmount);
        return deposit;
    }

    /**
     * The deposit's lines, signed as they move the bank balance: payments (at the amount the ERP took from each) and
     * other deposits add, cash back subtracts. Their sum is the deposit's total.
     */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lines(Map<String, Object> deposit) {
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        for (Map<String, Object> p : sublist(deposit, "payment")) {
            lines.add(Map.of("memo", "Payment " + ref(p.get("doc")), "amount", p.get("paymentAmount")));
        }
        lines.addAll(sublist(deposit, "other"));
        for (Map<String, Object> c : sublist(deposit, "cashBack")) {
            lines.add(Map.of("memo", c.get("memo"), "amount", new BigDecimal(String.valueOf(c.get("amount"))).negate()));
        }
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> sublist(Map<String, Object> record, String name) {
        return record.get(name) instanceof Map<?, ?> m && m.get("items") instanceof List<?> items
                ? (List<Map<String, Object>>) items : List.of();
    }

    private static Object ref(Object reference) {
        return reference instanceof Map<?, ?> m ? m.get("id") : reference;
    }

    private static BigDecimal amount(List<Map<String, Object>> lines, String memo) {
        return lines.stream().filter(l -> memo.equals(l.get("memo"))).map(l -> new BigDecimal(String.valueOf(l.get("amount"))))
                .findFirst().orElseThrow();
    }

    private static int listings() {
        return (int) INFRA.stripe().requests().stream().filter(r -> r.path().equals("/v1/balance_transactions")).count();
    }

}
