package dev.revenuebridge.sandbox.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of every record type the bridge writes, and the transforms. */
class ErpSandboxTransactionsTest extends ErpSandboxTestBase {

    private static final String USER_ERROR = "USER_ERROR";
    private static final String INVALID_VALUE = "INVALID_VALUE";
    private static final String INVALID_CONTENT = "INVALID_CONTENT";


    // ---- customers ----

    @Test
    void customerAddressIsTheAddressBookAndDefaultAddressIsComputed() throws Exception {
        String id = client.ok("PUT", "/customer/eid:SF-001?replace=addressBook", customer("1", """
                ,"addressBook":{"items":[{"defaultBilling":true,"defaultShipping":true,"label":"Billing",
                 "addressBookAddress":{"addressee":"Acme Inc","addr1":"1 Main Street","city":"Springfield",
                 "state":"IL","zip":"62701","country":{"id":"US"}}}]}"""));

        Map<String, Object> stored = erp.byId("customer", id).orElseThrow();
        assertThat(stored.get("defaultAddress"))
                .isEqualTo("Acme Inc\n1 Main Street\nSpringfield IL 62701\nUnited States");
        JsonNode got = client.get("/customer/" + id + "?expandSubResources=true");
        JsonNode address = got.path("addressBook").path("items").get(0).path("addressBookAddress");
        assertThat(address.path("country").path("id").asText()).isEqualTo("US");
        assertThat(address.path("city").asText()).isEqualTo("Springfield");

        assertThat(client.refused("PUT", "/customer/eid:SF-001", customer("1", ",\"defaultAddress\":\"x\""),
                INVALID_VALUE, "defaultAddress")).contains("read-only");
        assertThat(client.refused("PUT", "/customer/eid:SF-001?replace=addressBook", customer("1", """
                ,"addressBook":{"items":[{"defaultBilling":true,"addressBookAddress":{"addr1":"a"}},
                 {"defaultBilling":true,"addressBookAddress":{"addr1":"b"}}]}"""), INVALID_VALUE,
                "addressBook.items[1].defaultBilling")).contains("only one");
        client.refused("PUT", "/customer/eid:SF-001?replace=addressBook", customer("1", """
                ,"addressBook":{"items":[{"addressBookAddress":{"country":{"id":"XX"}}}]}"""), INVALID_VALUE,
                "addressBook.items[0].addressBookAddress.country");
        client.refused("PUT", "/customer/eid:SF-001?replace=addressBook", customer("1", """
                ,"addressBook":{"items":[{"addressBookAddress":{"street":"1 Main"}}]}"""), INVALID_CONTENT,
                "addressBook.items[0].addressBookAddress.street");
        client.refused("PUT", "/customer/eid:SF-001", customer("1", ",\"addressBook\":\"1 Main Street\""),
                INVALID_CONTENT, "addressBook");
    }

    // ---- sales orders ----

    @Test
    void salesOrderLinesNeedRevRecDatesAndStartPendingBilling() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", customer("1", ""));
        assertThat(client.refused("PUT", "/salesOrder/eid:OPP-1", order(line(null, "IMPL-STD", "1", "20000.00",
                "2026-02-15", null, "L1")), USER_ERROR, "item.items[0].revRecEndDate"))
                .contains("Please enter value(s) for: Rev. Rec. End Date");
        client.refused("PUT", "/salesOrder/eid:OPP-1", order(line(null, "IMPL-STD", "1", "20000.00",
                "2026-02-15", "2026-02-14", "L1")), INVALID_VALUE, "item.items[0].revRecEndDate");
        client.refused("PUT", "/salesOrder/eid:OPP-1", order(line(null, "IMPL-STD", "1", "20000.00",
                "2026-02-15", "2026-02-15", "L1")).replace("\"item\":{\"items\"", "\"total\":1,\"item\":{\"items\""),
                INVALID_VALUE, "total");

        String id = workedExampleOrder();
        JsonNode order = client.get("/salesOrder/" + id + "?expandSubResources=true");
        assertThat(order.path("orderStatus").path("id").asText()).isEqualTo("F");
        assertThat(order.path("orderStatus").path("refName").asText()).isEqualTo("Pending Billing");
        JsonNode line = order.path("item").path("items").get(1);
        assertThat(line.path("line").asInt()).isEqualTo(2);
        assertThat(line.path("item").path("id").asText()).isEqualTo("502");
        assertThat(line.path("quantity").decimalValue()).isEqualByComparingTo("10");
        assertThat(line.path("rate").decimalValue()).isEqualByComparingTo("10000.00");
        assertThat(line.path("amount").decimalValue()).isEqualByComparingTo("100000.00");
        assertThat(line.path("custcol_sf_line_item_id").asText()).isEqualTo("L2");
        assertThat(line.path("quantityBilled").decimalValue()).isEqualByComparingTo("0");
        assertThat(line.path("amountBilled").decimalValue()).isEqualByComparingTo("0");
        client.refused("PATCH", "/salesOrder/" + id, "{\"item\":{\"items\":[{\"line\":1,\"amountBilled\":1}]}}",
                INVALID_VALUE, "item.items[0].amountBilled");
    }

    // ---- invoices by transform ----

    @Test
    void billsPartOfAnOrderThenTheRestAndTheOrderBecomesBilled() throws Exception {
        String order = workedExampleOrder();

        var first = client.send("POST", "/salesOrder/" + order + "/!transform/invoice", """
                {"externalId":"in_1","tranDate":"2026-01-05","memo":"January",
                 "item":{"items":[{"orderLine":2,"quantity":1,"amount":10000.00}]}}""");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(204);
        assertThat(first.headers().firstValue("Location").orElseThrow()).endsWith("/invoice/1002");

        Map<String, Object> invoice = erp.byExternalId("invoice", "in_1").orElseThrow();
        assertThat(invoice).containsEntry("createdFrom", Map.of("id", order, "refName", "Sales Order #SO" + order))
                .containsEntry("entity", Map.of("id", "1000", "refName", "Acme Inc"))
                .containsEntry("currency", Map.of("id", "1", "refName", "US Dollar"))
                .containsEntry("tranDate", "2026-01-05")
                .containsEntry("status", Map.of("id", "Open", "refName", "Open"));
        assertThat((BigDecimal) invoice.get("total")).isEqualByComparingTo("10000.00");
        assertThat((BigDecimal) invoice.get("amountRemaining")).isEqualByComparingTo("10000.00");
        Map<String, Object> invoiceLine = lines(invoice, "item").get(0);
        assertThat(invoiceLine).containsEntry("orderLine", 2).containsEntry("custcol_sf_line_item_id", "L2");
        assertThat((BigDecimal) invoiceLine.get("rate")).isEqualByComparingTo("10000");
        assertThat(lines(erp.byId("salesOrder", order).orElseThrow(), "item").get(1))
                .satisfies(l -> assertThat((BigDecimal) l.get("quantityBilled")).isEqualByComparingTo("1"))
                .satisfies(l -> assertThat((BigDecimal) l.get("amountBilled")).isEqualByComparingTo("10000.00"));

        assertThat(client.refused("POST", "/salesOrder/" + order + "/!transform/invoice", """
                {"externalId":"in_2","item":{"items":[{"orderLine":2,"quantity":10,"amount":100000.00}]}}""",
                USER_ERROR, "item.items[0].amount")).contains("more than ordered");
        client.refused("POST", "/salesOrder/" + order + "/!transform/invoice",
                "{\"item\":{\"items\":[{\"orderLine\":9,\"quantity\":1,\"amount\":1.00}]}}", INVALID_VALUE,
                "item.items[0].orderLine");
        assertThat(client.refused("POST", "/salesOrder/" + order + "/!transform/invoice",
                "{\"externalId\":\"in_1\",\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":1,\"amount\":20000.00}]}}",
                USER_ERROR, "externalId")).contains("already exists");
        client.refused("POST", "/salesOrder/" + order + "/!transform/invoice", "{\"entity\":{\"id\":\"1000\"}}",
                INVALID_CONTENT, "entity");
        assertThat(client.error(client.send("POST", "/salesOrder/4242/!transform/invoice", "{}"), 404)
                .path("o:errorCode").asText()).isEqualTo("NONEXISTENT_ID");
        assertThat(erp.records("invoice")).hasSize(1);

        // a billed line can be neither removed nor lowered below what was billed
        assertThat(client.refused("PUT", "/salesOrder/eid:OPP-1?replace=item",
                order(line(1, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "L1")),
                USER_ERROR, "item")).contains("cannot remove line 2");
        client.refused("PUT", "/salesOrder/eid:OPP-1?replace=item", order(
                line(1, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "L1"),
                line(2, "PLAT-SUB", "0.5", "5000.00", "2026-01-01", "2026-10-31", "L2")), USER_ERROR,
                "item.items[1].amount");
        client.refused("PUT", "/salesOrder/eid:OPP-1?replace=item", order(
                line(1, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "L1"),
                line(2, "TRAIN-STD", "10", "100000.00", "2026-01-01", "2026-10-31", "L2")), USER_ERROR,
                "item.items[1].item");
        // an unbilled line may go; the order's rest is then billed without lines in the body
        client.ok("PUT", "/salesOrder/eid:OPP-1?replace=item", order(
                line(2, "PLAT-SUB", "10", "100000.00", "2026-01-01", "2026-10-31", "L2"),
                line(null, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "L3")));
        assertThat(lines(erp.byId("salesOrder", order).orElseThrow(), "item")).extracting(l -> l.get("line"))
                .containsExactly(2, 3);

        String second = client.ok("POST", "/salesOrder/" + order + "/!transform/invoice", "{\"externalId\":\"in_2\"}");
        Map<String, Object> rest = erp.byId("invoice", second).orElseThrow();
        assertThat((BigDecimal) rest.get("total")).isEqualByComparingTo("110000.00");
        assertThat(lines(rest, "item")).extracting(l -> l.get("orderLine")).containsExactly(2, 3);
        assertThat((BigDecimal) lines(rest, "item").get(0).get("quantity")).isEqualByComparingTo("9");
        Map<String, Object> billed = erp.byId("salesOrder", order).orElseThrow();
        assertThat(billed.get("orderStatus")).isEqualTo(Map.of("id", "G", "refName", "Billed"));
        assertThat(client.refused("POST", "/salesOrder/" + order + "/!transform/invoice", "{}", USER_ERROR, null))
                .contains("fully billed");
        assertThat(client.refused("DELETE", "/salesOrder/" + order, null, USER_ERROR, null))
                .contains("dependent records");
        assertThat(client.get("/salesOrder/" + order + "/item").path("items").get(0).path("amountBilled").decimalValue())
                .isEqualByComparingTo("100000.00");
    }

    @Test
    void aProrationCreditLineIsBilledWithinItsNegativeAmount() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", customer("1", ""));
        String order = client.ok("PUT", "/salesOrder/eid:OPP-2", order(
                line(null, "PLAT-SUB", "10", "100000.00", "2026-01-01", "2026-10-31", "L1"),
                line(null, "PLAT-SUB", "1", "-5000.00", "2026-01-01", "2026-01-31", "L2")));
        client.refused("POST", "/salesOrder/" + order + "/!transform/invoice",
                "{\"item\":{\"items\":[{\"orderLine\":2,\"quantity\":1,\"amount\":-6000.00}]}}", USER_ERROR,
                "item.items[0].amount");
        client.refused("POST", "/salesOrder/" + order + "/!transform/invoice",
                "{\"item\":{\"items\":[{\"orderLine\":2,\"quantity\":1,\"amount\":-5000.00}]}}", USER_ERROR, "item");
        String invoice = client.ok("POST", "/salesOrder/" + order + "/!transform/invoice", "{}");
        assertThat((BigDecimal) erp.byId("invoice", invoice).orElseThrow().get("total")).isEqualByComparingTo("95000.00");
        assertThat(erp.byId("salesOrder", order).orElseThrow().get("orderStatus"))
                .isEqualTo(Map.of("id", "G", "refName", "Billed"));
    }

    @Test
    void aStandaloneInvoiceNeedsItemLinesAndCannotClaimASource() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", customer("1", ""));
        assertThat(client.refused("POST", "/invoice", "{\"entity\":{\"externalId\":\"SF-001\"},"
                + "\"createdFrom\":{\"id\":\"1\"},\"item\":{\"items\":[{\"item\":{\"id\":\"501\"},\"quantity\":1,"
                + "\"amount\":10.00}]}}", INVALID_VALUE, "createdFrom")).contains("!transform");
        client.refused("POST", "/invoice", "{\"entity\":{\"externalId\":\"SF-001\"}}", USER_ERROR, "item");
        client.refused("POST", "/invoice", "{\"entity\":{\"externalId\":\"SF-001\"},\"item\":{\"items\":[{"
                + "\"item\":{\"id\":\"501\"},\"quantity\":1,\"amount\":10.00,\"orderLine\":1}]}}", INVALID_VALUE,
                "item.items[0].orderLine");
        client.refused("POST", "/invoice", "{\"entity\":{\"externalId\":\"SF-001\"},\"custbody_x\":\"y\","
                + "\"item\":{\"items\":[{\"item\":{\"id\":\"501\"},\"quantity\":1,\"amount\":10.00}]}}",
                INVALID_CONTENT, "custbody_x");
        String id = client.ok("POST", "/invoice", "{\"entity\":{\"externalId\":\"SF-001\"},\"terms\":{\"id\":\"2\"},"
                + "\"tranDate\":\"2026-03-01\",\"item\":{\"items\":[{\"item\":{\"id\":\"501\"},\"quantity\":2,"
                + "\"rate\":10.00}]}}");
        Map<String, Object> invoice = erp.byId("invoice", id).orElseThrow();
        assertThat(invoice).containsEntry("dueDate", "2026-03-31").doesNotContainKey("createdFrom");
        assertThat((BigDecimal) invoice.get("total")).isEqualByComparingTo("20.00");
    }

    // ---- credit memos, payments and refunds ----

    @Test
    void creditMemoByTransformIsAppliedToItsInvoiceAndTheRestIsRefunded() throws Exception {
        String order = workedExampleOrder();
        String invoice = client.ok("POST", "/salesOrder/" + order + "/!transform/invoice",
                "{\"externalId\":\"in_1\",\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":1,\"amount\":20000.00}]}}");

        String memo = client.ok("POST", "/invoice/" + invoice + "/!transform/creditMemo",
                "{\"externalId\":\"cm_1\",\"memo\":\"goodwill\",\"item\":{\"items\":[{\"orderLine\":1,\"amount\":5000.00}]}}");
        Map<String, Object> credit = erp.byId("creditMemo", memo).orElseThrow();
        assertThat(credit.get("createdFrom")).isEqualTo(Map.of("id", invoice, "refName", "Invoice #INV" + invoice));
        assertThat((BigDecimal) credit.get("total")).isEqualByComparingTo("5000.00");
        assertThat((BigDecimal) credit.get("amountRemaining")).isEqualByComparingTo("0.00");
        assertThat(lines(credit, "apply")).singleElement()
                .satisfies(l -> assertThat(l.get("doc")).isEqualTo(Map.of("id", invoice, "refName", "Invoice #INV" + invoice)));
        assertThat((BigDecimal) erp.byId("invoice", invoice).orElseThrow().get("amountRemaining"))
                .isEqualByComparingTo("15000.00");
        assertThat(client.refused("POST", "/invoice/" + invoice + "/!transform/creditMemo",
                "{\"item\":{\"items\":[{\"orderLine\":1,\"amount\":15000.01}]}}", USER_ERROR, "item.items[0].amount"))
                .contains("more than was invoiced");
        client.refused("POST", "/creditMemo", "{\"entity\":{\"id\":\"1000\"},\"apply\":{\"items\":[]},"
                + "\"item\":{\"items\":[{\"item\":{\"id\":\"501\"},\"quantity\":1,\"amount\":1.00}]}}",
                INVALID_VALUE, "apply");

        // the rest of the invoice is paid, so a further credit stays unapplied and can be refunded
        client.ok("PUT", "/customerPayment/eid:py_1", payment("15000.00", "\"undepFunds\":true",
                apply(invoice, "15000.00")));
        assertThat(erp.byId("invoice", invoice).orElseThrow().get("status"))
                .isEqualTo(Map.of("id", "Paid In Full", "refName", "Paid In Full"));
        String second = client.ok("POST", "/invoice/" + invoice + "/!transform/creditMemo",
                "{\"externalId\":\"cm_2\",\"item\":{\"items\":[{\"orderLine\":1,\"amount\":1000.00}]}}");
        assertThat((BigDecimal) erp.byId("creditMemo", second).orElseThrow().get("amountRemaining"))
                .isEqualByComparingTo("1000.00");

        assertThat(client.refused("PUT", "/customerRefund/eid:re_1", "{\"customer\":{\"id\":\"1000\"},"
                + "\"apply\":{\"items\":[" + apply(second, "1000.00") + "]}}", USER_ERROR, "account"))
                .contains("Please enter value(s) for: Account");
        client.refused("PUT", "/customerRefund/eid:re_1", refund("4000", apply(second, "1000.00")), INVALID_VALUE,
                "account");
        client.refused("PUT", "/customerRefund/eid:re_1", refund("1011", apply(second, "1000.00")), INVALID_VALUE,
                "account");
        client.refused("PUT", "/customerRefund/eid:re_1", refund("1100", apply(second, "1000.01")), USER_ERROR,
                "apply.items[0].amount");
        client.refused("PUT", "/customerRefund/eid:re_1", refund("1100", apply(memo, "1.00")), USER_ERROR,
                "apply.items[0].amount");
        client.refused("PUT", "/customerRefund/eid:re_1", refund("1100", apply(invoice, "1.00")), INVALID_CONTENT,
                "apply.items[0].doc");
        client.ok("PUT", "/customerRefund/eid:re_1", refund("1100", apply(second, "1000.00")));
        client.ok("PUT", "/customerRefund/eid:re_1", refund("1100", apply(second, "1000.00"))); // upsert: own excluded
        assertThat((BigDecimal) erp.byExternalId("customerRefund", "re_1").orElseThrow().get("total"))
                .isEqualByComparingTo("1000.00");
        assertThat((BigDecimal) erp.byId("creditMemo", second).orElseThrow().get("amountRemaining"))
                .isEqualByComparingTo("0.00");
        client.refused("PUT", "/customerRefund/eid:re_2", refund("1010", apply(second, "0.01")), USER_ERROR,
                "apply.items[0].amount");
    }

    @Test
    void customerPaymentGoesToUndepositedFundsOrABankAccountAndAppliesToOpenInvoices() throws Exception {
        String order = workedExampleOrder();
        String invoice = client.ok("POST", "/salesOrder/" + order + "/!transform/invoice",
                "{\"externalId\":\"in_1\",\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":1,\"amount\":20000.00}]}}");

        assertThat(client.refused("PUT", "/customerPayment/eid:py_1", payment("100.00", null, ""), USER_ERROR,
                "account")).contains("Please enter value(s) for: Account");
        client.refused("PUT", "/customerPayment/eid:py_1", payment("100.00", "\"undepFunds\":true,"
                + "\"account\":{\"id\":\"1010\"}", ""), INVALID_VALUE, "account");
        client.refused("PUT", "/customerPayment/eid:py_1", payment("100.00", "\"account\":{\"id\":\"4000\"}", ""),
                INVALID_VALUE, "account");
        client.refused("PUT", "/customerPayment/eid:py_1", payment("100.00", "\"account\":{\"id\":\"1011\"}", ""),
                INVALID_VALUE, "account");
        client.refused("PUT", "/customerPayment/eid:py_1", payment("0.00", "\"undepFunds\":true", ""),
                INVALID_VALUE, "payment");
        client.refused("PUT", "/customerPayment/eid:py_1", "{\"customer\":{\"id\":\"1000\"},\"undepFunds\":true}",
                USER_ERROR, "payment");
        assertThat(client.refused("PUT", "/customerPayment/eid:py_1", payment("30000.00", "\"undepFunds\":true",
                apply(invoice, "20000.01")), USER_ERROR, "apply.items[0].amount")).contains("amount remaining");
        assertThat(client.refused("PUT", "/customerPayment/eid:py_1", payment("50.00", "\"undepFunds\":true",
                apply(invoice, "50.01")), USER_ERROR, "apply")).contains("more than the payment");
        client.refused("PUT", "/customerPayment/eid:py_1", payment("50.00", "\"undepFunds\":true",
                apply(invoice, "10.00") + "," + apply(invoice, "10.00")), INVALID_VALUE, "apply.items[1].doc");
        client.refused("PUT", "/customerPayment/eid:py_1", payment("50.00", "\"undepFunds\":true,\"status\":\"x\"", ""),
                INVALID_VALUE, "status");

        client.ok("PUT", "/customer/eid:SF-002", customer("1", "").replace("Acme Inc", "Other Inc"));
        client.refused("PUT", "/customerPayment/eid:py_x", "{\"customer\":{\"externalId\":\"SF-002\"},"
                + "\"payment\":10.00,\"undepFunds\":true,\"apply\":{\"items\":[" + apply(invoice, "10.00") + "]}}",
                INVALID_VALUE, "apply.items[0].doc");

        String py1 = client.ok("PUT", "/customerPayment/eid:py_1", payment("12000.00", "\"undepFunds\":true",
                apply(invoice, "12000.00")));
        // an upsert of the same payment does not count its own earlier application
        client.ok("PUT", "/customerPayment/eid:py_1", payment("12000.00", "\"undepFunds\":true",
                apply(invoice, "12000.00")));
        Map<String, Object> payment = erp.byId("customerPayment", py1).orElseThrow();
        assertThat(payment).containsEntry("status", Map.of("id", "Undeposited", "refName", "Undeposited"))
                .containsEntry("undepFunds", true).doesNotContainKey("deposit");
        assertThat((BigDecimal) erp.byId("invoice", invoice).orElseThrow().get("amountRemaining"))
                .isEqualByComparingTo("8000.00");
        client.refused("PUT", "/customerPayment/eid:py_2", payment("8000.01", "\"undepFunds\":true",
                apply(invoice, "8000.01")), USER_ERROR, "apply.items[0].amount");

        String py2 = client.ok("PUT", "/customerPayment/eid:py_2", payment("8000.00", "\"account\":{\"id\":\"1010\"}",
                apply(invoice, "8000.00")));
        assertThat(erp.byId("customerPayment", py2).orElseThrow())
                .containsEntry("status", Map.of("id", "Deposited", "refName", "Deposited"))
                .containsEntry("account", Map.of("id", "1010", "refName", "1010 Operating Account (USD)"));
        assertThat(erp.byId("invoice", invoice).orElseThrow().get("status"))
                .isEqualTo(Map.of("id", "Paid In Full", "refName", "Paid In Full"));
    }

    // ---- deposits ----

    @Test
    void depositTakesUndepositedPaymentsOnceIntoABankAccount() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", customer("1", ""));
        String a = client.ok("PUT", "/customerPayment/eid:py_a", payment("100.00", "\"undepFunds\":true", ""));
        String b = client.ok("PUT", "/customerPayment/eid:py_b", payment("50.00", "\"undepFunds\":true", ""));
        String banked = client.ok("PUT", "/customerPayment/eid:py_c", payment("70.00", "\"account\":{\"id\":\"1010\"}", ""));

        client.refused("PUT", "/deposit/eid:po_1", deposit("1099", "1", payments(a)), INVALID_VALUE, "account");
        client.refused("PUT", "/deposit/eid:po_1", deposit("1011", "1", payments(a)), INVALID_VALUE, "account");
        client.refused("PUT", "/deposit/eid:po_1", deposit("1010", "1", payments(a) + ",\"currency\":{\"id\":\"2\"}"),
                INVALID_VALUE, "currency");
        client.refused("PUT", "/deposit/eid:po_1", "{\"subsidiary\":{\"id\":\"1\"}," + payments(a) + "}", USER_ERROR,
                "account");
        assertThat(client.refused("PUT", "/deposit/eid:po_1", deposit("1010", "1", payments(banked)), USER_ERROR,
                "payment.items[0].doc")).contains("Undeposited Funds");
        client.refused("PUT", "/deposit/eid:po_1", deposit("1010", "1", payments(a, a)), INVALID_VALUE,
                "payment.items[1].doc");
        client.refused("PUT", "/deposit/eid:po_1", deposit("1010", "1", payments(a)
                + ",\"other\":{\"items\":[{\"amount\":5.00}]}"), USER_ERROR, "other.items[0].account");
        client.refused("PUT", "/deposit/eid:po_1", deposit("1010", "1", payments(a)
                + ",\"cashBack\":{\"items\":[{\"account\":{\"id\":\"6140\"},\"amount\":-1.00}]}"), INVALID_VALUE,
                "cashBack.items[0].amount");
        client.refused("PUT", "/deposit/eid:po_1", deposit("1010", "1", "\"memo\":\"nothing\""), USER_ERROR, "payment");

        String deposit = client.ok("PUT", "/deposit/eid:po_1", deposit("1010", "1", payments(a, b)
                + ",\"other\":{\"items\":[{\"account\":{\"id\":\"1100\"},\"amount\":20.00,\"memo\":\"adjustment\"}]}"
                + ",\"cashBack\":{\"items\":[{\"account\":{\"id\":\"6140\"},\"amount\":4.50,\"memo\":\"Stripe fees\"}]}"));
        Map<String, Object> stored = erp.byId("deposit", deposit).orElseThrow();
        assertThat((BigDecimal) stored.get("total")).isEqualByComparingTo("165.50");
        assertThat(stored.get("currency")).isEqualTo(Map.of("id", "1", "refName", "US Dollar"));
        assertThat(lines(stored, "payment")).extracting(l -> ((BigDecimal) l.get("paymentAmount")).toPlainString())
                .containsExactly("100.00", "50.00");
        for (String payment : List.of(a, b)) {
            assertThat(erp.byId("customerPayment", payment).orElseThrow())
                    .containsEntry("status", Map.of("id", "Deposited", "refName", "Deposited"))
                    .containsEntry("deposit", Map.of("id", deposit, "refName", "Deposit #DEP" + deposit));
        }
        assertThat(client.refused("PUT", "/deposit/eid:po_2", deposit("1010", "1", payments(a)), USER_ERROR,
                "payment.items[0].doc")).contains("already been deposited");
        assertThat(client.refused("PUT", "/customerPayment/eid:py_a", payment("101.00", "\"undepFunds\":true", ""),
                USER_ERROR, "payment")).contains("has been deposited");
        client.ok("PUT", "/customerPayment/eid:py_a", payment("100.00", "\"undepFunds\":true,\"memo\":\"ok\"", ""));
        assertThat(client.refused("DELETE", "/customerPayment/" + a, null, USER_ERROR, null))
                .contains("dependent records");

        // an upsert that drops a payment makes it undeposited again, and it may then go into another deposit
        client.ok("PUT", "/deposit/eid:po_1?replace=payment,other,cashBack", deposit("1010", "1", payments(a)
                + ",\"other\":{\"items\":[]},\"cashBack\":{\"items\":[]}"));
        assertThat((BigDecimal) erp.byId("deposit", deposit).orElseThrow().get("total")).isEqualByComparingTo("100.00");
        assertThat(erp.byId("customerPayment", b).orElseThrow())
                .containsEntry("status", Map.of("id", "Undeposited", "refName", "Undeposited"))
                .doesNotContainKey("deposit");
        client.ok("PUT", "/deposit/eid:po_2", deposit("1010", "1", payments(b)));
    }

    // ---- journal entries ----

    @Test
    void journalLinesNeedAnExistingAccountAndOneSidePerLine() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", customer("1", ""));
        client.refused("PUT", "/journalEntry/eid:dp_1", journal("9999", "debit", "1100", "credit"), INVALID_CONTENT,
                "line.items[0].account");
        client.refused("PUT", "/journalEntry/eid:dp_1", "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":["
                + "{\"account\":{\"id\":\"1210\"},\"debit\":10.00,\"credit\":10.00},"
                + "{\"account\":{\"id\":\"1100\"},\"credit\":10.00}]}}", INVALID_VALUE, "line.items[0].debit");
        client.refused("PUT", "/journalEntry/eid:dp_1", "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":["
                + "{\"account\":{\"id\":\"1210\"},\"debit\":-10.00},{\"account\":{\"id\":\"1100\"},\"credit\":-10.00}]}}",
                INVALID_VALUE, "line.items[0].debit");
        client.refused("PUT", "/journalEntry/eid:dp_1", journal("1011", "debit", "1100", "credit"), INVALID_VALUE,
                "line.items[0].account");
        client.refused("PUT", "/journalEntry/eid:dp_1", "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":["
                + "{\"acct\":{\"id\":\"1210\"},\"debit\":10.00}]}}", INVALID_CONTENT, "line.items[0].acct");
        client.refused("PUT", "/journalEntry/eid:dp_1", "{\"line\":{\"items\":[]}}", USER_ERROR, "subsidiary");

        String id = client.ok("PUT", "/journalEntry/eid:dp_1", "{\"subsidiary\":{\"id\":\"1\"},\"memo\":\"dispute\","
                + "\"line\":{\"items\":[{\"account\":{\"id\":\"1210\"},\"debit\":25.00,\"entity\":{\"id\":\"1000\"}},"
                + "{\"account\":{\"id\":\"6150\"},\"debit\":15.00},{\"account\":{\"id\":\"1100\"},\"credit\":40.00}]}}");
        Map<String, Object> journal = erp.byId("journalEntry", id).orElseThrow();
        assertThat(journal.get("currency")).isEqualTo(Map.of("id", "1", "refName", "US Dollar"));
        assertThat(lines(journal, "line").get(0).get("account"))
                .isEqualTo(Map.of("id", "1210", "refName", "1210 Disputed Receivables"));
    }

    // ---- reference data and unavailable types ----

    @Test
    void accountsAreSeededReadOnlyAndRevRecSchedulesAreNotAvailable() throws Exception {
        JsonNode bank = client.get("/account/1011");
        assertThat(bank.path("acctName").asText()).isEqualTo("Operating Account (EUR)");
        assertThat(bank.path("acctType").path("id").asText()).isEqualTo("Bank");
        assertThat(bank.path("currency").path("id").asText()).isEqualTo("2");
        assertThat(bank.path("subsidiary").path("id").asText()).isEqualTo("2");
        assertThat(client.get("/account/2400").path("acctType").path("id").asText()).isEqualTo("DeferRevenue");
        assertThat(erp.records("account")).hasSize(11);
        assertThat(client.send("POST", "/account", "{\"acctName\":\"x\"}").statusCode()).isEqualTo(403);
        JsonNode item = client.get("/serviceSaleItem/502");
        assertThat(item.path("revenueRecognitionRule").path("refName").asText())
                .isEqualTo("Straight-line, by month, partial months by days");

        for (String method : List.of("PUT", "POST", "GET")) {
            JsonNode detail = client.error(client.send(method, "PUT".equals(method) ? "/revRecSchedule/eid:x"
                    : "/revRecSchedule", "GET".equals(method) ? null : "{\"name\":\"x\"}"), 404);
            assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_RCRD_TYPE");
        }
    }

    // ---- helpers ----

    /** The worked example: IMPL-STD 1 x 20000.00 (rev rec 2026-02-15), PLAT-SUB 10 x 10000.00 (2026-01..2026-10). */
    private String workedExampleOrder() throws Exception {
        client.ok("PUT", "/customer/eid:SF-001", customer("1", ""));
        return client.ok("PUT", "/salesOrder/eid:OPP-1", order(
                line(null, "IMPL-STD", "1", "20000.00", "2026-02-15", "2026-02-15", "L1"),
                line(null, "PLAT-SUB", "10", "100000.00", "2026-01-01", "2026-10-31", "L2")));
    }

    private static String customer(String subsidiary, String extra) {
        return "{\"companyName\":\"Acme Inc\",\"subsidiary\":{\"id\":\"" + subsidiary + "\"}" + extra + "}";
    }

    private static String order(String... lines) {
        return "{\"entity\":{\"externalId\":\"SF-001\"},\"subsidiary\":{\"id\":\"1\"},\"tranDate\":\"2026-01-01\","
                + "\"item\":{\"items\":[" + String.join(",", lines) + "]}}";
    }

    private static String line(Integer line, String item, String quantity, String amount, String start, String end,
                               String sfLineId) {
        return "{" + (line == null ? "" : "\"line\":" + line + ",") + "\"item\":{\"externalId\":\"" + item + "\"},"
                + "\"quantity\":" + quantity + ",\"amount\":" + amount
                + (start == null ? "" : ",\"revRecStartDate\":\"" + start + "\"")
                + (end == null ? "" : ",\"revRecEndDate\":\"" + end + "\"")
                + ",\"custcol_sf_line_item_id\":\"" + sfLineId + "\"}";
    }

    private static String payment(String amount, String target, String applyLines) {
        return "{\"customer\":{\"id\":\"1000\"},\"payment\":" + amount + (target == null ? "" : "," + target)
                + (applyLines.isEmpty() ? "" : ",\"apply\":{\"items\":[" + applyLines + "]}") + "}";
    }

    private static String apply(String doc, String amount) {
        return "{\"doc\":{\"id\":\"" + doc + "\"},\"apply\":true,\"amount\":" + amount + "}";
    }

    private static String refund(String account, String applyLines) {
        return "{\"customer\":{\"id\":\"1000\"},\"account\":{\"id\":\"" + account + "\"},"
                + "\"apply\":{\"items\":[" + applyLines + "]}}";
    }

    private static String payments(String... ids) {
        StringBuilder out = new StringBuilder("\"payment\":{\"items\":[");
        for (int i = 0; i < ids.length; i++) {
            out.append(i == 0 ? "" : ",").append("{\"doc\":{\"id\":\"").append(ids[i]).append("\"},\"deposit\":true}");
        }
        return out.append("]}").toString();
    }

    private static String deposit(String account, String subsidiary, String rest) {
        return "{\"account\":{\"id\":\"" + account + "\"},\"subsidiary\":{\"id\":\"" + subsidiary + "\"}," + rest + "}";
    }

    private static String journal(String account1, String side1, String account2, String side2) {
        return "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":[{\"account\":{\"id\":\"" + account1 + "\"},\""
                + side1 + "\":10.00},{\"account\":{\"id\":\"" + account2 + "\"},\"" + side2 + "\":10.00}]}}";
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lines(Map<String, Object> record, String sublist) {
        return (List<Map<String, Object>>) ((Map<String, Object>) record.get(sublist)).get("items");
    }
}
