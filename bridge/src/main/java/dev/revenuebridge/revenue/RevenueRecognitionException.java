package dev.revenuebridge.revenue;

import java.util.List;
import java.util.stream.Collectors;

/** A deal the revenue engine cannot build a contract for; carries every {@link RevenueFinding} at once. */
public class RevenueRecognitionException extends RuntimeException {

    private final String opportunityId;
    private final transient List<RevenueFinding> findings;

    public RevenueRecognitionException(String opportunityId, List<RevenueFinding> findings) {
        super("Opportunity " + opportunityId + " cannot be scheduled for revenue: "
                + findings.stream().map(RevenueFinding::message).collect(Collectors.joining("; ")));
        this.opportunityId = opportunityId;
        this.findings = List.copyOf(findings);
    }

    public String opportunityId() {
        return opportunityId;
    }

    public List<RevenueFinding> findings() {
        return findings;
    }
}
