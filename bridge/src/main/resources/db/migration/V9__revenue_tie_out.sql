-- Revenue comes from the ERP: with Advanced Revenue Management NetSuite makes the revenue plans from the sales order and
-- the bridge ties them out against its own ASC 606 schedule; without ARM the bridge posts its schedule as monthly
-- journal entries. One row per deal: the outcome of the last tie-out (or posting), and every difference it found.
CREATE TABLE revenue_tie_out (
    opportunity_id  VARCHAR(18) PRIMARY KEY,
    sales_order_id  VARCHAR(64),
    status          VARCHAR(32) NOT NULL,
    differences     JSONB NOT NULL DEFAULT '[]'::jsonb,
    checked_at      TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
