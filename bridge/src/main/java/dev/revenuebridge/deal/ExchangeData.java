package dev.revenuebridge.deal;

/**
 * Every exchange property and header that carries data between the bridge's routes and its beans, declared once with
 * what it holds, who sets it and who reads it. The route files and the beans' {@code @ExchangeProperty} and
 * {@code @Header} parameters name no other (ExchangeDataTest checks), besides Camel's and HTTP's own headers
 * ({@code Camel*}, {@code kafka.*}, {@code Content-Type}, {@code Location}, {@code Prefer}).
 */
public final class ExchangeData {

    private ExchangeData() {
    }

    /** Properties: the deal flow (deal-sync and the routes it calls). */
    public static final class Deal {
        private Deal() {
        }

        /** {@code DealFacts.Change}: who made the change and which fields it changed; set by deal-sync from the deal event. */
        public static final String CHANGE = "change";
        /** {@code ClosedWonDeal}: the deal as fetched (salesforce-fetch-deal); read by every step that bills or books it. */
        public static final String DEAL = "deal";
        /** {@code DealFacts.Opportunity}: won now, type, billing approved (salesforce-fetch-deal). */
        public static final String OPPORTUNITY = "opportunity";
        /** {@code DealFacts}: everything the planner decides from (dealFacts.load in deal-sync). */
        public static final String FACTS = "facts";
        /** {@code DealPlan}: the decision and what follows from it (dealPlanner.plan); the choice, the holds, the schedule. */
        public static final String PLAN = "plan";
        /** The raw record as consumed (deal-sync, stripe-events, salesforce-ingest), kept for a dead letter. */
        public static final String ORIGINAL_BODY = "originalBody";
        /** Stripe customer id (stripe-billing, stripe-amendment); on the ERP customer and the write-back. */
        public static final String STRIPE_CUSTOMER_ID = "stripeCustomerId";
        /** Stripe subscription (or schedule) id, null without recurring lines (stripe-billing); ERP order, write-back. */
        public static final String STRIPE_SUBSCRIPTION_ID = "stripeSubscriptionId";
        /** Stripe one-time invoice id, null without one-time lines (stripe-billing); the write-back. */
        public static final String STRIPE_INVOICE_ID = "stripeInvoiceId";
        /** ERP customer internal id (erp-sales-order); the sales order's entity, journal entries, the write-back. */
        public static final String ERP_CUSTOMER_ID = "erpCustomerId";
        /** ERP sales order internal id (erp-sales-order); revenue tie-out and journal entries, the write-back. */
        public static final String ERP_SALES_ORDER_ID = "erpSalesOrderId";
        /** The synced order's line numbers by Salesforce line id (erp-sales-order, for an amended order's lines). */
        public static final String ERP_ORDER_LINES = "erpOrderLines";
        /** {@code RevenueSchedule}: the plan's schedule (revenue-schedule); tie-out and journal entries read it. */
        public static final String REVENUE_SCHEDULE = "revenueSchedule";
        /** The tie-out's result against ARM's plans (erp-revenue). */
        public static final String REVENUE_TIE_OUT = "revenueTieOut";
    }

    /** Properties: cash (stripe-events, cash-erp, cash-adjustments, payout-reconciliation). */
    public static final class Cash {
        private Cash() {
        }

        /** The Stripe invoice as Stripe has it now, with all its lines (cash-invoice). */
        public static final String INVOICE = "invoice";
        /** The ERP invoice's internal id once found or made (cash-invoice); payments are applied to it. */
        public static final String ERP_INVOICE_ID = "erpInvoiceId";
        /** {@code StripeCash.InvoicePayment}: the invoice payment being booked (cash-payment's split). */
        public static final String INVOICE_PAYMENT = "invoicePayment";
        /** A refund or dispute as Stripe has it now (cash-adjustments). */
        public static final String ADJUSTMENT = "adjustment";
        /** The payment (charge) a refund or dispute is about (cash-adjustments). */
        public static final String PAYMENT = "payment";
        /** The credit memo's internal id (cash-refund). */
        public static final String ERP_CREDIT_MEMO_ID = "erpCreditMemoId";
        /** The paid payout as Stripe has it now (payout-reconciliation). */
        public static final String PAYOUT = "payout";
        /** {@code PayoutLedger}: a gathered payout, kept while its deposit is made (payout-deposit). */
        public static final String LEDGER = "ledger";
    }

    /** Properties: Salesforce's sweep and write-back batches. */
    public static final class Salesforce {
        private Salesforce() {
        }

        public static final String SWEEP_WINDOW = "sweepWindow";
        public static final String SWEEP_MARKS = "sweepMarks";
        public static final String GAP_EVENTS = "gapEvents";
        /** The claimed write-backs of one sObject Collections call (salesforce-write-back-batch). */
        public static final String WRITE_BACK_BATCH = "writeBackBatch";
        /** Why the batch call failed (write-back-error-handling). */
        public static final String WRITE_BACK_ERROR = "writeBackError";
    }

    /** Headers. */
    public static final class Headers {
        private Headers() {
        }

        /** The Opportunity Id the exchange is about (deal-sync from the event; cash routes from the Stripe object). */
        public static final String OPPORTUNITY_ID = "opportunityId";
        /** Opportunity Id + commit number: the change event's idempotency key (deal-sync). */
        public static final String DEAL_EVENT_KEY = "dealEventKey";
        /** The reason a deal failed, for its write-back (dead-letters). */
        public static final String SYNC_ERROR = "syncError";
        public static final String DEAD_LETTER_ID = "deadLetterId";
        /** ERP adapter routes (erp-upsert, erp-transform, erp-find, erp-read): the record's type, ids and options. */
        public static final String ERP_RECORD_TYPE = "erpRecordType";
        public static final String ERP_EXTERNAL_ID = "erpExternalId";
        public static final String ERP_INTERNAL_ID = "erpInternalId";
        public static final String ERP_RECORD_ID = "erpRecordId";
        public static final String ERP_FROM_TYPE = "erpFromType";
        public static final String ERP_FROM_ID = "erpFromId";
        public static final String ERP_REPLACE = "erpReplace";
        public static final String ERP_QUERY = "erpQuery";
        public static final String ERP_PAYMENT_EXTERNAL_ID = "erpPaymentExternalId";
        /** Stripe events: the event's type, the invoice it is about, whether cash-payment writes the Opportunity. */
        public static final String STRIPE_EVENT_TYPE = "stripeEventType";
        public static final String STRIPE_INVOICE_ID = "stripeInvoiceId";
        public static final String CASH_PAYMENT_FOLLOWS = "cashPaymentFollows";
        public static final String DISPUTE_REVERSAL = "disputeReversal";
        /** Payout reconciliation: the payout's id, amount (minor units), currency and arrival date (epoch seconds). */
        public static final String PAYOUT_ID = "payoutId";
        public static final String PAYOUT_AMOUNT = "payoutAmount";
        public static final String PAYOUT_CURRENCY = "payoutCurrency";
        public static final String PAYOUT_ARRIVAL = "payoutArrival";
        /** Salesforce ingest and sweep. */
        public static final String REPLAY_CHANNEL = "replayChannel";
        public static final String SWEEP_OBJECT = "sweepObject";
        public static final String SWEEP_GAP = "sweepGap";
        public static final String SWEEP_GAP_DEALS = "sweepGapDeals";
        /** Outcome events. */
        public static final String OUTCOME_EVENT_ID = "outcomeEventId";
        public static final String KEEP_PUBLISHED_DAYS = "keepPublishedDays";
    }
}
