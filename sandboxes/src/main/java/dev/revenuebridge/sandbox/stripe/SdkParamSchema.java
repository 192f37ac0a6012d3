package dev.revenuebridge.sandbox.stripe;

import com.google.gson.annotations.SerializedName;
import com.stripe.net.ApiRequestParams;
import com.stripe.param.common.EmptyParam;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The parameters a stripe-java params class accepts, read by reflection, and the check of decoded form parameters
 * against them with Stripe's error codes and bracket-notation names.
 * <ul>
 *   <li>a field annotated {@code @SerializedName} is a parameter ({@code extraParams} is the SDK's escape hatch, skipped);</li>
 *   <li>String, Long, Boolean, BigDecimal, an {@code EnumParam} enum (its {@code getValue()}s), a nested params class,
 *       {@code List<X>} (Stripe's {@code a[0][b]} notation), {@code Map<String, X>} (metadata and other hashes);</li>
 *   <li>a field typed {@code Object} is a union: its alternatives are the argument types of the Builder's setters for it
 *       ({@code setCancelAt(Long)}, {@code setCancelAt(CancelAt)}); {@code EmptyParam} among them means "" (unset) is allowed.</li>
 * </ul>
 * Checked values come back typed as {@link StripeCall} expects: String, Long, BigDecimal, Boolean, List, Map, "" for unset.
 */
final class SdkParamSchema {

    /** A parameter's type. */
    sealed interface Kind permits Scalar, Enumerated, Params, ListOf, MapOf, Union, AnyValue {
    }

    enum ScalarType { STRING, INTEGER, DECIMAL, BOOLEAN }

    record Scalar(ScalarType type) implements Kind {
    }

    record Enumerated(List<String> values) implements Kind {
    }

    /** A params class; its fields are read when first needed (params classes nest, some recursively). */
    record Params(Class<?> type) implements Kind {
    }

    record ListOf(Kind item) implements Kind {
    }

    record MapOf(Kind value) implements Kind {
    }

    /** The alternatives of an {@code Object} field; {@code unsettable} when one of them is EmptyParam. */
    record Union(List<Kind> alternatives, boolean unsettable) implements Kind {
    }

    /** A value the SDK does not type ({@code Map<String, Object>} values): taken as sent. */
    record AnyValue() implements Kind {
    }

    /** Stripe's documented metadata limits: https://docs.stripe.com/metadata (50 keys, key 40, value 500 characters). */
    static final int METADATA_MAX_KEYS = 50;
    static final int METADATA_MAX_KEY_LENGTH = 40;
    static final int METADATA_MAX_VALUE_LENGTH = 500;

    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,19}");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)");
    private static final Map<Class<?>, Map<String, Kind>> FIELDS = new ConcurrentHashMap<>();

    private SdkParamSchema() {
    }

    // ---------------------------------------------------------------- reading the SDK

    /** The parameters of a params class by their wire names, in declaration order. */
    static Map<String, Kind> fields(Class<?> params) {
        Map<String, Kind> cached = FIELDS.get(params);
        if (cached != null) return cached;
        Map<String, Kind> out = new LinkedHashMap<>();
        for (Class<?> c = params; c != null && c != Object.class && c != ApiRequestParams.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                SerializedName name = field.getAnnotation(SerializedName.class);
                if (name == null || Modifier.isStatic(field.getModifiers()) || field.getName().equals("extraParams")) continue;
                out.putIfAbsent(name.value(), kindOf(field.getGenericType(), params, field.getName()));
            }
        }
        Map<String, Kind> fields = Collections.unmodifiableMap(out);
        FIELDS.putIfAbsent(params, fields);
        return fields;
    }

    private static Kind kindOf(Type type, Class<?> owner, String fieldName) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            if (List.class.isAssignableFrom(raw)) return new ListOf(kindOf(p.getActualTypeArguments()[0], owner, fieldName));
            if (Map.class.isAssignableFrom(raw)) {
                Type value = p.getActualTypeArguments()[1];
                return new MapOf(value == Object.class ? new AnyValue() : kindOf(value, owner, fieldName));
            }
        }
        if (!(type instanceof Class<?> c)) return new AnyValue();
        if (c == String.class) return new Scalar(ScalarType.STRING);
        if (c == Long.class || c == Integer.class || c == long.class || c == int.class) return new Scalar(ScalarType.INTEGER);
        if (c == Boolean.class || c == boolean.class) return new Scalar(ScalarType.BOOLEAN);
        if (c == BigDecimal.class) return new Scalar(ScalarType.DECIMAL);
        if (c.isEnum() && ApiRequestParams.EnumParam.class.isAssignableFrom(c)) {
            List<String> values = new ArrayList<>();
            for (Object constant : c.getEnumConstants()) values.add(((ApiRequestParams.EnumParam) constant).getValue());
            return new Enumerated(List.copyOf(values));
        }
        if (c == Object.class) return union(owner, fieldName);
        if (List.class.isAssignableFrom(c)) return new ListOf(new AnyValue());
        if (Map.class.isAssignableFrom(c)) return new MapOf(new AnyValue());
        return new Params(c);
    }

    /** An Object field's alternatives: the argument types of {@code Builder.setX(..)}, scalars first, then enums, then containers. */
    private static Kind union(Class<?> owner, String fieldName) {
        String setter = "set" + Character.toUpperCase(fieldName.charAt(0)) + fieldName.substring(1);
        List<Kind> alternatives = new ArrayList<>();
        boolean unsettable = false;
        for (Class<?> nested : owner.getDeclaredClasses()) {
            if (!nested.getSimpleName().equals("Builder")) continue;
            for (Method method : nested.getDeclaredMethods()) {
                if (!method.getName().equals(setter) || method.getParameterCount() != 1) continue;
                Type argument = method.getGenericParameterTypes()[0];
                if (argument == EmptyParam.class) {
                    unsettable = true;
                } else {
                    alternatives.add(kindOf(argument, owner, fieldName));
                }
            }
        }
        if (alternatives.isEmpty() && !unsettable) return new AnyValue();  // no setter found: nothing to check against
        alternatives.sort(Comparator.comparingInt(SdkParamSchema::order).thenComparing(Object::toString));
        return new Union(List.copyOf(alternatives), unsettable);
    }

    private static int order(Kind kind) {
        if (kind instanceof Scalar) return 0;
        if (kind instanceof Enumerated) return 1;
        return 2;
    }

    // ---------------------------------------------------------------- checking a request

    /** Checks the decoded parameters against a params class; returns them typed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> check(Class<?> params, Map<String, Object> decoded) {
        return (Map<String, Object>) checkParams(params, decoded, "");
    }

    static Object check(Kind kind, Object value, String param, String name) {
        if (kind instanceof Scalar s) return checkScalar(s.type(), value, param);
        if (kind instanceof Enumerated e) return checkEnum(e, value, param);
        if (kind instanceof Params p) return checkParams(p.type(), value, param);
        if (kind instanceof ListOf l) return checkList(l, value, param, name);
        if (kind instanceof MapOf m) return checkMap(m, value, param, name);
        if (kind instanceof Union u) return checkUnion(u, value, param, name);
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Object checkParams(Class<?> type, Object value, String param) {
        if (!(value instanceof Map)) {
            if ("".equals(value)) throw StripeError.emptyParameter(param);
            throw StripeError.invalid(param, "Invalid hash");
        }
        Map<String, Kind> fields = fields(type);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : ((Map<String, Object>) value).entrySet()) {
            String key = entry.getKey();
            String child = param.isEmpty() ? key : param + "[" + key + "]";
            Kind kind = fields.get(key);
            if (kind == null) throw StripeError.unknownParameter(child);
            out.put(key, check(kind, entry.getValue(), child, key));
        }
        return out;
    }

    private static Object checkScalar(ScalarType type, Object value, String param) {
        if (value instanceof Map) {
            throw type == ScalarType.INTEGER ? StripeError.invalidInteger(param, "a hash")
                    : StripeError.invalid(param, "Invalid " + type.name().toLowerCase() + ": a hash was given");
        }
        String s = (String) value;
        if (s.isEmpty()) throw StripeError.emptyParameter(param);
        return switch (type) {
            case STRING -> s;
            case INTEGER -> {
                if (!INTEGER.matcher(s).matches()) throw StripeError.invalidInteger(param, s);
                try {
                    yield Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
                } catch (NumberFormatException e) {
                    throw StripeError.invalidInteger(param, s);
                }
            }
            case DECIMAL -> {
                if (!DECIMAL.matcher(s).matches()) throw StripeError.invalid(param, "Invalid decimal: " + s);
                yield new BigDecimal(s);
            }
            case BOOLEAN -> switch (s) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw StripeError.invalid(param, "Invalid boolean: " + s);
            };
        };
    }

    private static Object checkEnum(Enumerated kind, Object value, String param) {
        if (!(value instanceof String s)) throw StripeError.invalid(param, "Invalid " + param + ": must be one of " + oneOf(kind.values()));
        if (s.isEmpty() && !kind.values().contains("")) throw StripeError.emptyParameter(param);
        if (!kind.values().contains(s)) throw StripeError.invalid(param, "Invalid " + param + ": must be one of " + oneOf(kind.values()));
        return s;
    }

    private static Object checkList(ListOf kind, Object value, String param, String name) {
        if (!(value instanceof Map<?, ?> map)) {
            if ("".equals(value)) throw StripeError.emptyParameter(param);
            throw StripeError.invalid(param, "Invalid array");
        }
        TreeMap<Integer, Object> ordered = new TreeMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String index = (String) entry.getKey();
            if (!index.matches("\\d{1,6}")) throw StripeError.invalid(param, "Invalid array");
            ordered.put(Integer.parseInt(index), entry.getValue());
        }
        List<Object> out = new ArrayList<>(ordered.size());
        ordered.forEach((i, v) -> out.add(check(kind.item(), v, param + "[" + i + "]", name)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object checkMap(MapOf kind, Object value, String param, String name) {
        if (!(value instanceof Map)) {
            if ("".equals(value)) throw StripeError.emptyParameter(param);
            throw StripeError.invalid(param, "Invalid hash");
        }
        Map<String, Object> map = (Map<String, Object>) value;
        boolean metadata = name.equals("metadata");
        if (metadata && map.size() > METADATA_MAX_KEYS) {
            throw StripeError.invalid(param, "Invalid " + param + ": metadata can have at most " + METADATA_MAX_KEYS
                    + " keys (https://docs.stripe.com/metadata)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : map.entrySet()) {
            String child = param + "[" + entry.getKey() + "]";
            if (metadata && entry.getKey().length() > METADATA_MAX_KEY_LENGTH) {
                throw StripeError.invalid(child, "Invalid " + param + ": keys can be at most " + METADATA_MAX_KEY_LENGTH
                        + " characters long, but '" + entry.getKey() + "' has " + entry.getKey().length());
            }
            // metadata[key]= (empty) removes that key: an empty string passes where strings are expected
            boolean unset = "".equals(entry.getValue()) && kind.value() instanceof Scalar s && s.type() == ScalarType.STRING;
            Object checked = unset ? "" : check(kind.value(), entry.getValue(), child, entry.getKey());
            if (metadata && checked instanceof String s && s.length() > METADATA_MAX_VALUE_LENGTH) {
                throw StripeError.invalid(child, "Invalid " + child + ": metadata values can be at most "
                        + METADATA_MAX_VALUE_LENGTH + " characters long, but this one has " + s.length());
            }
            out.put(entry.getKey(), checked);
        }
        return out;
    }

    /** The first alternative that accepts the value; else the complaint of the first one of the value's form (scalar or hash). */
    private static Object checkUnion(Union union, Object value, String param, String name) {
        if ("".equals(value)) {
            if (union.unsettable()) return "";
            throw StripeError.emptyParameter(param);
        }
        StripeError first = null;
        StripeError firstOfItsForm = null;
        for (Kind alternative : union.alternatives()) {
            try {
                return check(alternative, value, param, name);
            } catch (StripeError e) {
                if (first == null) first = e;
                boolean sameForm = (value instanceof Map) == (order(alternative) == 2);
                if (sameForm && firstOfItsForm == null) firstOfItsForm = e;
            }
        }
        if (firstOfItsForm != null) throw firstOfItsForm;
        throw first != null ? first : StripeError.invalid(param, "Invalid " + param);
    }

    /** "a, b, or c" as Stripe lists allowed values. */
    static String oneOf(List<String> values) {
        List<String> names = values.stream().map(v -> v.isEmpty() ? "\"\"" : v).toList();
        if (names.size() == 1) return names.get(0);
        if (names.size() == 2) return names.get(0) + " or " + names.get(1);
        return String.join(", ", names.subList(0, names.size() - 1)) + ", or " + names.get(names.size() - 1);
    }
}
