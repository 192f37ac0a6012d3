-- Business exceptions: a deal the validation gate refused (or, later, one held for approval), with every reason.
-- Resolved automatically when the deal later syncs.
CREATE TABLE deal_exception (
    id             BIGSERIAL PRIMARY KEY,
    opportunity_id VARCHAR(18)  NOT NULL,
    kind           VARCHAR(32)  NOT NULL,
    reasons        JSONB        NOT NULL,
    status         VARCHAR(16)  NOT NULL DEFAULT 'open',
    opened_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    resolved_at    TIMESTAMPTZ
);
CREATE INDEX deal_exception_open ON deal_exception (opportunity_id) WHERE status = 'open';

-- The ASC 606 revenue schedule of each synced deal, as posted to the ERP: one row per obligation and month.
CREATE TABLE revenue_schedule_line (
    opportunity_id VARCHAR(18)    NOT NULL,
    line_id        VARCHAR(18)    NOT NULL,
    product_code   VARCHAR(64)    NOT NULL,
    month          CHAR(7)        NOT NULL,
    amount         NUMERIC(19, 4) NOT NULL,
    currency       CHAR(3)        NOT NULL,
    PRIMARY KEY (opportunity_id, line_id, month)
);
