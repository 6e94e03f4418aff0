package io.pgrouter.health.patroni;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The small JSON documents Patroni and etcd answer with, read into plain maps, lists, strings,
 * numbers and booleans with Jackson's streaming parser, plus typed accessors that tolerate the
 * loose typing of both (etcd's gateway writes 64-bit integers as strings).
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** Parses one JSON value. */
    static Object parse(String text) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IOException("empty JSON document");
            }
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing data after the JSON document");
            }
            return value;
        }
    }

    private static Object read(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + p.currentToken());
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String what) throws IOException {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IOException(what + ": expected a JSON object, found " + describe(value));
    }

    static List<?> array(Object value, String what) throws IOException {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new IOException(what + ": expected a JSON array, found " + describe(value));
    }

    static Optional<String> string(Map<String, Object> object, String key) {
        Object v = object.get(key);
        return v == null ? Optional.empty() : Optional.of(v.toString());
    }

    /** An integer written as a number or, as etcd does, as a string; empty when absent or not one. */
    static OptionalLong integer(Map<String, Object> object, String key) {
        Object v = object.get(key);
        if (v instanceof Long l) {
            return OptionalLong.of(l);
        }
        if (v instanceof String s) {
            try {
                return OptionalLong.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    /** A flag written as a boolean, a number or a word (Patroni's tags accept all three). */
    static boolean flag(Map<String, Object> object, String key) {
        Object v = object.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "on", "yes", "1" -> true;
                default -> false;
            };
        }
        return false;
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
