package dev.revenuebridge.trace;

import dev.revenuebridge.deal.ClosedWonDeal;
import dev.revenuebridge.plan.ContractTerms;
import dev.revenuebridge.plan.DealFacts.SyncedContract;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.ExchangeProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The versions of each deal's contract as synced ({@code contract_version}). A closed-won deal is version 1; a later
 * change of its terms in Salesforce (quantities, prices, lines, dates) is an amendment, version n+1, applied to the
 * same Stripe subscription and ERP sales order. How a deal relates to its synced version is {@link ContractTerms}'s.
 */
@Component("contractVersions")
public class ContractVersions {

    private final JdbcTemplate jdbc;

    public ContractVersions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the deal's terms as synced (a no-op when they equal the newest version's). */
    public void synced(@ExchangeProperty("deal") ClosedWonDeal deal) {
        Optional<SyncedContract> latest = latest(deal.opportunityId());
        String terms = ContractTerms.of(deal);
        if (latest.isPresent() && ContractTerms.same(latest.get().terms(), terms)) {
            return;
        }
        Instant modstamp = ContractTerms.modstamp(deal.version());
        jdbc.update("""
                INSERT INTO contract_version (opportunity_id, version, source_modstamp, terms) VALUES (?, ?, ?, ?::jsonb)
                ON CONFLICT (opportunity_id, version) DO NOTHING
                """, deal.opportunityId(), latest.map(v -> v.version() + 1).orElse(1),
                modstamp == null ? null : Timestamp.from(modstamp), terms);
    }

    /** The newest synced version of the deal's contract, if it was ever synced. */
    public Optional<SyncedContract> latest(String opportunityId) {
        return jdbc.query("""
                SELECT version, source_modstamp, terms::text FROM contract_version WHERE opportunity_id = ?
                ORDER BY version DESC LIMIT 1
                """, (rs, i) -> new SyncedContract(rs.getInt(1),
                rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(), rs.getString(3)), opportunityId)
                .stream().findFirst();
    }
}
