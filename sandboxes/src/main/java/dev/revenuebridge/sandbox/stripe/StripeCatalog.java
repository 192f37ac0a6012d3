package dev.revenuebridge.sandbox.stripe;

import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.PAGINATION;
import static dev.revenuebridge.sandbox.stripe.StripeEndpoint.of;
import static dev.revenuebridge.sandbox.stripe.StripeStore.deletedStub;
import static dev.revenuebridge.sandbox.stripe.StripeStore.param;
import static dev.revenuebridge.sandbox.stripe.StripeStore.set;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Customers, products and prices: who is billed, and for what. */
final class StripeCatalog {

    private static final Set<String> CUSTOMER_FIELDS = Set.of("address", "balance", "description", "email",
            "invoice_prefix", "invoice_settings", "metadata", "name", "next_invoice_sequence", "phone",
            "preferred_locales", "shipping", "tax_exempt");
    private static final Set<String> PRODUCT_FIELDS = Set.of("active", "description", "images", "metadata", "name",
            "shippable", "statement_descriptor", "tax_code", "unit_label", "url");

    private final StripeStore store;

    StripeCatalog(StripeStore store) {
        this.store = store;
    }

    void register(Map<String, StripeEndpoint> endpoints) {
        endpoints.put("POST /v1/customers", of(this::createCustomer, CUSTOMER_FIELDS));
        endpoints.put("GET /v1/customers/{customer}", of(c -> store.require("customers", "customer", c.pathParam("customer"))));
        endpoints.put("POST /v1/customers/{customer}", of(this::updateCustomer, CUSTOMER_FIELDS));
        endpoints.put("GET /v1/customers", of(this::listCustomers, PAGINATION, "email"));
        endpoints.put("GET /v1/customers/search",
                of(c -> store.search("customers", c, "/v1/customers/search"), "query", "limit", "page"));

        endpoints.put("POST /v1/products", of(this::createProduct, PRODUCT_FIELDS, "id", "default_price_data"));
        endpoints.put("GET /v1/products/{id}", of(c -> store.require("products", "product", c.pathParam("id"))));
        endpoints.put("POST /v1/products/{id}", of(this::updateProduct, PRODUCT_FIELDS, "default_price"));
        endpoints.put("DELETE /v1/products/{id}", of(this::deleteProduct));
        endpoints.put("GET /v1/products", of(this::listProducts, PAGINATION, "active", "ids", "shippable", "url"));
        endpoints.put("GET /v1/products/search",
                of(c -> store.search("products", c, "/v1/products/search"), "query", "limit", "page"));

        endpoints.put("POST /v1/prices", of(this::createPrice, "active", "billing_scheme", "currency", "lookup_key",
                "metadata", "nickname", "product", "product_data", "recurring", "tax_behavior", "transfer_lookup_key",
                "unit_amount", "unit_amount_decimal"));
        endpoints.put("GET /v1/prices/{price}", of(c -> store.require("prices", "price", c.pathParam("price"))));
        endpoints.put("POST /v1/prices/{price}", of(this::updatePrice, "active", "lookup_key", "metadata", "nickname",
                "tax_behavior", "transfer_lookup_key"));
        endpoints.put("GET /v1/prices", of(this::listPrices, PAGINATION, "active", "currency", "lookup_keys", "product",
                "recurring", "type"));
        endpoints.put("GET /v1/prices/search",
                of(c -> store.search("prices", c, "/v1/prices/search"), "query", "limit", "page"));
    }

    // ---------------------------------------------------------------- customers

    /** A live (not deleted) customer named by a parameter. */
    Map<String, Object> customer(String id, String param) {
        Map<String, Object> customer = store.reference("customers", "customer", id, param);
        if (Boolean.TRUE.equals(customer.get("deleted"))) throw StripeError.noSuchReference(param, "customer", id);
        return customer;
    }

    private Object createCustomer(StripeCall c) {
        Map<String, Object> customer = store.create("customer", StripeIds.next("cus_"));
        customer.put("address", null);
        customer.put("balance", 0L);
        customer.put("currency", null);
        customer.put("default_source", null);
        customer.put("delinquent", false);
        customer.put("description", null);
        customer.put("discount", null);
        customer.put("email", null);
        customer.put("invoice_prefix", StripeIds.invoicePrefix());
        Map<String, Object> invoiceSettings = new LinkedHashMap<>();
        invoiceSettings.put("custom_fields", null);
        invoiceSettings.put("default_payment_method", null);
        invoiceSettings.put("footer", null);
        invoiceSettings.put("rendering_options", null);
        customer.put("invoice_settings", invoiceSettings);
        customer.put("name", null);
        customer.put("next_invoice_sequence", 1L);
        customer.put("phone", null);
        customer.put("preferred_locales", new ArrayList<>());
        customer.put("shipping", null);
        customer.put("tax_exempt", "none");
        customer.put("test_clock", null);
        applyCustomer(customer, c);
        store.add("customers", customer);
        store.emit("customer.created", customer, null);
        return customer;
    }

    private Object updateCustomer(StripeCall c) {
        Map<String, Object> customer = liveCustomer(c.pathParam("customer"));
        Map<String, Object> before = StripeStore.copy(customer);
        applyCustomer(customer, c);
        store.emit("customer.updated", customer, before);
        return customer;
    }

    /** The customer named in the URL, or a 404 (also for a deleted one). */
    Map<String, Object> liveCustomer(String id) {
        Map<String, Object> customer = store.require("customers", "customer", id);
        if (Boolean.TRUE.equals(customer.get("deleted"))) throw StripeError.noSuchObject("customer", id);
        return customer;
    }

    @SuppressWarnings("unchecked")
    private static void applyCustomer(Map<String, Object> customer, StripeCall c) {
        for (String field : List.of("address", "balance", "description", "email", "name", "next_invoice_sequence",
                "phone", "shipping", "tax_exempt")) {
            set(customer, c, field);
        }
        String prefix = c.string("invoice_prefix");
        if (prefix != null) {
            if (!prefix.matches("[A-Z0-9]{3,12}")) {
                throw StripeError.invalid("invoice_prefix",
                        "Invalid invoice_prefix: must be 3 to 12 uppercase letters or numbers.");
            }
            customer.put("invoice_prefix", prefix);
        }
        if (c.has("preferred_locales")) {
            customer.put("preferred_locales", c.unset("preferred_locales") ? new ArrayList<>() : c.list("preferred_locales"));
        }
        Map<String, Object> settings = c.map("invoice_settings");
        if (settings != null) {
            Map<String, Object> current = (Map<String, Object>) customer.get("invoice_settings");
            settings.forEach((k, v) -> current.put(k, "".equals(v) ? null : v));
        }
        StripeStore.applyMetadata(customer, c.params().get("metadata"), "metadata");
    }

    /** Deletes a customer (its subscriptions must be canceled first); Stripe keeps answering with a stub. */
    Map<String, Object> deleteCustomer(String id) {
        Map<String, Object> customer = liveCustomer(id);
        Map<String, Object> deleted = deletedStub(customer);
        store.add("customers", deleted);
        store.emit("customer.deleted", customer, null);
        return deleted;
    }

    private Object listCustomers(StripeCall c) {
        String email = c.string("email");
        return store.list("customers", "customer",
                o -> !Boolean.TRUE.equals(o.get("deleted")) && (email == null || email.equals(o.get("email"))),
                c, "/v1/customers");
    }

    // ---------------------------------------------------------------- products

    private Object createProduct(StripeCall c) {
        String id = c.string("id");
        if (id != null && store.find("products", id) != null) {
            throw StripeError.alreadyExists("id", "Product already exists.");
        }
        Map<String, Object> product = newProduct(id, c.params());
        Map<String, Object> priceData = c.map("default_price_data");
        if (priceData != null) {
            Map<String, Object> price = newPrice(StripeCall.string(priceData, "currency"), (String) product.get("id"),
                    priceData, StripeCall.map(priceData, "recurring"), true, "default_price_data");
            if (priceData.get("tax_behavior") instanceof String tb) price.put("tax_behavior", tb);
            product.put("default_price", price.get("id"));
        }
        return product;
    }

    /** Creates a product from create parameters (also those of {@code product_data}). */
    private Map<String, Object> newProduct(String id, Map<String, Object> params) {
        Map<String, Object> product = store.create("product", id != null ? id : StripeIds.next("prod_"));
        product.put("active", true);
        product.put("default_price", null);
        product.put("description", null);
        product.put("images", new ArrayList<>());
        product.put("marketing_features", new ArrayList<>());
        product.put("name", null);
        product.put("package_dimensions", null);
        product.put("shippable", null);
        product.put("statement_descriptor", null);
        product.put("tax_code", null);
        product.put("type", "service");
        product.put("unit_label", null);
        product.put("updated", store.now());
        product.put("url", null);
        applyProduct(product, new StripeCall("POST", Map.of(), params));
        store.add("products", product);
        store.emit("product.created", product, null);
        return product;
    }

    private static void applyProduct(Map<String, Object> product, StripeCall c) {
        for (String field : List.of("active", "description", "images", "name", "shippable", "statement_descriptor",
                "tax_code", "unit_label", "url")) {
            set(product, c, field);
        }
        StripeStore.applyMetadata(product, c.params().get("metadata"), "metadata");
    }

    private Object updateProduct(StripeCall c) {
        Map<String, Object> product = store.require("products", "product", c.pathParam("id"));
        Map<String, Object> before = StripeStore.copy(product);
        applyProduct(product, c);
        if (c.has("default_price")) {
            String priceId = c.string("default_price");
            if (priceId != null) {
                Map<String, Object> price = store.reference("prices", "price", priceId, "default_price");
                if (!product.get("id").equals(price.get("product"))) {
                    throw StripeError.invalid("default_price", "The price " + priceId + " does not belong to product "
                            + product.get("id") + ".");
                }
            }
            product.put("default_price", priceId);
        }
        product.put("updated", store.now());
        store.emit("product.updated", product, before);
        return product;
    }

    private Object deleteProduct(StripeCall c) {
        Map<String, Object> product = store.require("products", "product", c.pathParam("id"));
        boolean hasPrices = store.all("prices").stream()
                .anyMatch(p -> product.get("id").equals(p.get("product")) && Boolean.TRUE.equals(p.get("active")));
        if (hasPrices) {
            throw StripeError.state(null, null,
                    "This product cannot be deleted because it has one or more user-created prices.");
        }
        store.remove("products", (String) product.get("id"));
        store.emit("product.deleted", product, null);
        return deletedStub(product);
    }

    private Object listProducts(StripeCall c) {
        Boolean active = c.bool("active");
        Boolean shippable = c.bool("shippable");
        String url = c.string("url");
        List<Object> ids = c.list("ids");
        return store.list("products", "product", o -> (active == null || active.equals(o.get("active")))
                        && (shippable == null || shippable.equals(o.get("shippable")))
                        && (url == null || url.equals(o.get("url")))
                        && (ids == null || ids.contains(o.get("id"))),
                c, "/v1/products");
    }

    // ---------------------------------------------------------------- prices

    private Object createPrice(StripeCall c) {
        if (c.has("product") && c.has("product_data")) throw StripeError.exclusive("product", "product", "product_data");
        String productId;
        if (c.string("product") != null) {
            productId = (String) store.reference("products", "product", c.string("product"), "product").get("id");
        } else if (c.map("product_data") != null) {
            Map<String, Object> data = new LinkedHashMap<>(c.map("product_data"));
            String id = (String) data.remove("id");
            if (id != null && store.find("products", id) != null) {
                throw StripeError.alreadyExists("product_data[id]", "Product already exists.");
            }
            productId = (String) newProduct(id, data).get("id");
        } else {
            throw StripeError.missingParameter("product");
        }
        if ("tiered".equals(c.string("billing_scheme"))) {
            throw StripeError.invalid("billing_scheme", "The revenue-bridge Stripe sandbox does not simulate tiered prices.");
        }
        String lookupKey = c.string("lookup_key");
        if (lookupKey != null) {
            Map<String, Object> holder = priceWithLookupKey(lookupKey);
            if (holder != null && !Boolean.TRUE.equals(c.bool("transfer_lookup_key"))) {
                throw StripeError.state(null, "lookup_key",
                        "A price (`" + holder.get("id") + "`) already uses that lookup key.");
            }
            if (holder != null) holder.put("lookup_key", null);
        }
        Map<String, Object> price = newPrice(c.string("currency"), productId, c.params(), c.map("recurring"),
                !Boolean.FALSE.equals(c.bool("active")), "");
        price.put("lookup_key", lookupKey);
        price.put("nickname", c.string("nickname"));
        if (c.string("tax_behavior") != null) price.put("tax_behavior", c.string("tax_behavior"));
        StripeStore.applyMetadata(price, c.params().get("metadata"), "metadata");
        return price;
    }

    private Map<String, Object> priceWithLookupKey(String lookupKey) {
        Map<String, Object> holder = store.all("prices").stream().filter(p -> lookupKey.equals(p.get("lookup_key")))
                .findFirst().orElse(null);
        store.touch(holder);
        return holder;
    }

    /**
     * Creates a price (also inline ones from {@code price_data}, which Stripe creates inactive). {@code amounts}
     * holds unit_amount / unit_amount_decimal; {@code prefix} names the parameter block for errors.
     */
    Map<String, Object> newPrice(String currency, String productId, Map<String, Object> amounts,
                                 Map<String, Object> recurringParams, boolean active, String prefix) {
        Long unitAmount = StripeCall.integer(amounts, "unit_amount");
        String decimal = StripeCall.string(amounts, "unit_amount_decimal");
        if (unitAmount != null && decimal != null) {
            throw StripeError.exclusive(param(prefix, "unit_amount"), "unit_amount", "unit_amount_decimal");
        }
        if (unitAmount == null && decimal == null) throw StripeError.missingParameter(param(prefix, "unit_amount"));
        if (unitAmount != null && unitAmount < 0) {
            throw StripeError.invalid(param(prefix, "unit_amount"), "This value must be greater than or equal to 0.");
        }
        BigDecimal exact = unitAmount != null ? BigDecimal.valueOf(unitAmount) : new BigDecimal(decimal);
        if (exact.signum() < 0) {
            throw StripeError.invalid(param(prefix, "unit_amount_decimal"), "This value must be greater than or equal to 0.");
        }
        Map<String, Object> price = store.create("price", StripeIds.next("price_"));
        price.put("active", active);
        price.put("billing_scheme", "per_unit");
        price.put("currency", StripeInvoicing.currency(currency, param(prefix, "currency")));
        price.put("custom_unit_amount", null);
        price.put("lookup_key", null);
        price.put("nickname", null);
        price.put("product", productId);
        price.put("recurring", recurringParams == null ? null : recurring(recurringParams, param(prefix, "recurring")));
        price.put("tax_behavior", "unspecified");
        price.put("tiers_mode", null);
        price.put("transform_quantity", null);
        price.put("type", recurringParams == null ? "one_time" : "recurring");
        boolean whole = exact.stripTrailingZeros().scale() <= 0;
        price.put("unit_amount", whole ? exact.longValueExact() : null);
        price.put("unit_amount_decimal", exact.stripTrailingZeros().toPlainString());
        store.add("prices", price);
        store.emit("price.created", price, null);
        return price;
    }

    private static Map<String, Object> recurring(Map<String, Object> params, String param) {
        String interval = StripeCall.string(params, "interval");
        Long count = StripeCall.integer(params, "interval_count");
        long n = count == null ? 1 : count;
        long max = switch (interval) {
            case "day" -> 1095;
            case "week" -> 156;
            case "month" -> 36;
            default -> 3;
        };
        if (n < 1 || n > max) {
            throw StripeError.invalid(param + "[interval_count]",
                    "Invalid interval_count: the billing interval must be between one day and three years "
                            + "(1095 days, 156 weeks, 36 months or 3 years).");
        }
        if ("metered".equals(StripeCall.string(params, "usage_type"))) {
            throw StripeError.invalid(param + "[usage_type]",
                    "The revenue-bridge Stripe sandbox does not simulate metered prices.");
        }
        Map<String, Object> recurring = new LinkedHashMap<>();
        recurring.put("interval", interval);
        recurring.put("interval_count", n);
        recurring.put("meter", null);
        recurring.put("trial_period_days", StripeCall.integer(params, "trial_period_days"));
        recurring.put("usage_type", "licensed");
        return recurring;
    }

    private Object updatePrice(StripeCall c) {
        Map<String, Object> price = store.require("prices", "price", c.pathParam("price"));
        Map<String, Object> before = StripeStore.copy(price);
        if (c.bool("active") != null) price.put("active", c.bool("active"));
        if (c.has("nickname")) price.put("nickname", c.string("nickname"));
        if (c.string("tax_behavior") != null) price.put("tax_behavior", c.string("tax_behavior"));
        if (c.has("lookup_key")) {
            String key = c.string("lookup_key");
            Map<String, Object> holder = key == null ? null : priceWithLookupKey(key);
            if (holder != null && holder != price) {
                if (!Boolean.TRUE.equals(c.bool("transfer_lookup_key"))) {
                    throw StripeError.state(null, "lookup_key",
                            "A price (`" + holder.get("id") + "`) already uses that lookup key.");
                }
                holder.put("lookup_key", null);
            }
            price.put("lookup_key", key);
        }
        StripeStore.applyMetadata(price, c.params().get("metadata"), "metadata");
        store.emit("price.updated", price, before);
        return price;
    }

    @SuppressWarnings("unchecked")
    private Object listPrices(StripeCall c) {
        Boolean active = c.bool("active");
        String currency = c.string("currency");
        String product = c.string("product");
        String type = c.string("type");
        List<Object> lookupKeys = c.list("lookup_keys");
        Map<String, Object> recurring = c.map("recurring");
        return store.list("prices", "price", o -> (active == null || active.equals(o.get("active")))
                        && (currency == null || currency.equalsIgnoreCase((String) o.get("currency")))
                        && (product == null || product.equals(o.get("product")))
                        && (type == null || type.equals(o.get("type")))
                        && (lookupKeys == null || lookupKeys.contains(o.get("lookup_key")))
                        && (recurring == null || o.get("recurring") instanceof Map<?, ?> r
                            && recurring.entrySet().stream().allMatch(e -> e.getValue().equals(((Map<String, Object>) r).get(e.getKey())))),
                c, "/v1/prices");
    }
}
