-- When the deal was closed won in Salesforce (the commit time of the change event that closed it): the start of the
-- close-to-synced latency (revenue_bridge_deal_close_to_synced_seconds).
ALTER TABLE deal_sync ADD COLUMN closed_at TIMESTAMPTZ;
-- The money an exception is about (an unreconciled payout's amount), for revenue_bridge_payouts_unreconciled_amount.
ALTER TABLE deal_exception ADD COLUMN amount NUMERIC(19, 4);
ALTER TABLE deal_exception ADD COLUMN currency CHAR(3);
