-- The outbox of outcome events (README "Outcome events"): written where the bridge books an outcome, published to
-- Kafka revenue.events in id order by the leader (routes/outcome-events.camel.yaml). The same event recorded twice (a
-- step retried after a crash) is one row: its type, subject and data are unique.
CREATE TABLE outcome_event (
    id             BIGSERIAL    PRIMARY KEY,
    event_id       UUID         NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    type           VARCHAR(64)  NOT NULL,
    opportunity_id VARCHAR(18),
    subject        VARCHAR(255) NOT NULL,
    data           JSONB        NOT NULL,
    occurred_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    published_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX outcome_event_once ON outcome_event (type, subject, md5(data::text));
CREATE INDEX outcome_event_unpublished ON outcome_event (id) WHERE published_at IS NULL;
-- published events are kept revenue.events.keep-published-days, then deleted (outcome-events-purge)
CREATE INDEX outcome_event_published ON outcome_event (published_at) WHERE published_at IS NOT NULL;
