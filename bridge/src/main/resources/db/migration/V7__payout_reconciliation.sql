-- Payout reconciliation: the balance transactions of a payout gathered by a Camel aggregator, persisted so that a
-- payout half-gathered survives a restart (PostgresAggregationRepository "payout_aggregation"; Camel creates no tables).
CREATE TABLE payout_aggregation (
    id       VARCHAR(255) NOT NULL PRIMARY KEY,
    exchange BYTEA        NOT NULL,
    version  BIGINT       NOT NULL
);
CREATE TABLE payout_aggregation_completed (
    id       VARCHAR(255) NOT NULL PRIMARY KEY,
    exchange BYTEA        NOT NULL,
    version  BIGINT       NOT NULL
);

-- Which payout paid a payment out, and the ERP deposit that booked it.
ALTER TABLE cash_document ADD COLUMN payout_id VARCHAR(255);
ALTER TABLE cash_document ADD COLUMN deposit_id VARCHAR(64);
