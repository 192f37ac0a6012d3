package dev.revenuebridge.api;

import dev.revenuebridge.trace.DealTrace;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/deals/{opportunityId}}: a deal's status and every external id, for ops and support. */
@RestController
@RequestMapping("/api/deals")
public class DealTraceController {

    private final DealTrace trace;
    private final dev.revenuebridge.cash.CashDocuments cash;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public DealTraceController(DealTrace trace, dev.revenuebridge.cash.CashDocuments cash,
                               com.fasterxml.jackson.databind.ObjectMapper json) {
        this.trace = trace;
        this.cash = cash;
        this.json = json;
    }

    @GetMapping("/{opportunityId}")
    public ResponseEntity<?> deal(@PathVariable String opportunityId) {
        // the deal's trace, and its cash: Stripe invoices and payments with the ERP records they became
        return trace.trace(opportunityId).<ResponseEntity<?>>map(t -> {
                    Map<String, Object> body = json.convertValue(t, new com.fasterxml.jackson.core.type.TypeReference<
                            java.util.LinkedHashMap<String, Object>>() {
                    });
                    body.put("cash", cash.documents(opportunityId));
                    return ResponseEntity.ok(body);
                })
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of(
                        "error", "unknown deal", "opportunityId", opportunityId,
                        "detail", "no change event for this Opportunity has reached the bridge")));
    }
}
