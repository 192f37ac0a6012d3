package dev.revenuebridge.sandbox.stripe;

import static java.util.Map.entry;

import com.stripe.param.BalanceTransactionListParams;
import com.stripe.param.BalanceTransactionRetrieveParams;
import com.stripe.param.ChargeListParams;
import com.stripe.param.ChargeRetrieveParams;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.CustomerRetrieveParams;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.DisputeListParams;
import com.stripe.param.DisputeRetrieveParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceFinalizeInvoiceParams;
import com.stripe.param.InvoiceItemCreateParams;
import com.stripe.param.InvoiceItemListParams;
import com.stripe.param.InvoiceItemRetrieveParams;
import com.stripe.param.InvoiceItemUpdateParams;
import com.stripe.param.InvoiceLineItemListParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoiceMarkUncollectibleParams;
import com.stripe.param.InvoicePayParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.InvoicePaymentRetrieveParams;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.InvoiceSearchParams;
import com.stripe.param.InvoiceSendInvoiceParams;
import com.stripe.param.InvoiceUpdateParams;
import com.stripe.param.InvoiceVoidInvoiceParams;
import com.stripe.param.PaymentIntentRetrieveParams;
import com.stripe.param.PayoutRetrieveParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceListParams;
import com.stripe.param.PriceRetrieveParams;
import com.stripe.param.PriceSearchParams;
import com.stripe.param.PriceUpdateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductListParams;
import com.stripe.param.ProductRetrieveParams;
import com.stripe.param.ProductSearchParams;
import com.stripe.param.ProductUpdateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import com.stripe.param.RefundRetrieveParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.SubscriptionScheduleCancelParams;
import com.stripe.param.SubscriptionScheduleCreateParams;
import com.stripe.param.SubscriptionScheduleListParams;
import com.stripe.param.SubscriptionScheduleReleaseParams;
import com.stripe.param.SubscriptionScheduleRetrieveParams;
import com.stripe.param.SubscriptionScheduleUpdateParams;
import com.stripe.param.SubscriptionSearchParams;
import com.stripe.param.SubscriptionUpdateParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each operation accepts, taken from the stripe-java version the bridge uses (the SDK pins the API version, so its
 * typed params classes are that version's request shapes): one table from "METHOD /v1/template" to the params class,
 * checked by {@link SdkParamSchema}; plus the required parameters, which the SDK does not mark, per Stripe's API
 * reference.
 */
final class StripeSdkParams {

    /** Operations the SDK calls without a params class (the DELETEs of customers, products, invoices, invoice items). */
    static final class NoParams {
        private NoParams() {
        }
    }

    /** Operation -> the params class the SDK sends for it. */
    static final Map<String, Class<?>> OPERATIONS = Map.ofEntries(
            // customers
            entry("POST /v1/customers", CustomerCreateParams.class),
            entry("GET /v1/customers", CustomerListParams.class),
            entry("GET /v1/customers/search", CustomerSearchParams.class),
            entry("GET /v1/customers/{customer}", CustomerRetrieveParams.class),
            entry("POST /v1/customers/{customer}", CustomerUpdateParams.class),
            entry("DELETE /v1/customers/{customer}", NoParams.class),
            // products and prices
            entry("POST /v1/products", ProductCreateParams.class),
            entry("GET /v1/products", ProductListParams.class),
            entry("GET /v1/products/search", ProductSearchParams.class),
            entry("GET /v1/products/{id}", ProductRetrieveParams.class),
            entry("POST /v1/products/{id}", ProductUpdateParams.class),
            entry("DELETE /v1/products/{id}", NoParams.class),
            entry("POST /v1/prices", PriceCreateParams.class),
            entry("GET /v1/prices", PriceListParams.class),
            entry("GET /v1/prices/search", PriceSearchParams.class),
            entry("GET /v1/prices/{price}", PriceRetrieveParams.class),
            entry("POST /v1/prices/{price}", PriceUpdateParams.class),
            // invoice items and invoices
            entry("POST /v1/invoiceitems", InvoiceItemCreateParams.class),
            entry("GET /v1/invoiceitems", InvoiceItemListParams.class),
            entry("GET /v1/invoiceitems/{invoiceitem}", InvoiceItemRetrieveParams.class),
            entry("POST /v1/invoiceitems/{invoiceitem}", InvoiceItemUpdateParams.class),
            entry("DELETE /v1/invoiceitems/{invoiceitem}", NoParams.class),
            entry("POST /v1/invoices", InvoiceCreateParams.class),
            entry("GET /v1/invoices", InvoiceListParams.class),
            entry("GET /v1/invoices/search", InvoiceSearchParams.class),
            entry("GET /v1/invoices/{invoice}", InvoiceRetrieveParams.class),
            entry("POST /v1/invoices/{invoice}", InvoiceUpdateParams.class),
            entry("DELETE /v1/invoices/{invoice}", NoParams.class),
            entry("GET /v1/invoices/{invoice}/lines", InvoiceLineItemListParams.class),
            entry("POST /v1/invoices/{invoice}/add_lines", com.stripe.param.InvoiceAddLinesParams.class),
            entry("POST /v1/invoices/{invoice}/finalize", InvoiceFinalizeInvoiceParams.class),
            entry("POST /v1/invoices/{invoice}/void", InvoiceVoidInvoiceParams.class),
            entry("POST /v1/invoices/{invoice}/pay", InvoicePayParams.class),
            entry("POST /v1/invoices/{invoice}/send", InvoiceSendInvoiceParams.class),
            entry("POST /v1/invoices/{invoice}/mark_uncollectible", InvoiceMarkUncollectibleParams.class),
            entry("GET /v1/invoice_payments", InvoicePaymentListParams.class),
            entry("GET /v1/invoice_payments/{invoice_payment}", InvoicePaymentRetrieveParams.class),
            // subscriptions and subscription schedules
            entry("POST /v1/subscriptions", SubscriptionCreateParams.class),
            entry("GET /v1/subscriptions", SubscriptionListParams.class),
            entry("GET /v1/subscriptions/search", SubscriptionSearchParams.class),
            entry("GET /v1/subscriptions/{subscription_exposed_id}", SubscriptionRetrieveParams.class),
            entry("POST /v1/subscriptions/{subscription_exposed_id}", SubscriptionUpdateParams.class),
            entry("DELETE /v1/subscriptions/{subscription_exposed_id}", SubscriptionCancelParams.class),
            entry("POST /v1/subscription_schedules", SubscriptionScheduleCreateParams.class),
            entry("GET /v1/subscription_schedules", SubscriptionScheduleListParams.class),
            entry("GET /v1/subscription_schedules/{schedule}", SubscriptionScheduleRetrieveParams.class),
            entry("POST /v1/subscription_schedules/{schedule}", SubscriptionScheduleUpdateParams.class),
            entry("POST /v1/subscription_schedules/{schedule}/cancel", SubscriptionScheduleCancelParams.class),
            entry("POST /v1/subscription_schedules/{schedule}/release", SubscriptionScheduleReleaseParams.class),
            // money movement
            entry("GET /v1/payment_intents/{intent}", PaymentIntentRetrieveParams.class),
            entry("GET /v1/charges", ChargeListParams.class),
            entry("GET /v1/charges/{charge}", ChargeRetrieveParams.class),
            entry("POST /v1/refunds", RefundCreateParams.class),
            entry("GET /v1/refunds", RefundListParams.class),
            entry("GET /v1/refunds/{refund}", RefundRetrieveParams.class),
            entry("GET /v1/disputes", DisputeListParams.class),
            entry("GET /v1/disputes/{dispute}", DisputeRetrieveParams.class),
            entry("GET /v1/balance_transactions", BalanceTransactionListParams.class),
            entry("GET /v1/balance_transactions/{id}", BalanceTransactionRetrieveParams.class),
            entry("GET /v1/payouts/{payout}", PayoutRetrieveParams.class));

    /** A price_data of a subscription item: https://docs.stripe.com/api/subscriptions/create#create_subscription-items-price_data */
    private static List<String> recurringPriceData(String prefix) {
        return List.of(prefix + "[price_data][currency]", prefix + "[price_data][product]",
                prefix + "[price_data][recurring]", prefix + "[price_data][recurring][interval]");
    }

    /**
     * Required parameters, in bracket notation: {@code *} is every element of a list, {@code a|b} means one of them
     * (the error names the first); a nested requirement applies only where its parent was sent.
     */
    static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            // https://docs.stripe.com/api/subscriptions/create: customer (or customer_account) and items
            entry("POST /v1/subscriptions", concat(List.of("customer|customer_account", "items"), recurringPriceData("items[*]"))),
            // https://docs.stripe.com/api/subscriptions/update: an item's inline price as on create
            entry("POST /v1/subscriptions/{subscription_exposed_id}", recurringPriceData("items[*]")),
            // https://docs.stripe.com/api/products/create: name; default_price_data needs currency
            entry("POST /v1/products", List.of("name", "default_price_data[currency]")),
            // https://docs.stripe.com/api/prices/create: currency; recurring[interval]; product_data[name]
            entry("POST /v1/prices", List.of("currency", "recurring[interval]", "product_data[name]")),
            // https://docs.stripe.com/api/invoiceitems/create: customer (or customer_account); price_data needs currency
            // and product; period needs start and end
            entry("POST /v1/invoiceitems", List.of("customer|customer_account", "price_data[currency]",
                    "price_data[product]", "period[start]", "period[end]")),
            // https://docs.stripe.com/api/invoiceitems/update: period needs start and end
            entry("POST /v1/invoiceitems/{invoiceitem}", List.of("period[start]", "period[end]")),
            // https://docs.stripe.com/api/subscription_schedules/create: a customer (or account), or from_subscription;
            // each phase's items, whose inline prices are as on a subscription
            entry("POST /v1/subscription_schedules", concat(List.of("customer|customer_account|from_subscription",
                    "phases[*][items]"), recurringPriceData("phases[*][items][*]"))),
            // https://docs.stripe.com/api/subscription_schedules/update: each phase's items
            entry("POST /v1/subscription_schedules/{schedule}", concat(List.of("phases[*][items]"),
                    recurringPriceData("phases[*][items][*]"))),
            // https://docs.stripe.com/api/invoices/add_lines: lines; an inline price needs currency and product
            entry("POST /v1/invoices/{invoice}/add_lines", List.of("lines", "lines[*][price_data][currency]",
                    "lines[*][price_data][product]")),
            // https://docs.stripe.com/api/search: every search takes a query
            entry("GET /v1/customers/search", List.of("query")),
            entry("GET /v1/products/search", List.of("query")),
            entry("GET /v1/prices/search", List.of("query")),
            entry("GET /v1/invoices/search", List.of("query")),
            entry("GET /v1/subscriptions/search", List.of("query")));

    private StripeSdkParams() {
    }

    /** The params class of an operation, or null when the table has none. */
    static Class<?> paramsClass(String operation) {
        return OPERATIONS.get(operation);
    }

    /**
     * Checks an operation's decoded parameters: unknown, mistyped, out-of-enum, wrongly emptied, then missing ones.
     * @throws StripeError with Stripe's code and parameter name
     */
    static Map<String, Object> validate(String operation, Class<?> params, Map<String, Object> decoded) {
        Map<String, Object> typed = SdkParamSchema.check(params, decoded);
        for (String rule : REQUIRED.getOrDefault(operation, List.of())) {
            requireIn(typed, FormDecoder.segments(rule), 0, new ArrayList<>());
        }
        return typed;
    }

    @SuppressWarnings("unchecked")
    private static void requireIn(Object node, List<String> rule, int at, List<String> path) {
        String segment = rule.get(at);
        if (segment.equals("*")) {
            if (!(node instanceof List<?> list)) return;
            for (int i = 0; i < list.size(); i++) {
                path.add(String.valueOf(i));
                requireIn(list.get(i), rule, at + 1, path);
                path.remove(path.size() - 1);
            }
            return;
        }
        if (!(node instanceof Map)) return;
        Map<String, Object> map = (Map<String, Object>) node;
        String[] alternatives = segment.split("\\|");
        if (at == rule.size() - 1) {
            for (String alternative : alternatives) {
                if (map.containsKey(alternative)) return;
            }
            path.add(alternatives[0]);
            throw StripeError.missingParameter(FormDecoder.name(path));
        }
        if (!map.containsKey(segment)) return;
        path.add(segment);
        requireIn(map.get(segment), rule, at + 1, path);
        path.remove(path.size() - 1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
