package dev.revenuebridge.cash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeTestSupport;
import dev.revenuebridge.support.StripeCalls;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Refunds (partial, then the rest) as ERP credit memos against the invoice with the customer refunds that pay them
 * out; a dispute as a journal entry for the disputed amount and the fee, reversed when the dispute is won.
 */
class RefundsAndDisputesTest extends BridgeTestSupport {

    @LocalServerPort
    int port;

    @BeforeEach
    void deliverWebhooks() {
        StripeCalls.deliverWebhooksTo(port, true, false);   // every event twice
    }

    @Test
    @SuppressWarnings("unchecked")
    void partialAndFullRefundsBecomeCreditMemosAndCustomerRefunds() {
        StripeCalls.Paid paid = paidDeal("006Dn0RefundsAAAAA", "pm_usBankAccount");
        String erpInvoice = (String) INFRA.erp().byExternalId("invoice", StripeCalls.oneTimeInvoiceOf("006Dn0RefundsAAAAA")).orElseThrow().get("id");

        // a refund names the PaymentIntent or the charge (never the invoice): both find the invoice through its payment
        String partial = (String) StripeCalls.post("/v1/refunds", "payment_intent=" + paid.paymentIntent()
                + "&amount=500000").get("id");
        String rest = (String) StripeCalls.post("/v1/refunds", "charge=" + paid.charge()).get("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("customerRefund", rest).isPresent()
                && INFRA.erp().byExternalId("customerRefund", partial).isPresent());

        for (var refund : List.of(Map.entry(partial, "5000.00"), Map.entry(rest, "15000.00"))) {
            Map<String, Object> memo = INFRA.erp().byExternalId("creditMemo", refund.getKey()).orElseThrow();
            assertThat(((Map<String, Object>) memo.get("createdFrom")).get("id")).isEqualTo(erpInvoice);
            assertThat(new BigDecimal(String.valueOf(memo.get("total")))).isEqualByComparingTo(refund.getValue());
            Map<String, Object> paidOut = INFRA.erp().byExternalId("customerRefund", refund.getKey()).orElseThrow();
            List<Map<String, Object>> applied = (List<Map<String, Object>>) ((Map<String, Object>) paidOut.get("apply")).get("items");
            assertThat(applied).singleElement().satisfies(a -> {
                assertThat(((Map<String, Object>) a.get("doc")).get("id")).isEqualTo(memo.get("id"));
                assertThat(new BigDecimal(String.valueOf(a.get("amount")))).isEqualByComparingTo(refund.getValue());
            });
        }
        // every event came twice: one credit memo and one customer refund per refund
        assertThat(INFRA.erp().records("creditMemo").stream().filter(m -> List.of(partial, rest).contains(m.get("externalId")))).hasSize(2);
        assertThat(INFRA.erp().records("customerRefund").stream().filter(m -> List.of(partial, rest).contains(m.get("externalId")))).hasSize(2);
        // on revenue.events: each refund booked once, negative, in major units
        await().atMost(Duration.ofSeconds(20)).until(() -> outcomeEvents("006Dn0RefundsAAAAA").stream()
                .filter(e -> "refund.booked".equals(e.get("type"))).count() == 2);
        assertThat(outcomeEvents("006Dn0RefundsAAAAA")).filteredOn(e -> "refund.booked".equals(e.get("type")))
                .extracting(e -> ((Map<String, Object>) e.get("data")).get("amount"))
                .containsExactlyInAnyOrder("-5000.0000", "-15000.0000");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDisputeIsBookedWithItsFeeAndReversedWhenWon() {
        String charge = paidDeal("006Dn0DisputeAAAAA", "pm_card_visa").charge();
        String dispute = (String) INFRA.stripe().dispute(charge, 2_000_000).get("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("journalEntry", dispute).isPresent());
        Map<String, Object> opened = INFRA.erp().byExternalId("journalEntry", dispute).orElseThrow();
        List<Map<String, Object>> lines = (List<Map<String, Object>>) ((Map<String, Object>) opened.get("line")).get("items");
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("memo")).isEqualTo("Disputed amount");
            assertThat(new BigDecimal(String.valueOf(l.get("debit")))).isEqualByComparingTo("20000.00");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("memo")).isEqualTo("Stripe dispute fee");
            assertThat(new BigDecimal(String.valueOf(l.get("debit")))).isEqualByComparingTo("15.00");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("memo")).isEqualTo("Stripe balance");
            assertThat(new BigDecimal(String.valueOf(l.get("credit")))).isEqualByComparingTo("20015.00");
        });

        INFRA.stripe().closeDispute(dispute, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> INFRA.erp().byExternalId("journalEntry", dispute + "-won").isPresent());
        List<Map<String, Object>> reversed = (List<Map<String, Object>>) ((Map<String, Object>) INFRA.erp()
                .byExternalId("journalEntry", dispute + "-won").orElseThrow().get("line")).get("items");
        assertThat(reversed).anySatisfy(l -> {
            assertThat(l.get("memo")).isEqualTo("Disputed amount");
            assertThat(new BigDecimal(String.valueOf(l.get("credit")))).isEqualByComparingTo("20000.00");
        });
        assertThat(reversed).anySatisfy(l -> {
            assertThat(l.get("memo")).isEqualTo("Stripe balance");
            assertThat(new BigDecimal(String.valueOf(l.get("debit")))).isEqualByComparingTo("20015.00");
        });
        // on revenue.events: the dispute booked, then its reversal
        await().atMost(Duration.ofSeconds(20)).until(() -> outcomeEvents("006Dn0DisputeAAAAA").stream()
                .anyMatch(e -> (dispute + "-won").equals(e.get("subject"))));
        assertThat(outcomeEvents("006Dn0DisputeAAAAA")).filteredOn(e -> "dispute.booked".equals(e.get("type")))
                .extracting(e -> e.get("subject"), e -> ((Map<String, Object>) e.get("data")).get("amount"))
                .contains(org.assertj.core.groups.Tuple.tuple(dispute, "-20000.0000"),
                        org.assertj.core.groups.Tuple.tuple(dispute + "-won", "20000.0000"));
    }

    /** A synced deal whose one-time invoice is paid; its payment, once the ERP has it. */
    private StripeCalls.Paid paidDeal(String opportunity, String paymentMethod) {
        INFRA.salesforce().loadDeal(seedDeal(opportunity, "001" + opportunity.substring(3)), true);
        awaitSyncStatus(opportunity, "Synced");
        StripeCalls.Paid paid = StripeCalls.pay(StripeCalls.oneTimeInvoiceOf(opportunity), paymentMethod);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                INFRA.erp().byExternalId("customerPayment", paid.invoicePayment()).isPresent());
        return paid;
    }


}
