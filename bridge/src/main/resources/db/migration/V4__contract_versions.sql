-- Each version of a deal's contract as synced: its terms, and the Opportunity's SystemModstamp it was read at.
-- An amendment is a new version; a version read before the newest synced one never rolls the contract back.
CREATE TABLE contract_version (
    opportunity_id  VARCHAR(18) NOT NULL,
    version         INT         NOT NULL,
    source_modstamp TIMESTAMPTZ,
    terms           JSONB       NOT NULL,
    synced_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (opportunity_id, version)
);
