package dev.revenuebridge.plan;

/** What becomes of a deal: the one switch of {@code deal-sync}'s choice and the status the preview shows. */
public enum Outcome {
    /** The Opportunity is no longer won (reopened after its change event): nothing to sync. */
    REOPENED,
    /** Read before the newest synced version (a late event): ignored, never rolls the contract back. */
    STALE,
    /** Synced already with these very terms (a change of a field that is not a term). */
    UNCHANGED,
    /** Held after its sync (review, approval) and its terms are back to the synced ones: Synced again. */
    RESTORED,
    /** A validation rule failed: every reason goes to the Opportunity, nothing to Stripe or the ERP. */
    REQUIRES_REVIEW,
    /** Valid, but non-standard billing not (yet) approved: held for finance. */
    PENDING_APPROVAL,
    /** Changed terms of a synced contract: the same subscription and sales order, amended. */
    AMENDMENT,
    /** A renewal: a new term, its own subscription, for the Account's existing Stripe customer. */
    RENEWAL,
    /** New business, valid (and approved where needed). */
    NEW_BUSINESS
}
