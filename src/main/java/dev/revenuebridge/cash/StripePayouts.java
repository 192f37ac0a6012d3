package dev.revenuebridge.cash;

import com.stripe.exception.StripeException;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.trace.DealExceptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Currency;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Payout reconciliation: a paid Stripe payout, its balance transactions listed page by page (100 at a time) into an
 * aggregate per payout ({@link PayoutLedger}, kept in PostgreSQL), and, once their net adds up to the payout, one ERP
 * bank deposit whose lines add up to it. A payout that does not add up within the timeout becomes an "unreconciled
 * payout" exception that names the variance and the transactions the bridge could not match to its own payments.
 */
@Component("stripePayouts")
public class StripePayouts implements AggregationStrategy {

    static final int PAGE_SIZE = 100;

    private final StripeObjects stripe;
    private final JdbcTemplate jdbc;
    private final MappingCatalog mappings;
    private final DealExceptions exceptions;

    public StripePayouts(StripeObjects stripe, JdbcTemplate jdbc, MappingCatalog mappings, DealExceptions exceptions) {
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.mappings = mappings;
        this.exceptions = exceptions;
    }

    /** The payout as Stripe has it now. */
    public Map<String, Object> currentPayout(String payoutId) throws StripeException, IOException {
        return stripe.get("/v1/payouts/" + payoutId);
    }

    /** The payout's balance transactions, fetched a page of 100 at a time as the split consumes them. */
    public Iterator<Map<String, Object>> balanceTransactions(String payoutId) {
        return new Iterator<>() {
            private final Deque<Map<String, Object>> page = new ArrayDeque<>();
            private String after;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                if (page.isEmpty() && more) {
                    fetch();
                }
                return !page.isEmpty();
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.removeFirst();
            }

            @SuppressWarnings("unchecked")
            private void fetch() {
                String path = "/v1/balance_transactions?payout=" + payoutId + "&limit=" + PAGE_SIZE
                        + (after == null ? "" : "&starting_after=" + after);
                try {
                    Map<String, Object> list = stripe.get(path);
                    List<Map<String, Object>> data = (List<Map<String, Object>>) list.get("data");
                    page.addAll(data);
                    more = Boolean.TRUE.equals(list.get("has_more")) && !data.isEmpty();
                    if (!data.isEmpty()) {
                        after = String.valueOf(data.get(data.size() - 1).get("id"));
                    }
                } catch (StripeException e) {
                    throw new IllegalStateException("listing the balance transactions of payout " + payoutId
                            + " failed: " + e.getMessage(), e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Each balance transaction into its payout's ledger (the aggregator's strategy); a repeated one is a no-op. */
    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange ledgerExchange, Exchange transaction) {
        Exchange target = ledgerExchange != null ? ledgerExchange : transaction;
        PayoutLedger ledger = ledgerExchange != null ? ledgerExchange.getIn().getBody(PayoutLedger.class)
                : new PayoutLedger(transaction.getIn().getHeader("payoutId", String.class),
                transaction.getIn().getHeader("payoutAmount", Long.class),
                transaction.getIn().getHeader("payoutCurrency", String.class),
                transaction.getIn().getHeader("payoutArrival", Long.class));
        ledger.add(transaction.getIn().getBody(Map.class));
        target.getIn().setBody(ledger);
        return target;
    }

    /** The NetSuite bank deposit of a reconciled payout. */
    public Map<String, Object> deposit(@Body PayoutLedger ledger) {
        String currency = ledger.currency().toUpperCase(Locale.ROOT);
        int digits = Currency.getInstance(currency).getDefaultFractionDigits();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", ledger.payoutId());
        mappings.subsidiaryForCurrency(currency).ifPresent(s -> {
            record.put("subsidiary", Map.of("id", s.erpSubsidiary()));
            record.put("currency", Map.of("id", s.erpCurrency()));
        });
        record.put("tranDate", Instant.ofEpochSecond(ledger.arrivalDate()).atZone(ZoneOffset.UTC).toLocalDate().toString());
        record.put("memo", "Stripe payout " + ledger.payoutId() + " (" + ledger.size() + " balance transactions)");
        record.put("other", Map.of("items", ledger.depositLines(digits).stream()
                .map(l -> Map.<String, Object>of("memo", l.memo(), "amount", l.amount())).toList()));
        return record;
    }

    /** Keeps the deposit with the payout and marks the bridge's own payments as paid out by it. */
    public void recordDeposit(@Body PayoutLedger ledger, @Header("erpInternalId") String erpDepositId) {
        String currency = ledger.currency().toUpperCase(Locale.ROOT);
        int digits = Currency.getInstance(currency).getDefaultFractionDigits();
        jdbc.update("""
                INSERT INTO cash_document (stripe_id, kind, status, currency, amount, erp_id, occurred_at)
                VALUES (?, 'payout', 'reconciled', ?, ?, ?, ?)
                ON CONFLICT (stripe_id) DO UPDATE SET status = 'reconciled', erp_id = EXCLUDED.erp_id, updated_at = now()
                """, ledger.payoutId(), currency, BigDecimal.valueOf(ledger.payoutAmount(), digits), erpDepositId,
                java.sql.Timestamp.from(Instant.ofEpochSecond(ledger.arrivalDate())));
        List<String> sources = ledger.entries().stream().map(PayoutLedger.Entry::source).filter(s -> s != null).toList();
        for (int from = 0; from < sources.size(); from += 500) {
            List<String> chunk = sources.subList(from, Math.min(sources.size(), from + 500));
            // a payment's balance transaction names its charge; refunds and disputes are keyed by their own ids
            String in = chunk.stream().map(s -> "?").collect(Collectors.joining(","));
            List<Object> args = new java.util.ArrayList<>(List.of(ledger.payoutId(), erpDepositId));
            args.addAll(chunk);
            args.addAll(chunk);
            jdbc.update("UPDATE cash_document SET payout_id = ?, deposit_id = ?, updated_at = now() WHERE stripe_id IN ("
                    + in + ") OR charge_id IN (" + in + ")", args.toArray());
        }
    }

    /** A payout that did not add up in time: an exception naming the variance and the transactions not matched. */
    public void unreconciled(@Body PayoutLedger ledger) {
        int digits = Currency.getInstance(ledger.currency().toUpperCase(Locale.ROOT)).getDefaultFractionDigits();
        List<String> known = jdbc.queryForList("SELECT coalesce(charge_id, stripe_id) FROM cash_document "
                + "WHERE payout_id = ? OR kind = 'payment'", String.class, ledger.payoutId());
        List<String> unmatched = ledger.entries().stream().filter(e -> e.source() == null || !known.contains(e.source()))
                .map(e -> e.id() + " (" + e.type() + ", net " + BigDecimal.valueOf(e.net(), digits) + ")").toList();
        String reason = "payout " + ledger.payoutId() + " of " + BigDecimal.valueOf(ledger.payoutAmount(), digits) + " "
                + ledger.currency().toUpperCase(Locale.ROOT) + " does not add up: " + ledger.size()
                + " balance transactions net " + BigDecimal.valueOf(ledger.net(), digits) + ", variance "
                + BigDecimal.valueOf(ledger.variance(), digits) + "; not matched to the bridge's payments: "
                + (unmatched.isEmpty() ? "none" : String.join(", ", unmatched.subList(0, Math.min(20, unmatched.size())))
                + (unmatched.size() > 20 ? " and " + (unmatched.size() - 20) + " more" : ""));
        exceptions.openForObject(ledger.payoutId(), "unreconciled-payout", reason);
    }

}
