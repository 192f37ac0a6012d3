package dev.revenuebridge.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.revenuebridge.sandbox.stripe.StripeWebhooks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** What a Stripe user does in tests: API calls to the Stripe sandbox, and the webhook endpoint pointing at a bridge. */
public final class StripeCalls {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private StripeCalls() {
    }

    /** POSTs a form to the sandbox's Stripe API with the test key; the object Stripe answers, asserting 200. */
    public static Map<String, Object> post(String path, String form) {
        return send(path, request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** GETs a path (query string allowed) from the sandbox's Stripe API with the test key, asserting 200. */
    public static Map<String, Object> get(String path) {
        return send(path, request(path).GET());
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(BridgeInfrastructure.shared().stripe().baseUrl() + path))
                .header("Authorization", "Bearer " + BridgeInfrastructure.STRIPE_API_KEY);
    }

    /**
     * Sends as a well-behaved client does: a 429 (the sandbox enforces test mode's 25 requests a second, which a test's
     * own burst of reads plus the bridge's requests can pass) is sent again after a pause, as Stripe advises
     * (https://docs.stripe.com/rate-limits#handling-limiting-gracefully), up to ten times.
     */
    private static Map<String, Object> send(String path, HttpRequest.Builder builder) {
        try {
            HttpRequest request = builder.build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            for (int attempt = 1; response.statusCode() == 429 && attempt <= 10; attempt++) {
                Thread.sleep(100L * attempt);
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            }
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
            return JSON.readValue(response.body(), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A payment of an invoice as Stripe models it since API 2025-03-31.basil: the invoice payment, the PaymentIntent
     * that collected it and that intent's charge.
     */
    public record Paid(String invoicePayment, String paymentIntent, String charge, Map<String, Object> invoice) {
    }

    /** The customer pays what remains of the invoice with {@code paymentMethod} ({@code POST /v1/invoices/{id}/pay}). */
    public static Paid pay(String invoiceId, String paymentMethod) {
        java.util.Set<String> before = paidPaymentsOf(invoiceId);
        Map<String, Object> invoice = post("/v1/invoices/" + invoiceId + "/pay", "payment_method=" + paymentMethod);
        return newPaymentOf(invoiceId, before, invoice);
    }

    /** The customer pays {@code amount} (minor units) of the invoice, which stays open while anything remains. */
    public static Paid payPart(String invoiceId, long amount, String paymentMethod) {
        java.util.Set<String> before = paidPaymentsOf(invoiceId);
        BridgeInfrastructure.shared().stripe().payInvoicePartially(invoiceId, amount, paymentMethod);
        return newPaymentOf(invoiceId, before,
                BridgeInfrastructure.shared().stripe().object("invoices", invoiceId).orElseThrow());
    }

    private static java.util.Set<String> paidPaymentsOf(String invoiceId) {
        return BridgeInfrastructure.shared().stripe().objects("invoice_payments").stream()
                .filter(p -> invoiceId.equals(p.get("invoice")) && "paid".equals(p.get("status")))
                .map(p -> (String) p.get("id")).collect(java.util.stream.Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static Paid newPaymentOf(String invoiceId, java.util.Set<String> before, Map<String, Object> invoice) {
        var stripe = BridgeInfrastructure.shared().stripe();
        Map<String, Object> payment = stripe.objects("invoice_payments").stream()
                .filter(p -> invoiceId.equals(p.get("invoice")) && "paid".equals(p.get("status"))
                        && !before.contains(p.get("id")))
                .findFirst().orElseThrow(() -> new AssertionError("no new paid invoice payment of " + invoiceId));
        String intent = (String) ((Map<String, Object>) payment.get("payment")).get("payment_intent");
        String charge = (String) stripe.object("payment_intents", intent).orElseThrow().get("latest_charge");
        return new Paid((String) payment.get("id"), intent, charge, invoice);
    }

    /** The id of the one-time invoice the bridge made for the Opportunity. */
    @SuppressWarnings("unchecked")
    public static String oneTimeInvoiceOf(String opportunityId) {
        return BridgeInfrastructure.shared().stripe().objects("invoices").stream()
                .filter(i -> opportunityId.equals(((Map<String, Object>) i.getOrDefault("metadata", Map.of())).get("sf_opportunity_id")))
                .map(i -> (String) i.get("id")).findFirst().orElseThrow();
    }

    /** Points a sandbox webhook endpoint, signed with the local secret, at the bridge listening on {@code port}. */
    public static void deliverWebhooksTo(int port, boolean duplicates, boolean reorder) {
        BridgeInfrastructure.shared().stripe().webhooks().register(new StripeWebhooks.Endpoint(
                "http://127.0.0.1:" + port + "/webhooks/stripe", BridgeInfrastructure.STRIPE_WEBHOOK_SECRET, duplicates, reorder));
    }
}
