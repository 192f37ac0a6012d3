package dev.revenuebridge.cash;

import com.stripe.exception.StripeException;
import dev.revenuebridge.deal.MinorUnits;
import dev.revenuebridge.mapping.MappingCatalog;
import dev.revenuebridge.trace.DealExceptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
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

    private final String clearingAccount;
    private final String feesAccount;

    private final dev.revenuebridge.outcome.OutcomeEvents events;

    public StripePayouts(StripeObjects stripe, JdbcTemplate jdbc, MappingCatalog mappings, DealExceptions exceptions,
                         @org.springframework.beans.factory.annotation.Value("${revenue.erp.accounts.stripe-clearing:1100}")
                         String clearingAccount,
                         @org.springframework.beans.factory.annotation.Value("${revenue.erp.accounts.stripe-fees:6140}")
                         String feesAccount, dev.revenuebridge.outcome.OutcomeEvents events) {
        this.events = events;
        this.clearingAccount = clearingAccount;
        this.feesAccount = feesAccount;
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.mappings = mappings;
        this.exceptions = exceptions;
    }

    /** The payout as Stripe has it now. */
    public Map<String, Object> currentPayout(String payoutId) throws StripeException, IOException {
        return stripe.get("/v1/payouts/" + payoutId);
    }

    /**
     * The payout's balance transactions in steps of up to {@code pagesPerStep} pages of 100, fetched as the split
     * consumes them: the aggregator gathers a step at a time (one write of the aggregate per step, not per transaction).
     * Each step writes the whole aggregate so far, so a step per page wrote a 10,000-transaction payout's growing
     * ledger 100 times (its serialization a third of the reconciliation's time); ten pages a step write it ten times,
     * and a restart lists at most ten pages again (revenue.payouts.pages-per-step).
     */
    public Iterator<List<Map<String, Object>>> balanceTransactionSteps(String payoutId, int pagesPerStep) {
        Iterator<List<Map<String, Object>>> pages = balanceTransactionPages(payoutId);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return pages.hasNext();
            }

            @Override
            public List<Map<String, Object>> next() {
                List<Map<String, Object>> step = new java.util.ArrayList<>(pages.next());
                for (int i = 1; i < pagesPerStep && pages.hasNext(); i++) {
                    step.addAll(pages.next());
                }
                return step;
            }
        };
    }

    /** The payout's balance transactions a page of 100 at a time, each page listed when it is asked for. */
    Iterator<List<Map<String, Object>>> balanceTransactionPages(String payoutId) {
        return new Iterator<>() {
            private String after;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                return more;
            }

            @Override
            @SuppressWarnings("unchecked")
            public List<Map<String, Object>> next() {
                if (!more) {
                    throw new NoSuchElementException();
                }
                String path = "/v1/balance_transactions?payout=" + payoutId + "&limit=" + PAGE_SIZE
                        + (after == null ? "" : "&starting_after=" + after);
                try {
                    Map<String, Object> list = stripe.get(path);
                    List<Map<String, Object>> data = (List<Map<String, Object>>) list.get("data");
                    more = Boolean.TRUE.equals(list.get("has_more")) && !data.isEmpty();
                    if (!data.isEmpty()) {
                        after = String.valueOf(data.get(data.size() - 1).get("id"));
                    }
                    return data;
                } catch (StripeException e) {
                    throw new IllegalStateException("listing the balance transactions of payout " + payoutId
                            + " failed: " + e.getMessage(), e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * A step of balance transactions (or one transaction) into its payout's ledger (the aggregator's strategy); a
     * transaction seen before is a no-op.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange ledgerExchange, Exchange transaction) {
        Exchange target = ledgerExchange != null ? ledgerExchange : transaction;
        PayoutLedger ledger = ledgerExchange != null ? ledgerExchange.getIn().getBody(PayoutLedger.class)
                : new PayoutLedger(transaction.getIn().getHeader("payoutId", String.class),
                transaction.getIn().getHeader("payoutAmount", Long.class),
                transaction.getIn().getHeader("payoutCurrency", String.class),
                transaction.getIn().getHeader("payoutArrival", Long.class));
        Object body = transaction.getIn().getBody();
        if (body instanceof List<?> page) {
            page.forEach(t -> ledger.add((Map<String, Object>) t));
        } else {
            ledger.add(transaction.getIn().getBody(Map.class));
        }
        target.getIn().setBody(ledger);
        return target;
    }

    /**
     * The NetSuite bank deposit of a reconciled payout, into the bank account Stripe pays out to in the payout's
     * currency ({@code erpBankAccount} of its subsidiary in mappings/subsidiaries.yaml). It moves the customer payments
     * the bridge booked for the payout's charges out of Undeposited Funds (the Payments sublist: each payment once, at
     * its own amount, which is the charge's); every other balance transaction is a line to an account: charges the
     * bridge did not book and won disputes as Other Deposits to the Stripe clearing account, refunds, disputes and
     * other withdrawals as Cash Back from it, and Stripe's fees as Cash Back to the Stripe fees account. Payments plus
     * other deposits minus cash back is the payout, to the cent.
     */
    public Map<String, Object> deposit(@Body PayoutLedger ledger) {
        String currency = ledger.currency().toUpperCase(Locale.ROOT);
        int digits = MinorUnits.digits(currency);
        MappingCatalog.Subsidiary subsidiary = mappings.subsidiaryForCurrency(currency).orElseThrow(() ->
                new dev.revenuebridge.mapping.MappingException("subsidiaries.yaml", "subsidiaries",
                        "no subsidiary books in " + currency + ", the currency of payout " + ledger.payoutId()));
        Map<String, String> payments = bookedPayments(ledger, currency);
        List<Map<String, Object>> paymentLines = new java.util.ArrayList<>();
        Map<String, Long> other = new LinkedHashMap<>();
        Map<String, Long> cashBack = new LinkedHashMap<>();
        long fees = 0;
        for (PayoutLedger.Entry e : ledger.entries()) {
            fees += e.fee();
            if ("charge".equals(e.category()) && e.exchangeRate() == null && payments.containsKey(e.source())) {
                paymentLines.add(Map.of("doc", Map.of("id", payments.get(e.source())), "deposit", true));
                continue;
            }
            String memo = switch (e.category()) {
                case "charge" -> e.exchangeRate() == null ? "Charges (gross)" : "Charges (gross), converted at " + e.exchangeRate();
                case "refund" -> "Refunds";
                case "dispute" -> "Disputes (withdrawn)";
                case "dispute_reversal" -> "Disputes (won, reversed)";
                default -> "Adjustments (" + e.category() + ")";
            };
            if (e.amount() >= 0) {
                other.merge(memo, e.amount(), Long::sum);
            } else {
                cashBack.merge(memo, -e.amount(), Long::sum);
            }
        }
        List<Map<String, Object>> otherLines = new java.util.ArrayList<>();
        other.forEach((memo, amount) -> {
            if (amount != 0) otherLines.add(line(clearingAccount, memo, amount, digits));
        });
        List<Map<String, Object>> cashBackLines = new java.util.ArrayList<>();
        cashBack.forEach((memo, amount) -> {
            if (amount != 0) cashBackLines.add(line(clearingAccount, memo, amount, digits));
        });
        if (fees > 0) {
            cashBackLines.add(line(feesAccount, "Stripe fees", fees, digits));
        } else if (fees < 0) {
            otherLines.add(line(feesAccount, "Stripe fees (returned)", -fees, digits));
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("externalId", ledger.payoutId());
        record.put("account", Map.of("id", subsidiary.erpBankAccount()));
        record.put("subsidiary", Map.of("id", subsidiary.erpSubsidiary()));
        record.put("currency", Map.of("id", subsidiary.erpCurrency()));
        record.put("tranDate", Instant.ofEpochSecond(ledger.arrivalDate()).atZone(ZoneOffset.UTC).toLocalDate().toString());
        record.put("memo", "Stripe payout " + ledger.payoutId() + " (" + ledger.size() + " balance transactions)");
        record.put("payment", Map.of("items", paymentLines));
        record.put("other", Map.of("items", otherLines));
        record.put("cashBack", Map.of("items", cashBackLines));
        return record;
    }

    /** The ERP customer payments the bridge booked for the payout's charges, by charge id, in the payout currency. */
    private Map<String, String> bookedPayments(PayoutLedger ledger, String currency) {
        List<String> charges = ledger.entries().stream().filter(e -> "charge".equals(e.category()) && e.source() != null)
                .map(PayoutLedger.Entry::source).toList();
        Map<String, String> found = new LinkedHashMap<>();
        for (int from = 0; from < charges.size(); from += 500) {
            List<String> chunk = charges.subList(from, Math.min(charges.size(), from + 500));
            List<Object> args = new java.util.ArrayList<>(chunk);
            args.add(currency);
            jdbc.query("SELECT charge_id, erp_id FROM cash_document WHERE kind = 'payment' AND erp_id IS NOT NULL "
                    + "AND charge_id IN (" + chunk.stream().map(c -> "?").collect(Collectors.joining(",")) + ") "
                    + "AND currency = ?", rs -> {
                found.putIfAbsent(rs.getString(1), rs.getString(2));
            }, args.toArray());
        }
        return found;
    }

    private static Map<String, Object> line(String account, String memo, long amount, int digits) {
        return Map.of("account", Map.of("id", account), "memo", memo, "amount", MinorUnits.fromMinor(amount, digits));
    }

    /** Keeps the deposit with the payout and marks the bridge's own payments as paid out by it. */
    public void recordDeposit(@Body PayoutLedger ledger, @Header("erpInternalId") String erpDepositId) {
        String currency = ledger.currency().toUpperCase(Locale.ROOT);
        int digits = MinorUnits.digits(currency);
        jdbc.update("""
                INSERT INTO cash_document (stripe_id, kind, status, currency, amount, erp_id, occurred_at)
                VALUES (?, 'payout', 'reconciled', ?, ?, ?, ?)
                ON CONFLICT (stripe_id) DO UPDATE SET status = 'reconciled', erp_id = EXCLUDED.erp_id, updated_at = now()
                """, ledger.payoutId(), currency, MinorUnits.fromMinor(ledger.payoutAmount(), digits), erpDepositId,
                java.sql.Timestamp.from(Instant.ofEpochSecond(ledger.arrivalDate())));
        events.cashDocument(ledger.payoutId());
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
        int digits = MinorUnits.digits(ledger.currency());
        List<String> known = jdbc.queryForList("SELECT coalesce(charge_id, stripe_id) FROM cash_document "
                + "WHERE payout_id = ? OR kind = 'payment'", String.class, ledger.payoutId());
        List<String> unmatched = ledger.entries().stream().filter(e -> e.source() == null || !known.contains(e.source()))
                .map(e -> e.id() + " (" + e.type() + ", net " + MinorUnits.fromMinor(e.net(), digits) + ")").toList();
        String reason = "payout " + ledger.payoutId() + " of " + MinorUnits.fromMinor(ledger.payoutAmount(), digits) + " "
                + ledger.currency().toUpperCase(Locale.ROOT) + " does not add up: " + ledger.size()
                + " balance transactions net " + MinorUnits.fromMinor(ledger.net(), digits) + ", variance "
                + MinorUnits.fromMinor(ledger.variance(), digits) + "; not matched to the bridge's payments: "
                + (unmatched.isEmpty() ? "none" : String.join(", ", unmatched.subList(0, Math.min(20, unmatched.size())))
                + (unmatched.size() > 20 ? " and " + (unmatched.size() - 20) + " more" : ""));
        exceptions.openForObject(ledger.payoutId(), "unreconciled-payout", reason,
                MinorUnits.fromMinor(ledger.payoutAmount(), digits), ledger.currency().toUpperCase(Locale.ROOT));
    }

}
