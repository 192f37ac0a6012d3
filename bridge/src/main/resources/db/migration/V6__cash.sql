-- The cash side: Stripe invoices, payments (and later refunds, disputes, payouts) as the bridge booked them in the ERP,
-- per deal. One row per Stripe object; amounts in the currency's major unit.
CREATE TABLE cash_document (
    stripe_id        VARCHAR(255) PRIMARY KEY,
    kind             VARCHAR(32)   NOT NULL,
    opportunity_id   VARCHAR(18),
    number           VARCHAR(64),
    status           VARCHAR(32),
    currency         CHAR(3)       NOT NULL,
    amount           NUMERIC(19, 4) NOT NULL,
    amount_remaining NUMERIC(19, 4),
    erp_id           VARCHAR(64),
    related_id       VARCHAR(255),
    occurred_at      TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX cash_document_by_opportunity ON cash_document (opportunity_id);

-- An exception may concern an object that belongs to no known deal (e.g. a payment for an invoice created outside the
-- bridge): it then names that object instead of an Opportunity.
ALTER TABLE deal_exception ALTER COLUMN opportunity_id DROP NOT NULL;
ALTER TABLE deal_exception ADD COLUMN subject VARCHAR(255);
