-- Processed message keys of the deal consumer (Camel JdbcMessageIdRepository; Camel creates no table itself).
CREATE TABLE camel_messageprocessed (
    processorname VARCHAR(255) NOT NULL,
    messageid     VARCHAR(255) NOT NULL,
    createdat     TIMESTAMP    NOT NULL,
    PRIMARY KEY (processorname, messageid)
);

-- Where the Salesforce change-event subscription resumes: stored only after Kafka acknowledged the event.
CREATE TABLE replay_position (
    channel    VARCHAR(255) PRIMARY KEY,
    replay_id  VARCHAR(255) NOT NULL,
    updated_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- One row per deal (Opportunity): its sync status, the trace's head.
CREATE TABLE deal_sync (
    opportunity_id VARCHAR(18) PRIMARY KEY,
    account_id     VARCHAR(18),
    status         VARCHAR(32)  NOT NULL,
    last_event_key VARCHAR(255),
    last_error     TEXT,
    received_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    synced_at      TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- The cross-system links of a deal: Opportunity <-> Stripe customer / subscription / invoices <-> ERP records.
CREATE TABLE deal_link (
    opportunity_id VARCHAR(18)  NOT NULL REFERENCES deal_sync (opportunity_id),
    system         VARCHAR(32)  NOT NULL,
    kind           VARCHAR(64)  NOT NULL,
    external_id    VARCHAR(255) NOT NULL,
    created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (opportunity_id, system, kind)
);
CREATE INDEX deal_link_by_external_id ON deal_link (system, external_id);

-- Messages a route could not process, kept with their error (the replay design comes with the failure-handling work).
CREATE TABLE dead_letter (
    id             BIGSERIAL PRIMARY KEY,
    route_id       VARCHAR(255) NOT NULL,
    opportunity_id VARCHAR(18),
    message_key    VARCHAR(255),
    headers        JSONB        NOT NULL DEFAULT '{}'::jsonb,
    body           TEXT,
    error_type     VARCHAR(255) NOT NULL,
    error_message  TEXT         NOT NULL,
    remote_body    TEXT,
    attempts       INT          NOT NULL DEFAULT 1,
    status         VARCHAR(16)  NOT NULL DEFAULT 'open',
    failed_at      TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX dead_letter_by_opportunity ON dead_letter (opportunity_id);
