package dev.revenuebridge.sandbox.erp;

import dev.revenuebridge.sandbox.erp.ErpRecord.Ref;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The account's records by type and internal id, with an external-id index per type. Pre-seeded with the
 * reference data (subsidiaries, currencies, terms, service items with their ARM revenue recognition rule and fair
 * value prices per currency, and the chart of accounts the bridge posts to, whose internal ids are the account
 * numbers); new records get internal ids from a counter
 * starting at 1000 and are taken only by records actually stored. All methods are synchronized on the store; {@link #atomically} runs a read-validate-write
 * sequence under the same lock.
 */
final class ErpRecordStore {

    static final long FIRST_ID = 1000;

    private final Map<String, TreeMap<Long, ErpRecord>> records = new HashMap<>();
    private final Map<String, Map<String, String>> externalIds = new HashMap<>();
    private long nextId = FIRST_ID;

    ErpRecordStore() {
        reset();
    }

    synchronized <T> T atomically(Supplier<T> work) {
        return work.get();
    }

    synchronized Optional<ErpRecord> find(String type, String id) {
        Long key = numericId(id);
        return key == null ? Optional.empty() : Optional.ofNullable(table(type).get(key));
    }

    synchronized Optional<ErpRecord> findByExternalId(String type, String externalId) {
        String id = externalIds.getOrDefault(type, Map.of()).get(externalId);
        return id == null ? Optional.empty() : find(type, id);
    }

    /** Resolves a reference to the record it points at. */
    synchronized Optional<ErpRecord> resolve(Ref ref) {
        return ref == null ? Optional.empty() : find(ref.type(), ref.id());
    }

    synchronized List<ErpRecord> all(String type) {
        return new ArrayList<>(table(type).values());
    }

    /** Record types that hold records created through the API (not only seeded ones). */
    synchronized List<String> createdTypes() {
        return ErpSchema.all().stream().map(ErpSchema.RecordSpec::name)
                .filter(t -> table(t).values().stream().anyMatch(r -> !r.seeded()))
                .toList();
    }

    synchronized boolean isReferenced(String type, String id) {
        return records.values().stream().flatMap(t -> t.values().stream()).anyMatch(r -> r.references(type, id));
    }

    /** The internal id the next new record gets; it is taken only when a record with it is {@link #put}. */
    synchronized String nextId() {
        return Long.toString(nextId);
    }

    /** Inserts or replaces a record, keeping the external-id index and the id counter in step. */
    synchronized void put(ErpRecord record) {
        long id = Long.parseLong(record.id());
        nextId = Math.max(nextId, id + 1);
        ErpRecord previous = table(record.type()).put(id, record);
        Map<String, String> index = externalIds.computeIfAbsent(record.type(), t -> new HashMap<>());
        if (previous != null && previous.externalId() != null) {
            index.remove(previous.externalId());
        }
        if (record.externalId() != null) {
            index.put(record.externalId(), record.id());
        }
    }

    synchronized boolean remove(String type, String id) {
        Long key = numericId(id);
        ErpRecord removed = key == null ? null : table(type).remove(key);
        if (removed != null && removed.externalId() != null) {
            externalIds.getOrDefault(type, new HashMap<>()).remove(removed.externalId());
        }
        return removed != null;
    }

    synchronized void reset() {
        records.clear();
        externalIds.clear();
        seed();
        nextId = FIRST_ID;
    }

    private TreeMap<Long, ErpRecord> table(String type) {
        return records.computeIfAbsent(type, t -> new TreeMap<>());
    }

    private static Long numericId(String id) {
        if (id == null || id.isEmpty() || id.length() > 18 || !id.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(id);
    }

    private void seed() {
        currency("1", "US Dollar", "USD", "$", true);
        currency("2", "Euro", "EUR", "€", false);
        currency("3", "British Pound", "GBP", "£", false);
        subsidiary("1", "Revenue Bridge Inc.", "US", "1");
        subsidiary("2", "Revenue Bridge GmbH", "DE", "2");
        subsidiary("3", "Revenue Bridge Ltd", "GB", "3");
        term("1", "Net 15", 15);
        term("2", "Net 30", 30);
        term("3", "Net 45", 45);
        term("4", "Net 60", 60);
        term("5", "Due on receipt", 0);
        item("501", "IMPL-STD", "Standard implementation", RULE_POINT_IN_TIME, "20000.00", "18500.00", "16000.00");
        item("502", "PLAT-SUB", "Platform subscription", RULE_STRAIGHT_LINE, "10000.00", "9250.00", "8000.00");
        item("503", "TRAIN-STD", "Training", RULE_POINT_IN_TIME, "10000.00", "9250.00", "8000.00");
        account("1010", "Operating Account (USD)", "Bank", "1", "1");
        account("1011", "Operating Account (EUR)", "Bank", "2", "2");
        account("1012", "Operating Account (GBP)", "Bank", "3", "3");
        account("1099", "Undeposited Funds", "OthCurrAsset", null, null);
        account("1100", "Stripe Clearing", "OthCurrAsset", null, null);
        account("1210", "Disputed Receivables", "OthCurrAsset", null, null);
        account("2400", "Deferred Revenue", "DeferRevenue", null, null);
        account("4000", "Subscription Revenue", "Income", null, null);
        account("4010", "Services Revenue", "Income", null, null);
        account("6140", "Stripe Fees", "Expense", null, null);
        account("6150", "Dispute Fees", "Expense", null, null);
    }

    /** ARM revenue recognition rules of the seeded items (NetSuite: Setup > Accounting > Revenue Recognition Rules). */
    static final ErpRecord.Choice RULE_POINT_IN_TIME = new ErpRecord.Choice("1", "Recognize on rev rec start date");
    static final ErpRecord.Choice RULE_STRAIGHT_LINE =
            new ErpRecord.Choice("2", "Straight-line, by month, partial months by days");

    /** Changes an item's fair value price in one currency (the item record is replaced, still seeded). */
    synchronized void fairValue(String itemId, String currencySymbol, BigDecimal price) {
        ErpRecord item = find(ErpSchema.ITEM, itemId)
                .orElseThrow(() -> new IllegalArgumentException("no service item " + itemId));
        Map<String, Object> fields = new LinkedHashMap<>(item.fields());
        @SuppressWarnings("unchecked")
        Map<String, Object> prices = new LinkedHashMap<>((Map<String, Object>) fields.get("fairValuePrice"));
        prices.put(currencySymbol, price);
        fields.put("fairValuePrice", prices);
        put(new ErpRecord(item.type(), item.id(), item.externalId(), fields, item.created(), item.lastModified(), true));
    }

    private void currency(String id, String name, String symbol, String displaySymbol, boolean base) {
        seeded(ErpSchema.CURRENCY, id, null, fields("name", name, "symbol", symbol, "displaySymbol", displaySymbol,
                "isBaseCurrency", base, "isInactive", false));
    }

    private void subsidiary(String id, String name, String country, String currencyId) {
        seeded(ErpSchema.SUBSIDIARY, id, null, fields("name", name, "country", country,
                "currency", new Ref(ErpSchema.CURRENCY, currencyId), "isInactive", false));
    }

    private void term(String id, String name, int days) {
        seeded(ErpSchema.TERM, id, null, fields("name", name, "daysUntilNetDue", BigDecimal.valueOf(days),
                "isInactive", false));
    }

    private void item(String id, String externalId, String name, ErpRecord.Choice rule,
                      String usd, String eur, String gbp) {
        Map<String, Object> prices = fields("USD", new BigDecimal(usd), "EUR", new BigDecimal(eur),
                "GBP", new BigDecimal(gbp));
        seeded(ErpSchema.ITEM, id, externalId, fields("itemId", name, "displayName", name,
                "salesDescription", name, "isInactive", false, "revenueRecognitionRule", rule,
                "fairValuePrice", prices));
    }

    private void account(String number, String name, String type, String currencyId, String subsidiaryId) {
        Map<String, Object> fields = fields("acctNumber", number, "acctName", name,
                "acctType", new ErpRecord.Choice(type, ErpSchema.ACCOUNT_TYPES.get(type)));
        if (currencyId != null) fields.put("currency", new Ref(ErpSchema.CURRENCY, currencyId));
        if (subsidiaryId != null) fields.put("subsidiary", new Ref(ErpSchema.SUBSIDIARY, subsidiaryId));
        fields.put("isInactive", false);
        seeded(ErpSchema.ACCOUNT, number, null, fields);
    }

    private void seeded(String type, String id, String externalId, Map<String, Object> fields) {
        Instant epoch = Instant.parse("2024-01-01T00:00:00Z");
        put(new ErpRecord(type, id, externalId, fields, epoch, epoch, true));
    }

    private static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
