-- Leader election outside Kubernetes (DatabaseClusterService): one row per election (a Camel cluster namespace, e.g.
-- the Salesforce subscription). The holder renews its lease; another replica takes over once expires_at has passed.
-- Times are PostgreSQL's clock only, so replicas whose clocks differ still agree.
CREATE TABLE cluster_leader (
    namespace   VARCHAR(200) PRIMARY KEY,
    holder      VARCHAR(200) NOT NULL,
    acquired_at TIMESTAMPTZ  NOT NULL,
    renewed_at  TIMESTAMPTZ  NOT NULL,
    expires_at  TIMESTAMPTZ  NOT NULL
);
