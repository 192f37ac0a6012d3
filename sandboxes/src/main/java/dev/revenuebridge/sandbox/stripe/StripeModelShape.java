package dev.revenuebridge.sandbox.stripe;

import com.google.gson.annotations.SerializedName;
import com.stripe.model.Event;
import com.stripe.model.EventDataClassLookup;
import com.stripe.model.ExpandableField;
import com.stripe.model.StripeCollection;
import com.stripe.model.StripeObject;
import com.stripe.model.StripeSearchResult;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a JSON object the sandbox is about to send against stripe-java's model of it: every key must be a field of
 * the model class (its {@code @SerializedName}, or the field name in Gson's lower_case_with_underscores naming that the
 * SDK deserializes with). The class is found by the object's {@code object} field ({@link EventDataClassLookup});
 * nested objects are checked as their field's type: nested classes ({@code Invoice.Parent}), {@code ExpandableField<X>}
 * (an id, or an expanded X), collections ({@code data} items as the element type), lists, and maps (metadata: any keys).
 * An event is checked as an Event, its {@code data.object} as the model its own {@code object} names.
 * <p>
 * A violation is a path such as {@code invoice.parent.subscription_details.foo} (a key the SDK would drop); a
 * {@code list} or {@code search_result} item, and an event's object, are named from their own type ({@code invoice.foo}).
 */
final class StripeModelShape {

    private static final Map<Class<?>, Map<String, Type>> FIELDS = new ConcurrentHashMap<>();

    private StripeModelShape() {
    }

    /** The keys of {@code body} (and of the objects in it) that stripe-java's models do not declare. */
    static Set<String> violations(Map<String, Object> body) {
        Set<String> out = new LinkedHashSet<>();
        checkByObject(body, null, out);
        return out;
    }

    /** Checks an object as the model its {@code object} field names; {@code path} null starts the path at that name. */
    @SuppressWarnings("unchecked")
    private static void checkByObject(Map<String, Object> json, String path, Set<String> out) {
        if (!(json.get("object") instanceof String name)) return;   // nothing says what it is
        String at = path == null ? name : path;
        switch (name) {
            case "list" -> checkCollection(json, StripeCollection.class, null, at, out);
            case "search_result" -> checkCollection(json, StripeSearchResult.class, null, at, out);
            case "event" -> {
                checkModel(json, Event.class, at, out);
                if (json.get("data") instanceof Map<?, ?> data && data.get("object") instanceof Map<?, ?> object) {
                    checkByObject((Map<String, Object>) object, null, out);
                }
            }
            default -> {
                Class<?> model = EventDataClassLookup.classLookup.get(name);
                if (model == null) {
                    out.add(at + " (object \"" + name + "\" is no stripe-java model)");
                } else {
                    checkModel(json, model, at, out);
                }
            }
        }
    }

    private static void checkModel(Map<String, Object> json, Class<?> model, String path, Set<String> out) {
        Map<String, Type> fields = fields(model);
        for (Map.Entry<String, Object> entry : json.entrySet()) {
            String child = path + "." + entry.getKey();
            Type type = fields.get(entry.getKey());
            if (type == null) {
                out.add(child);
            } else if (!(model == Event.class && entry.getKey().equals("data"))) {   // data.object: by its own type
                checkValue(entry.getValue(), type, child, out);
            } else if (entry.getValue() instanceof Map<?, ?> data) {
                for (Object key : data.keySet()) {
                    if (!key.equals("object") && !key.equals("previous_attributes")) out.add(child + "." + key);
                }
            }
        }
    }

    /** A list or search result: its own keys, and each {@code data} item as {@code element} (by its type when null). */
    @SuppressWarnings("unchecked")
    private static void checkCollection(Map<String, Object> json, Class<?> collection, Type element, String path,
                                        Set<String> out) {
        Map<String, Type> fields = fields(collection);
        for (Map.Entry<String, Object> entry : json.entrySet()) {
            if (!fields.containsKey(entry.getKey())) {
                out.add(path + "." + entry.getKey());
            } else if (entry.getKey().equals("data") && entry.getValue() instanceof List<?> items) {
                for (Object item : items) {
                    if (!(item instanceof Map)) continue;
                    if (element == null || !concreteModel(raw(element))) {
                        checkByObject((Map<String, Object>) item, null, out);
                    } else {
                        checkModel((Map<String, Object>) item, raw(element), path + ".data", out);
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void checkValue(Object value, Type type, String path, Set<String> out) {
        Class<?> raw = raw(type);
        if (value instanceof List<?> list) {
            if (List.class.isAssignableFrom(raw)) {
                Type element = argument(type, 0);
                for (Object item : list) checkValue(item, element, path, out);
            }
            return;
        }
        if (!(value instanceof Map)) return;   // a scalar, or the id of an expandable field
        Map<String, Object> map = (Map<String, Object>) value;
        if (raw == ExpandableField.class) {
            checkValue(map, argument(type, 0), path, out);
        } else if (StripeCollection.class.isAssignableFrom(raw) || StripeSearchResult.class.isAssignableFrom(raw)) {
            checkCollection(map, raw, element(type), path, out);
        } else if (Map.class.isAssignableFrom(raw)) {
            Type valueType = argument(type, 1);
            if (concreteModel(raw(valueType))) {
                map.forEach((k, v) -> checkValue(v, valueType, path + ".*", out));
            }
        } else if (concreteModel(raw)) {
            checkModel(map, raw, path, out);
        } else {
            checkByObject(map, path, out);   // an interface (PaymentSource), StripeObject or untyped JSON
        }
    }

    /** A class with fields of its own to check against (not an interface, not StripeObject itself). */
    private static boolean concreteModel(Class<?> c) {
        return c != null && !c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && c != StripeObject.class
                && c != Object.class && !c.getName().startsWith("java.") && !c.getName().startsWith("com.google.gson.");
    }

    /** The JSON keys of a model class: every non-static, non-transient field, as Gson names it. */
    static Map<String, Type> fields(Class<?> model) {
        Map<String, Type> cached = FIELDS.get(model);
        if (cached != null) return cached;
        Map<String, Type> out = new LinkedHashMap<>();
        for (Class<?> c = model; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers) || field.isSynthetic()) continue;
                SerializedName name = field.getAnnotation(SerializedName.class);
                out.putIfAbsent(name != null ? name.value() : snakeCase(field.getName()), field.getGenericType());
            }
        }
        Map<String, Type> fields = Collections.unmodifiableMap(out);
        FIELDS.putIfAbsent(model, fields);
        return fields;
    }

    private static String snakeCase(String name) {
        StringBuilder out = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (Character.isUpperCase(ch)) out.append('_').append(Character.toLowerCase(ch));
            else out.append(ch);
        }
        return out.toString();
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) return c;
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) return c;
        return Object.class;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType p && p.getActualTypeArguments().length > index
                ? p.getActualTypeArguments()[index] : Object.class;
    }

    /** A collection's element type: its own type argument, or its superclass's ({@code InvoiceLineItemCollection}). */
    private static Type element(Type type) {
        if (type instanceof ParameterizedType) return argument(type, 0);
        for (Class<?> c = raw(type); c != null && c != Object.class; c = c.getSuperclass()) {
            Type parent = c.getGenericSuperclass();
            Class<?> parentRaw = raw(parent);
            if (parentRaw == StripeCollection.class || parentRaw == StripeSearchResult.class) return argument(parent, 0);
        }
        return null;
    }
}
