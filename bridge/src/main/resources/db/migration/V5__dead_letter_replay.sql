-- Where a dead letter came in (the consuming route, e.g. deal-sync), and what ops did with it.
ALTER TABLE dead_letter ADD COLUMN source_route VARCHAR(255);
ALTER TABLE dead_letter ADD COLUMN resolved_at TIMESTAMPTZ;
ALTER TABLE dead_letter ADD COLUMN resolution TEXT;
