package dev.revenuebridge.sandbox.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.ApiException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceItem;
import com.stripe.model.InvoiceLineItem;
import com.stripe.model.Product;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceItemCreateParams;
import com.stripe.param.InvoiceItemListParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionCreateParams.PaymentSettings.PaymentMethodType;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionUpdateParams;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the Stripe sandbox with the official stripe-java SDK, as the bridge does, and with raw HTTP. */
class StripeSandboxTest {

    private static final String KEY = "sk_test_local";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2025-12-19, the close date of the worked example deal. */
    private static final Instant NOW = Instant.parse("2025-12-19T17:04:11Z");

    private final HttpClient http = HttpClient.newHttpClient();
    private StripeSandbox sandbox;
    private StripeClient client;

    @BeforeEach
    void start() {
        sandbox = new StripeSandbox().start(0);
        sandbox.clock(Clock.fixed(NOW, ZoneOffset.UTC));
        client = StripeClient.builder().setApiKey(KEY).setApiBase(sandbox.baseUrl()).setMaxNetworkRetries(0).build();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void billsTheExampleDealThroughTheOfficialSdk() throws Exception {
        List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
        sandbox.onEvent(events::add);

        Customer customer = client.v1().customers().create(CustomerCreateParams.builder()
                .setName("Acme Corp")
                .setEmail("ap@acme.example")
                .putMetadata("sf_account_id", "001Dn00000AcmeAAA")
                .putMetadata("sf_opportunity_id", "006Dn00000SeedAAA")
                .build(), RequestOptions.builder().setIdempotencyKey("006Dn00000SeedAAA-v1-customer").build());
        assertThat(customer.getId()).matches("cus_[0-9A-Za-z]{14}");
        assertThat(customer.getMetadata()).containsEntry("sf_account_id", "001Dn00000AcmeAAA");
        assertThat(customer.getLivemode()).isFalse();

        Product platform = client.v1().products().create(ProductCreateParams.builder()
                .setId("PLAT-SUB").setName("Platform subscription").build());
        client.v1().products().create(ProductCreateParams.builder().setId("IMPL-STD").setName("Standard implementation").build());
        assertThat(platform.getId()).isEqualTo("PLAT-SUB");

        long cancelAt = LocalDate.of(2026, 11, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        Subscription subscription = client.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder()
                        .setPriceData(SubscriptionCreateParams.Item.PriceData.builder()
                                .setCurrency("usd")
                                .setProduct("PLAT-SUB")
                                .setUnitAmount(1_000_000L)
                                .setRecurring(SubscriptionCreateParams.Item.PriceData.Recurring.builder()
                                        .setInterval(SubscriptionCreateParams.Item.PriceData.Recurring.Interval.MONTH)
                                        .build())
                                .build())
                        .setQuantity(1L)
                        .build())
                .setCollectionMethod(SubscriptionCreateParams.CollectionMethod.SEND_INVOICE)
                .setDaysUntilDue(30L)
                .setPaymentSettings(SubscriptionCreateParams.PaymentSettings.builder()
                        .addPaymentMethodType(PaymentMethodType.US_BANK_ACCOUNT).build())
                .setCancelAt(cancelAt)
                .putMetadata("sf_opportunity_id", "006Dn00000SeedAAA")
                .build(), RequestOptions.builder().setIdempotencyKey("006Dn00000SeedAAA-v1-subscription").build());

        assertThat(subscription.getId()).startsWith("sub_");
        assertThat(subscription.getStatus()).isEqualTo("active");
        assertThat(subscription.getCustomer()).isEqualTo(customer.getId());
        assertThat(subscription.getCollectionMethod()).isEqualTo("send_invoice");
        assertThat(subscription.getDaysUntilDue()).isEqualTo(30L);
        assertThat(subscription.getCancelAt()).isEqualTo(cancelAt);
        assertThat(subscription.getCurrency()).isEqualTo("usd");
        assertThat(subscription.getPaymentSettings().getPaymentMethodTypes()).containsExactly("us_bank_account");
        SubscriptionItem item = subscription.getItems().getData().get(0);
        assertThat(item.getId()).startsWith("si_");
        assertThat(item.getPrice().getUnitAmount()).isEqualTo(1_000_000L);
        assertThat(item.getPrice().getProduct()).isEqualTo("PLAT-SUB");
        assertThat(item.getPrice().getRecurring().getInterval()).isEqualTo("month");
        assertThat(item.getCurrentPeriodStart()).isEqualTo(NOW.getEpochSecond());
        assertThat(item.getCurrentPeriodEnd()).isEqualTo(Instant.parse("2026-01-19T17:04:11Z").getEpochSecond());
        // Stripe invoices a new subscription's first period at once, finalized
        Invoice first = client.v1().invoices().retrieve(subscription.getLatestInvoice());
        assertThat(first.getStatus()).isEqualTo("open");
        assertThat(first.getAmountDue()).isEqualTo(1_000_000L);
        assertThat(first.getBillingReason()).isEqualTo("subscription_create");
        assertThat(first.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(subscription.getId());

        Invoice draft = client.v1().invoices().create(InvoiceCreateParams.builder()
                .setCustomer(customer.getId())
                .setCollectionMethod(InvoiceCreateParams.CollectionMethod.SEND_INVOICE)
                .setDaysUntilDue(30L)
                .setDescription("Implementation")
                .build());
        assertThat(draft.getStatus()).isEqualTo("draft");
        assertThat(draft.getNumber()).isNull();
        assertThat(draft.getAutoAdvance()).isFalse();

        InvoiceItem invoiceItem = client.v1().invoiceItems().create(InvoiceItemCreateParams.builder()
                .setCustomer(customer.getId())
                .setInvoice(draft.getId())
                .setPriceData(InvoiceItemCreateParams.PriceData.builder()
                        .setCurrency("usd").setProduct("IMPL-STD").setUnitAmount(2_000_000L).build())
                .setQuantity(1L)
                .putMetadata("sf_line_item_id", "00kDn00000Impl1AAA")
                .build());
        assertThat(invoiceItem.getId()).startsWith("ii_");
        assertThat(invoiceItem.getAmount()).isEqualTo(2_000_000L);
        assertThat(invoiceItem.getInvoice()).isEqualTo(draft.getId());
        assertThat(invoiceItem.getPricing().getPriceDetails().getProduct()).isEqualTo("IMPL-STD");

        Invoice finalized = client.v1().invoices().finalizeInvoice(draft.getId());
        assertThat(finalized.getStatus()).isEqualTo("open");
        assertThat(finalized.getNumber()).matches("[A-Z0-9]{8}-0002");
        assertThat(finalized.getNumber()).startsWith(first.getNumber().substring(0, 9));
        assertThat(finalized.getAmountDue()).isEqualTo(2_000_000L);
        assertThat(finalized.getTotal()).isEqualTo(2_000_000L);
        assertThat(finalized.getAmountRemaining()).isEqualTo(2_000_000L);
        assertThat(finalized.getDueDate()).isEqualTo(NOW.getEpochSecond() + 30 * 86_400);
        InvoiceLineItem line = finalized.getLines().getData().get(0);
        assertThat(line.getAmount()).isEqualTo(2_000_000L);
        assertThat(line.getMetadata()).containsEntry("sf_line_item_id", "00kDn00000Impl1AAA");
        assertThat(line.getPricing().getPriceDetails().getProduct()).isEqualTo("IMPL-STD");

        assertThatThrownBy(() -> client.v1().invoices().finalizeInvoice(draft.getId()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("This invoice is already finalized, you can't re-finalize a non-draft invoice.");

        // what the bridge can look up later, and what a test can assert on
        List<Customer> found = client.v1().customers().search(CustomerSearchParams.builder()
                .setQuery("metadata['sf_opportunity_id']:'006Dn00000SeedAAA' AND email:'ap@acme.example'").build()).getData();
        assertThat(found).extracting(Customer::getId).containsExactly(customer.getId());
        assertThat(sandbox.objects("invoices")).hasSize(2);
        assertThat(sandbox.objects("subscriptions")).singleElement()
                .satisfies(s -> assertThat(s.get("metadata")).isEqualTo(Map.of("sf_opportunity_id", "006Dn00000SeedAAA")));
        assertThat(events).extracting(e -> e.get("type")).contains("customer.created",
                "customer.subscription.created", "invoice.created", "invoice.finalized", "invoiceitem.created");
        assertThat(sandbox.requests()).filteredOn(r -> r.path().equals("/v1/subscriptions"))
                .singleElement()
                .satisfies(r -> assertThat(r.idempotencyKey()).isEqualTo("006Dn00000SeedAAA-v1-subscription"));
    }

    @Test
    void amendsAndCancelsSubscriptionsWithProrations() throws Exception {
        Customer customer = client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());
        client.v1().products().create(ProductCreateParams.builder().setId("PLAT-SUB").setName("Platform").build());
        Subscription subscription = client.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder()
                        .setPriceData(SubscriptionCreateParams.Item.PriceData.builder()
                                .setCurrency("usd").setProduct("PLAT-SUB").setUnitAmount(3_000L)
                                .setRecurring(SubscriptionCreateParams.Item.PriceData.Recurring.builder()
                                        .setInterval(SubscriptionCreateParams.Item.PriceData.Recurring.Interval.MONTH)
                                        .build())
                                .build())
                        .build())
                .setCollectionMethod(SubscriptionCreateParams.CollectionMethod.SEND_INVOICE)
                .setDaysUntilDue(30L)
                .addExpand("latest_invoice")
                .build());
        assertThat(subscription.getLatestInvoiceObject().getTotal()).isEqualTo(3_000L);

        // half way through the period (2025-12-19 .. 2026-01-19, 31 days) the quantity goes from 1 to 2
        sandbox.clock(Clock.fixed(NOW.plusSeconds(31L * 86_400 / 2), ZoneOffset.UTC));
        String itemId = subscription.getItems().getData().get(0).getId();
        Subscription amended = client.v1().subscriptions().update(subscription.getId(),
                SubscriptionUpdateParams.builder()
                        .addItem(SubscriptionUpdateParams.Item.builder().setId(itemId).setQuantity(2L).build())
                        .build());
        assertThat(amended.getItems().getData().get(0).getQuantity()).isEqualTo(2L);
        List<InvoiceItem> prorations = client.v1().invoiceItems().list(
                InvoiceItemListParams.builder().setPending(true).build()).getData();
        assertThat(prorations).extracting(InvoiceItem::getAmount).containsExactlyInAnyOrder(-1_500L, 3_000L);
        assertThat(prorations).allSatisfy(p -> assertThat(p.getProration()).isTrue());

        Subscription canceled = client.v1().subscriptions().cancel(subscription.getId());
        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThat(client.v1().subscriptions().list().getData()).as("canceled ones are listed only on request").isEmpty();
        assertThat(client.v1().subscriptions().list(SubscriptionListParams.builder()
                .setStatus(SubscriptionListParams.Status.ALL).build()).getData()).hasSize(1);
    }

    @Test
    void replaysARequestWithTheSameIdempotencyKeyAndRefusesOtherParameters() throws Exception {
        RequestOptions key = RequestOptions.builder().setIdempotencyKey("opp-1-v1-customer").build();
        CustomerCreateParams params = CustomerCreateParams.builder().setName("Acme").putMetadata("a", "1").build();

        Customer first = client.v1().customers().create(params, key);
        Customer again = client.v1().customers().create(params, key);

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(again.getLastResponse().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(first.getLastResponse().headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(sandbox.objects("customers")).hasSize(1);
        assertThat(sandbox.idempotentReplayCount()).isEqualTo(1);

        CustomerCreateParams other = CustomerCreateParams.builder().setName("Acme Corp").build();
        assertThatThrownBy(() -> client.v1().customers().create(other, key))
                .isInstanceOf(IdempotencyException.class)
                .hasMessageContaining("Keys for idempotent requests can only be used with the same parameters")
                .hasMessageContaining("opp-1-v1-customer");
        assertThat(sandbox.objects("customers")).hasSize(1);
    }

    @Test
    void replaysStoredBusinessErrorsButNotValidationErrors() throws Exception {
        HttpResponse<String> missing = post("/v1/subscriptions", "customer=cus_nothere&items[0][price]=price_x", "k-1");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(error(missing).path("code").asText()).isEqualTo("resource_missing");
        assertThat(error(missing).path("param").asText()).isEqualTo("customer");
        HttpResponse<String> replay = post("/v1/subscriptions", "customer=cus_nothere&items[0][price]=price_x", "k-1");
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        HttpResponse<String> invalid = post("/v1/customers", "foo=bar", "k-2");
        assertThat(invalid.statusCode()).isEqualTo(400);
        HttpResponse<String> corrected = post("/v1/customers", "name=Acme", "k-2");
        assertThat(corrected.statusCode()).isEqualTo(200);
        assertThat(corrected.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void runsAnIdempotencyKeyOnceUnderConcurrency() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                return post("/v1/customers", "name=Acme&metadata[opp]=006", "opp-006-customer");
            }));
        }
        go.countDown();
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (Future<HttpResponse<String>> future : futures) responses.add(future.get(10, TimeUnit.SECONDS));
        pool.shutdown();

        assertThat(sandbox.objects("customers")).hasSize(1);
        assertThat(responses).extracting(HttpResponse::statusCode).isSubsetOf(200, 409).contains(200);
        String id = (String) sandbox.objects("customers").get(0).get("id");
        assertThat(responses).filteredOn(r -> r.statusCode() == 200)
                .allSatisfy(r -> assertThat(JSON.readTree(r.body()).path("id").asText()).isEqualTo(id));
        assertThat(responses).filteredOn(r -> r.statusCode() == 409)
                .allSatisfy(r -> assertThat(r.headers().firstValue("Stripe-Should-Retry")).hasValue("true"));
    }

    @Test
    void enforcesStripesBillingRulesAndChangesNothingOnFailure() throws Exception {
        Customer customer = client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());
        client.v1().products().create(ProductCreateParams.builder().setId("PLAT-SUB").setName("Platform").build());

        // charge_automatically needs a payment method (payment_behavior allow_incomplete is the default)
        HttpResponse<String> noPaymentMethod = post("/v1/subscriptions", "customer=" + customer.getId()
                + "&items[0][price_data][currency]=usd&items[0][price_data][product]=PLAT-SUB"
                + "&items[0][price_data][unit_amount]=1000&items[0][price_data][recurring][interval]=month", null);
        assertThat(error(noPaymentMethod).path("message").asText())
                .startsWith("This customer has no attached payment source or default payment method.");
        // a failed request leaves no trace: the inline price created before the failure is gone
        assertThat(sandbox.objects("prices")).isEmpty();
        assertThat(sandbox.objects("subscriptions")).isEmpty();

        HttpResponse<String> unknownProduct = post("/v1/subscriptions", "customer=" + customer.getId()
                + "&collection_method=send_invoice&days_until_due=30&items[0][price_data][currency]=usd"
                + "&items[0][price_data][product]=NOPE&items[0][price_data][unit_amount]=1000"
                + "&items[0][price_data][recurring][interval]=month", null);
        assertThat(error(unknownProduct).path("param").asText()).isEqualTo("items[0][price_data][product]");
        assertThat(error(unknownProduct).path("message").asText()).isEqualTo("No such product: 'NOPE'");

        Invoice invoice = client.v1().invoices().create(InvoiceCreateParams.builder().setCustomer(customer.getId())
                .setCollectionMethod(InvoiceCreateParams.CollectionMethod.SEND_INVOICE).setDaysUntilDue(30L).build());
        Invoice empty = client.v1().invoices().finalizeInvoice(invoice.getId());
        assertThat(empty.getStatus()).as("an invoice with nothing due is paid on finalization").isEqualTo("paid");
        assertThatThrownBy(() -> client.v1().invoiceItems().create(InvoiceItemCreateParams.builder()
                .setCustomer(customer.getId()).setInvoice(invoice.getId()).setAmount(500L).setCurrency("usd").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("invoice_not_editable"));
        assertThat(sandbox.objects("invoiceitems")).isEmpty();
    }

    @Test
    void rejectsUnknownParametersLikeStripe() throws Exception {
        HttpResponse<String> response = post("/v1/customers", "name=Acme&foo=bar", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Request-Id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        JsonNode error = error(response);
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("parameter_unknown");
        assertThat(error.path("param").asText()).isEqualTo("foo");
        assertThat(error.path("message").asText()).isEqualTo("Received unknown parameter: foo");

        JsonNode nested = error(post("/v1/subscriptions", "customer=cus_x&items[0][price]=price_x&items[0][prise]=1", null));
        assertThat(nested.path("param").asText()).isEqualTo("items[0][prise]");
        assertThat(sandbox.objects("customers")).isEmpty();
        assertThat(sandbox.validationErrorCount()).isEqualTo(2);
    }

    @Test
    void rejectsMissingRequiredParameters() throws Exception {
        JsonNode error = error(post("/v1/subscriptions", "items[0][price]=price_x", null));
        assertThat(error.path("code").asText()).isEqualTo("parameter_missing");
        assertThat(error.path("param").asText()).isEqualTo("customer");
        assertThat(error.path("message").asText()).isEqualTo("Missing required param: customer.");

        JsonNode nested = error(post("/v1/subscriptions",
                "customer=cus_x&items[0][price_data][currency]=usd&items[0][price_data][product]=P", null));
        assertThat(nested.path("param").asText()).isEqualTo("items[0][price_data][recurring]");

        Customer customer = client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());
        assertThatThrownBy(() -> client.v1().invoices().create(InvoiceCreateParams.builder()
                .setCustomer(customer.getId())
                .setCollectionMethod(InvoiceCreateParams.CollectionMethod.SEND_INVOICE).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStripeError().getCode()).isEqualTo("parameter_missing");
                    assertThat(e.getStripeError().getParam()).isEqualTo("days_until_due");
                });
    }

    @Test
    void rejectsWrongTypesEnumsAndEmptyValues() throws Exception {
        JsonNode integer = error(post("/v1/invoices", "customer=cus_x&collection_method=send_invoice&days_until_due=abc", null));
        assertThat(integer.path("code").asText()).isEqualTo("parameter_invalid_integer");
        assertThat(integer.path("param").asText()).isEqualTo("days_until_due");
        assertThat(integer.path("message").asText()).isEqualTo("Invalid integer: abc");

        JsonNode nested = error(post("/v1/subscriptions", "customer=cus_x&items[0][price_data][currency]=usd"
                + "&items[0][price_data][product]=P&items[0][price_data][unit_amount]=ten"
                + "&items[0][price_data][recurring][interval]=month", null));
        assertThat(nested.path("param").asText()).isEqualTo("items[0][price_data][unit_amount]");

        JsonNode enumeration = error(post("/v1/invoices", "customer=cus_x&collection_method=monthly", null));
        assertThat(enumeration.path("param").asText()).isEqualTo("collection_method");
        assertThat(enumeration.path("message").asText())
                .isEqualTo("Invalid collection_method: must be one of charge_automatically or send_invoice");

        JsonNode empty = error(post("/v1/customers", "description=", null));
        assertThat(empty.path("code").asText()).isEqualTo("parameter_invalid_empty");

        JsonNode hash = error(post("/v1/customers", "metadata=abc", null));
        assertThat(hash.path("message").asText()).isEqualTo("Invalid hash");

        // Stripe's "" alternative unsets: metadata= clears, metadata[k]= removes one key
        Customer customer = client.v1().customers().create(CustomerCreateParams.builder()
                .putMetadata("a", "1").putMetadata("b", "2").build());
        HttpResponse<String> unset = post("/v1/customers/" + customer.getId(), "metadata[a]=", null);
        assertThat(JSON.readTree(unset.body()).path("metadata").toString()).isEqualTo("{\"b\":\"2\"}");
    }

    @Test
    void answersUnknownUrlsAndMissingObjectsLikeStripe() throws Exception {
        HttpResponse<String> unknown = post("/v1/foo", "a=b", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown).path("message").asText()).startsWith("Unrecognized request URL (POST: /v1/foo).");

        assertThatThrownBy(() -> client.v1().customers().retrieve("cus_missing"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getStripeError().getMessage()).isEqualTo("No such customer: 'cus_missing'");
                });

        client.v1().products().create(ProductCreateParams.builder().setId("PLAT-SUB").setName("Platform").build());
        assertThatThrownBy(() -> client.v1().products().create(ProductCreateParams.builder()
                .setId("PLAT-SUB").setName("Again").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("resource_already_exists"));
    }

    @Test
    void paginatesListsNewestFirst() throws Exception {
        sandbox.rateLimitPerSecond(0);
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            created.add(client.v1().customers().create(CustomerCreateParams.builder().setName("c" + i).build()).getId());
        }
        List<List<Customer>> pages = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            CustomerListParams.Builder params = CustomerListParams.builder().setLimit(10L);
            if (after != null) params.setStartingAfter(after);
            StripeCollection<Customer> page = client.v1().customers().list(params.build());
            pages.add(page.getData());
            more = page.getHasMore();
            after = page.getData().get(page.getData().size() - 1).getId();
        }

        assertThat(pages).extracting(List::size).containsExactly(10, 10, 5);
        List<String> ids = pages.stream().flatMap(List::stream).map(Customer::getId).toList();
        assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
        assertThat(pages.get(0).get(0).getName()).isEqualTo("c24");
        StripeCollection<Customer> back = client.v1().customers().list(CustomerListParams.builder()
                .setLimit(10L).setEndingBefore(pages.get(1).get(0).getId()).build());
        assertThat(back.getData()).extracting(Customer::getId)
                .containsExactlyElementsOf(pages.get(0).stream().map(Customer::getId).toList());
        assertThat(client.v1().customers().list(CustomerListParams.builder().setLimit(10L).build())
                .autoPagingIterable()).hasSize(25);
    }

    @Test
    void limitsTheRequestRate() throws Exception {
        sandbox.rateLimitPerSecond(5);
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            responses.add(get("/v1/customers"));
        }

        List<HttpResponse<String>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(limited).isNotEmpty();
        assertThat(responses).filteredOn(r -> r.statusCode() == 200).hasSizeLessThanOrEqualTo(10);
        HttpResponse<String> one = limited.get(0);
        assertThat(one.headers().firstValue("Stripe-Should-Retry")).hasValue("true");
        assertThat(error(one).path("code").asText()).isEqualTo("rate_limit");
        assertThat(sandbox.rateLimitedCount()).isEqualTo(limited.size());
    }

    @Test
    void injectsFaultsInStripesErrorShape() throws Exception {
        sandbox.faults().failNext(2, 503);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> client.v1().customers().list())
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatusCode()).isEqualTo(503));
        }
        assertThat(client.v1().customers().list().getData()).isEmpty();

        // a 503 never reached execution, so the SDK's retry (same Idempotency-Key) runs the request; an injected 500
        // would be saved under the key and replayed, as Stripe does (StripeProtocolTest)
        sandbox.faults().failNext(1, 503);
        StripeClient retrying = StripeClient.builder().setApiKey(KEY).setApiBase(sandbox.baseUrl())
                .setMaxNetworkRetries(2).build();
        assertThat(retrying.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build()).getId())
                .startsWith("cus_");
        assertThat(sandbox.objects("customers")).hasSize(1);
    }

    @Test
    void requiresATestModeSecretKey() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/customers"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(error(none).path("type").asText()).isEqualTo("invalid_request_error");

        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/customers"))
                .header("Authorization", "Bearer sk_live_abcdefgh1234").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(401);
        assertThat(error(live).path("message").asText()).isEqualTo("Invalid API Key provided: sk_live_********1234");

        String basic = Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> viaBasic = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/customers"))
                .header("Authorization", "Basic " + basic).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaBasic.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(viaBasic.body()).path("object").asText()).isEqualTo("list");
    }

    @Test
    void showsItsStateOverHttp() throws Exception {
        client.v1().customers().create(CustomerCreateParams.builder().setName("Acme").build());

        JsonNode state = JSON.readTree(get("/_sandbox/state").body());

        assertThat(state.path("customers")).hasSize(1);
        assertThat(state.path("customers").get(0).path("name").asText()).isEqualTo("Acme");
        for (String kind : List.of("products", "prices", "subscriptions", "invoiceitems", "invoices")) {
            assertThat(state.path(kind).isArray()).as(kind).isTrue();
        }
        assertThat(state.path("counters").path("requests").asInt()).isEqualTo(1);
        assertThat(sandbox.requestCount()).isEqualTo(1);
    }

    private HttpResponse<String> post(String path, String form, String idempotencyKey) throws IOException, InterruptedException {
        return new RawStripeHttp(sandbox.baseUrl(), KEY).post(path, form, idempotencyKey);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return new RawStripeHttp(sandbox.baseUrl(), KEY).get(path);
    }

    private static JsonNode error(HttpResponse<String> response) throws IOException {
        return RawStripeHttp.error(response);
    }

    @Test
    void eventsOlderThanTheRetentionAreForgotten() throws Exception {
        // Stripe lists events going back up to 30 days (https://docs.stripe.com/api/events/list)
        Customer kept30Days = client.customers().create(CustomerCreateParams.builder().setName("Acme").build());
        sandbox.clock(Clock.fixed(NOW.plusSeconds(29L * 86_400), ZoneOffset.UTC));
        client.customers().create(CustomerCreateParams.builder().setName("Globex").build());
        assertThat(sandbox.objects("events")).hasSize(2);

        sandbox.clock(Clock.fixed(NOW.plusSeconds(31L * 86_400), ZoneOffset.UTC));
        client.customers().create(CustomerCreateParams.builder().setName("Initech").build());
        assertThat(sandbox.objects("events")).hasSize(2)
                .noneMatch(e -> kept30Days.getId().equals(((Map<?, ?>) ((Map<?, ?>) e.get("data")).get("object")).get("id")));

        sandbox.eventRetention(java.time.Duration.ofMinutes(10));
        sandbox.clock(Clock.fixed(NOW.plusSeconds(31L * 86_400 + 601), ZoneOffset.UTC));
        Customer last = client.customers().create(CustomerCreateParams.builder().setName("Umbrella").build());
        assertThat(sandbox.objects("events")).singleElement()
                .satisfies(e -> assertThat(((Map<?, ?>) ((Map<?, ?>) e.get("data")).get("object")).get("id")).isEqualTo(last.getId()));
        assertThat(sandbox.objects("customers")).hasSize(4);
    }
}
