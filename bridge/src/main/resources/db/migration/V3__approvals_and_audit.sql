-- Approvals of deals held for non-standard billing, and operator actions: who, when, what was approved (the terms as
-- they stood and the reasons for the hold) and which downstream records followed.
CREATE TABLE audit_log (
    id                 BIGSERIAL PRIMARY KEY,
    opportunity_id     VARCHAR(18),
    action             VARCHAR(64)  NOT NULL,
    actor              VARCHAR(255) NOT NULL,
    comment            TEXT,
    original_values    JSONB,
    approved_values    JSONB,
    downstream_records JSONB,
    at                 TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_by_opportunity ON audit_log (opportunity_id);
