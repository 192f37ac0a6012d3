-- Who closed the deal won in Salesforce (the change event's commitUser): that user cannot approve its billing.
ALTER TABLE deal_sync ADD COLUMN closed_by VARCHAR(64);
