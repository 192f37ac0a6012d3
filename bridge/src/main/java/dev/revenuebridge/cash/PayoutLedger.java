package dev.revenuebridge.cash;

import java.io.Serial;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The balance transactions of one Stripe payout as gathered so far, in minor units of the payout currency. It is the
 * body of the payout's aggregate, kept in PostgreSQL between pages (and across restarts), so it holds only
 * serializable values. Adding a transaction twice (a page fetched again after a restart) changes nothing.
 */
public final class PayoutLedger implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * One balance transaction: its type and reporting category, gross amount, fee and net in the payout currency, and
     * the exchange rate Stripe applied when the source was in another currency (null otherwise).
     */
    public record Entry(String id, String type, String category, long amount, long fee, long net, String exchangeRate,
                        String source) implements Serializable {
    }

    private final String payoutId;
    private final long payoutAmount;
    private final String currency;
    private final long arrivalDate;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    public PayoutLedger(String payoutId, long payoutAmount, String currency, long arrivalDate) {
        this.payoutId = payoutId;
        this.payoutAmount = payoutAmount;
        this.currency = currency;
        this.arrivalDate = arrivalDate;
    }

    /** Adds a balance transaction as Stripe lists it; the payout's own transaction is not a component of it. */
    public void add(Map<String, Object> transaction) {
        String type = String.valueOf(transaction.get("type"));
        if ("payout".equals(type)) {
            return;
        }
        String id = String.valueOf(transaction.get("id"));
        Object rate = transaction.get("exchange_rate");
        entries.put(id, new Entry(id, type, String.valueOf(transaction.get("reporting_category")),
                number(transaction.get("amount")), number(transaction.get("fee")), number(transaction.get("net")),
                rate == null ? null : new BigDecimal(String.valueOf(rate)).toPlainString(),
                transaction.get("source") == null ? null : String.valueOf(transaction.get("source"))));
    }

    public String payoutId() { return payoutId; }

    public long payoutAmount() { return payoutAmount; }

    public String currency() { return currency; }

    public long arrivalDate() { return arrivalDate; }

    public Collection<Entry> entries() { return entries.values(); }

    public int size() { return entries.size(); }

    /** The sum of the components' net, in minor units. */
    public long net() {
        return entries.values().stream().mapToLong(Entry::net).sum();
    }

    /** Complete: the components' net adds up to the payout, to the cent. */
    public boolean balanced() {
        return !entries.isEmpty() && net() == payoutAmount;
    }

    /** What is missing (positive) or too much (negative), in minor units. */
    public long variance() {
        return payoutAmount - net();
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
