package dev.revenuebridge.cash;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.ApiResource;
import java.io.IOException;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Stripe objects read as Stripe has them now, as plain maps, through the bridge's rate-limited client. The cash side
 * reads raw JSON rather than the SDK's models: the SDK speaks a newer API version than some fields it needs.
 */
@Component
public class StripeObjects {

    private final StripeClient stripe;
    private final ObjectMapper json;

    public StripeObjects(StripeClient stripe, ObjectMapper json) {
        this.stripe = stripe;
        this.json = json;
    }

    /** GET {@code path} (e.g. {@code /v1/invoices/in_...}, query string allowed) as a map. */
    public Map<String, Object> get(String path) throws StripeException, IOException {
        String body = stripe.rawRequest(ApiResource.RequestMethod.GET, path, null).body();
        return json.readValue(body, new TypeReference<>() {
        });
    }
}
