-- Opportunity write-backs waiting to be sent. Routes add a row (in the same exchange that made the change, so the
-- Kafka offset is committed only once the write-back is durable); salesforce-write-back-batch sends the pending rows of
-- up to 200 Opportunities in one sObject Collections call, a deal's rows merged in order, and deletes what Salesforce
-- took. A row Salesforce refused for good stays, state 'refused', with Salesforce's error.
CREATE TABLE salesforce_write_back (
    id              BIGSERIAL PRIMARY KEY,
    opportunity_id  VARCHAR(18)  NOT NULL,
    fields          JSONB        NOT NULL,
    state           VARCHAR(16)  NOT NULL DEFAULT 'pending',
    attempts        INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    claimed_until   TIMESTAMPTZ,
    last_error      TEXT,
    enqueued_at     TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX salesforce_write_back_pending ON salesforce_write_back (opportunity_id, id) WHERE state = 'pending';

-- How far the Salesforce sweep has read, per object: the newest SystemModstamp it has seen.
CREATE TABLE salesforce_sweep_position (
    object_name     VARCHAR(64)  PRIMARY KEY,
    high_water_mark TIMESTAMPTZ  NOT NULL,
    swept_at        TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- Windows in which change events may have been lost (a replay id past Salesforce's retention): the sweep re-reads the
-- won Opportunities changed in each window, then marks it recovered.
CREATE TABLE salesforce_event_gap (
    id           BIGSERIAL PRIMARY KEY,
    channel      VARCHAR(255) NOT NULL,
    refused_replay_id VARCHAR(255) NOT NULL,
    window_start TIMESTAMPTZ  NOT NULL,
    window_end   TIMESTAMPTZ  NOT NULL,
    opened_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    recovered_at TIMESTAMPTZ,
    deals_reread INTEGER
);
