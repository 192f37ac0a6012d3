package dev.revenuebridge.cash;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.ApiResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Stripe objects read as Stripe has them now, as plain maps, through the bridge's rate-limited client (so at the API
 * version the SDK pins, {@link com.stripe.ApiVersion#CURRENT}). Every key the cash side reads is one the SDK's model of
 * that version declares: StripeAtThePinnedVersionTest.RAW_KEYS_READ holds the list against the models.
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

    /** The largest page Stripe lists (docs.stripe.com/api/pagination: limit between 1 and 100, default 10). */
    public static final int PAGE_SIZE = 100;

    /**
     * Every element of a Stripe list ({@code path} with the filters in {@code query}, e.g. {@code invoice=in_...}),
     * after {@code startingAfter} when given: page after page of {@value #PAGE_SIZE} while {@code has_more}.
     */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listAfter(String path, String query, String startingAfter)
            throws StripeException, IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        String after = startingAfter;
        while (true) {
            String url = path + "?limit=" + PAGE_SIZE + (query == null || query.isEmpty() ? "" : "&" + query)
                    + (after == null ? "" : "&starting_after=" + after);
            Map<String, Object> page = get(url);
            List<Map<String, Object>> data = (List<Map<String, Object>>) page.get("data");
            all.addAll(data);
            if (!Boolean.TRUE.equals(page.get("has_more")) || data.isEmpty()) {
                return all;
            }
            after = String.valueOf(data.get(data.size() - 1).get("id"));
        }
    }
}
