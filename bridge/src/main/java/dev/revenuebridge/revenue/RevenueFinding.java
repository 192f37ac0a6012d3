package dev.revenuebridge.revenue;

/**
 * Something in a deal the revenue engine cannot turn into a contract or a schedule, in words a sales rep or a revenue
 * accountant can act on.
 *
 * @param reason      what kind of problem, for routing and tests
 * @param lineId      the OpportunityLineItem concerned, or null for the deal as a whole
 * @param productCode the line's product code, when known
 * @param message     the explanation, naming the Salesforce field or catalog entry to fix
 */
public record RevenueFinding(Reason reason, String lineId, String productCode, String message) {

    /** The kinds of findings. */
    public enum Reason {
        /** An amendment that cannot be treated prospectively (e.g. a price below what was already recognized). */
        MODIFICATION_NOT_PROSPECTIVE,
        /** The deal has no line items. */
        NO_LINES,
        /** The deal has no currency, or one ISO 4217 does not know. */
        UNKNOWN_CURRENCY,
        /** A line without an Id or without a product code. */
        INCOMPLETE_LINE,
        /** The product code is not in mappings/products.yaml. */
        UNKNOWN_PRODUCT,
        /** The product's revenue pattern is not supported, e.g. usage-based (metered) revenue. */
        UNSUPPORTED_RECOGNITION,
        /** The catalog's standalone selling price is in another currency than the deal. */
        SSP_CURRENCY_MISMATCH,
        /** A line without a positive quantity. */
        INVALID_QUANTITY,
        /** A line without a TotalPrice, or with a negative one. */
        INVALID_PRICE,
        /** A point-in-time line without a delivery date (ServiceDate). */
        MISSING_DELIVERY_DATE,
        /** A line whose service period is unknown, non-positive or ends before it starts. */
        INVALID_SERVICE_PERIOD,
        /** The deal has a price but every standalone selling price is zero, so there is nothing to allocate by. */
        NO_STANDALONE_SELLING_PRICE
    }
}
