package dev.revenuebridge.sandbox.erp;

import dev.revenuebridge.sandbox.erp.ErpRecord.Choice;
import dev.revenuebridge.sandbox.erp.ErpRecord.Ref;
import dev.revenuebridge.sandbox.erp.ErpSchema.Kind;
import dev.revenuebridge.sandbox.erp.ErpSchema.RecordSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renders records the way NetSuite's REST API does: {@code links} with a self href, references as
 * {@code {"links":[...],"id":"1","refName":"..."}}, sublists collapsed to a link unless expanded
 * ({@code ?expandSubResources=true}), collections with paging links. Also renders the plain form used by
 * {@code /_sandbox/state} and the typed accessors (references as {@code {"id","refName"}}, sublists as
 * {@code {"items":[...]}}).
 */
final class ErpRecordView {

    static final String RECORD_PATH = "/services/rest/record/v1";

    private final ErpRecordStore store;
    private final ErpLedger ledger;
    private final Supplier<String> baseUrl;

    ErpRecordView(ErpRecordStore store, ErpLedger ledger, Supplier<String> baseUrl) {
        this.store = store;
        this.ledger = ledger;
        this.baseUrl = baseUrl;
    }

    /** The record with its computed fields (billed amounts, amounts remaining, statuses). */
    ErpRecord decorate(ErpRecord record) {
        return ledger.decorate(record);
    }

    String href(String type, String id) {
        return baseUrl.get() + RECORD_PATH + "/" + type + (id == null ? "" : "/" + id);
    }

    /** A record as GET answers it. */
    Map<String, Object> resource(ErpRecord stored, boolean expandSublists) {
        ErpRecord record = ledger.decorate(stored);
        RecordSpec spec = ErpSchema.get(record.type());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("links", links("self", href(record.type(), record.id())));
        out.put("id", record.id());
        if (record.externalId() != null) {
            out.put("externalId", record.externalId());
        }
        record.fields().forEach((name, value) -> {
            boolean sublist = spec.field(name).map(f -> f.kind() == Kind.SUBLIST).orElse(false);
            if (sublist && !expandSublists) {
                out.put(name, Map.of("links", links("self", href(record.type(), record.id()) + "/" + name)));
            } else if (sublist) {
                out.put(name, sublist(record, name));
            } else {
                out.put(name, api(value));
            }
        });
        timestamps(record, out);
        return out;
    }

    /** A sublist as {@code GET .../{type}/{id}/{sublist}} (or an expanded record) shows it. */
    Map<String, Object> sublist(ErpRecord record, String name) {
        String self = href(record.type(), record.id()) + "/" + name;
        List<Object> items = new ArrayList<>();
        for (Map<String, Object> line : record.lines(name)) {
            items.add(line(record, name, line));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("links", links("self", self));
        out.put("count", items.size());
        out.put("hasMore", false);
        out.put("items", items);
        out.put("offset", 0);
        out.put("totalResults", items.size());
        return out;
    }

    Map<String, Object> line(ErpRecord record, String sublist, Map<String, Object> line) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("links", links("self", href(record.type(), record.id()) + "/" + sublist + "/" + line.get("line")));
        line.forEach((k, v) -> out.put(k, api(v)));
        return out;
    }

    /** A page of a record collection, as {@code GET .../{type}?limit=&offset=} answers it. */
    Map<String, Object> collection(String type, List<ErpRecord> matches, int offset, int limit, String query) {
        int total = matches.size();
        List<ErpRecord> page = matches.subList(Math.min(offset, total), Math.min(offset + limit, total));
        boolean hasMore = offset + page.size() < total;
        List<Object> links = new ArrayList<>();
        String q = query == null ? "" : "&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
        String base = href(type, null) + "?limit=" + limit;
        if (offset > 0) {
            links.add(link("previous", base + "&offset=" + Math.max(0, offset - limit) + q));
        }
        links.add(link("first", base + "&offset=0" + q));
        if (hasMore) {
            links.add(link("next", base + "&offset=" + (offset + limit) + q));
        }
        links.add(link("last", base + "&offset=" + (total == 0 ? 0 : ((total - 1) / limit) * limit) + q));
        links.add(link("self", base + "&offset=" + offset + q));
        List<Object> items = page.stream()
                .<Object>map(r -> Map.of("links", links("self", href(r.type(), r.id())), "id", r.id()))
                .toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("links", links);
        out.put("count", items.size());
        out.put("hasMore", hasMore);
        out.put("items", items);
        out.put("offset", offset);
        out.put("totalResults", total);
        return out;
    }

    /** The plain form of a record for sandbox state and tests: no links, references as {id, refName}. */
    Map<String, Object> plain(ErpRecord stored) {
        ErpRecord record = ledger.decorate(stored);
        RecordSpec spec = ErpSchema.get(record.type());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", record.id());
        if (record.externalId() != null) {
            out.put("externalId", record.externalId());
        }
        record.fields().forEach((name, value) -> {
            boolean sublist = spec.field(name).map(f -> f.kind() == Kind.SUBLIST).orElse(false);
            out.put(name, sublist ? Map.of("items", plainValue(value)) : plainValue(value));
        });
        timestamps(record, out);
        return out;
    }

    /** The name NetSuite shows for a record where it is referenced. */
    String refName(ErpRecord record) {
        RecordSpec spec = ErpSchema.get(record.type());
        return switch (record.type()) {
            case ErpSchema.CUSTOMER -> record.text("entityId") != null ? record.text("entityId") : record.text("companyName");
            case ErpSchema.ITEM -> record.text("itemId");
            case ErpSchema.ACCOUNT -> record.text("acctNumber") + " " + record.text("acctName");
            default -> {
                if (record.text("name") != null) yield record.text("name");
                yield spec.label() + " #" + (record.text("tranId") != null ? record.text("tranId") : record.id());
            }
        };
    }

    private Object api(Object value) {
        if (value instanceof Ref ref) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("links", links("self", href(ref.type(), ref.id())));
            out.put("id", ref.id());
            store.resolve(ref).ifPresent(r -> out.put("refName", refName(r)));
            return out;
        }
        if (value instanceof Choice choice) {
            return choice(choice);
        }
        return plainValue(value);
    }

    private Object plainValue(Object value) {
        if (value instanceof Ref ref) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", ref.id());
            store.resolve(ref).ifPresent(r -> out.put("refName", refName(r)));
            return out;
        }
        if (value instanceof Choice choice) {
            return choice(choice);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), plainValue(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(plainValue(v)));
            return out;
        }
        return value;
    }

    private static Map<String, Object> choice(Choice choice) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", choice.id());
        out.put("refName", choice.name());
        return out;
    }

    private static void timestamps(ErpRecord record, Map<String, Object> out) {
        out.put("createdDate", record.created().toString());
        out.put("lastModifiedDate", record.lastModified().toString());
    }

    private static List<Object> links(String rel, String href) {
        return List.of(link(rel, href));
    }

    private static Map<String, Object> link(String rel, String href) {
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("rel", rel);
        link.put("href", href);
        return link;
    }
}
