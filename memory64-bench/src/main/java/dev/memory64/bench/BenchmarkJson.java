package dev.memory64.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * JMH's result files read as values, through the core's JSON parser (Jackson's streaming one):
 * objects become {@code Map<String, Object>} (in file order), arrays {@code List<Object>}, numbers
 * {@code Double}, and strings, booleans and null themselves. JMH writes NaN as the string {@code
 * "NaN"}; {@link #number} reads it back.
 */
final class BenchmarkJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private BenchmarkJson() {}

    /**
     * Parses one JSON value that makes up the whole text.
     *
     * @throws IllegalArgumentException if the text is not JSON, naming the offset
     */
    static Object parse(String text) {
        try (JsonParser json = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            Object value = value(json, json.nextToken());
            if (json.nextToken() != null) {
                throw error(json.currentLocation().getCharOffset(), "text after the JSON value");
            }
            return value;
        } catch (JacksonException e) {
            throw error(e.getLocation().getCharOffset(), e.getOriginalMessage());
        }
    }

    /** A number, or a number written as a string ({@code "NaN"}, {@code "Infinity"}). */
    static double number(Object value) {
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof String s) {
            return Double.parseDouble(s);
        }
        throw new IllegalArgumentException("not a JSON number: " + value);
    }

    private static Object value(JsonParser json, JsonToken token) {
        if (token == null) {
            throw error(json.currentLocation().getCharOffset(), "a value expected at the end");
        }
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = json.nextToken();
                        t != JsonToken.END_OBJECT;
                        t = json.nextToken()) {
                    String key = json.currentName();
                    map.put(key, value(json, json.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = json.nextToken();
                        t != JsonToken.END_ARRAY;
                        t = json.nextToken()) {
                    list.add(value(json, t));
                }
                yield list;
            }
            case VALUE_STRING -> json.getString();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> json.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw error(json.currentLocation().getCharOffset(), "unexpected " + token);
        };
    }

    private static IllegalArgumentException error(long offset, String what) {
        return new IllegalArgumentException("JSON at offset " + offset + ": " + what);
    }
}
