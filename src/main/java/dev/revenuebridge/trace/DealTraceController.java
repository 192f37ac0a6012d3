package dev.revenuebridge.trace;

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

    public DealTraceController(DealTrace trace) {
        this.trace = trace;
    }

    @GetMapping("/{opportunityId}")
    public ResponseEntity<?> deal(@PathVariable String opportunityId) {
        return trace.trace(opportunityId).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of(
                        "error", "unknown deal", "opportunityId", opportunityId,
                        "detail", "no change event for this Opportunity has reached the bridge")));
    }
}
