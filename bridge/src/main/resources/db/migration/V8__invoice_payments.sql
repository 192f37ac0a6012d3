-- Since Stripe API 2025-03-31.basil an invoice is paid by one or more invoice payments (inpay_...), each collected by a
-- PaymentIntent whose charge carries the money. A payment's cash_document row is keyed by the invoice payment; refunds,
-- disputes and payout balance transactions name the charge (or the PaymentIntent), so both are kept to find it.
ALTER TABLE cash_document ADD COLUMN charge_id VARCHAR(255);
ALTER TABLE cash_document ADD COLUMN payment_intent_id VARCHAR(255);
CREATE INDEX cash_document_by_charge ON cash_document (charge_id);
CREATE INDEX cash_document_by_payment_intent ON cash_document (payment_intent_id);
-- Payments booked before this version were keyed by their charge (ch_... / py_...): they keep that id, and their charge
-- is that id, so refunds, disputes and payouts of them are still matched.
UPDATE cash_document SET charge_id = stripe_id WHERE kind = 'payment' AND (stripe_id LIKE 'ch\_%' OR stripe_id LIKE 'py\_%');
