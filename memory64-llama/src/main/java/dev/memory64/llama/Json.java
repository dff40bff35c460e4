package dev.memory64.llama;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * A strict JSON reader (RFC 8259) for the few configuration files a converter reads, on Jackson's
 * streaming parser (the core's JSON library, no object mapper): an object is a {@code Map<String,
 * Object>} in document order, an array a {@code List<Object>}, a string a {@code String}, a number
 * a {@code Long} when it is an integer that fits, else a {@code BigDecimal}, {@code true}/{@code
 * false} a {@code Boolean}, {@code null} {@link #NULL}. Anything else fails with where: a duplicate
 * key, a leading zero, a raw control character or a lone surrogate (escaped or not) in a string or
 * key, trailing text, nesting deeper than 512.
 */
final class Json {
    /** JSON's {@code null}, so that a map's {@code get} returning {@code null} means absent. */
    static final Object NULL = new Object();

    private static final int MAX_DEPTH = 512;

    /**
     * Strict as Jackson is by default, duplicate keys refused, its default limits on a string's and
     * a name's length (far above a tokenizer's tokens and chat template), and a vocabulary's keys
     * not interned into the JVM's string table.
     */
    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(TokenStreamFactory.Feature.INTERN_PROPERTY_NAMES)
                    .streamReadConstraints(
                            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build();

    private Json() {}

    /**
     * Parses a whole document.
     *
     * @param text the document
     * @return its value
     * @throws IllegalArgumentException if it is not one valid JSON value
     */
    static Object parse(String text) {
        try (JsonParser json = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = json.nextToken();
            if (first == null) {
                throw error(json, "end of text where a value was expected");
            }
            Object value = value(json, first);
            if (json.nextToken() != null) {
                throw error(json, "text after the value");
            }
            return value;
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "JSON: " + e.getOriginalMessage() + where(e.getLocation()), e);
        }
    }

    private static Object value(JsonParser json, JsonToken token) {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String key = json.nextName(); key != null; key = json.nextName()) {
                    map.put(checked(json, key), value(json, json.nextToken()));
                }
                yield Collections.unmodifiableMap(map);
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = json.nextToken();
                        t != JsonToken.END_ARRAY;
                        t = json.nextToken()) {
                    list.add(value(json, t));
                }
                yield Collections.unmodifiableList(list);
            }
            case VALUE_STRING -> checked(json, json.getString());
            case VALUE_NUMBER_INT ->
                    json.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            ? new BigDecimal(json.getString())
                            : (Object) json.getLongValue();
            case VALUE_NUMBER_FLOAT -> new BigDecimal(json.getString());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> throw error(json, "unexpected " + token);
        };
    }

    /** A string or key without a lone surrogate: it has a UTF-8 form. */
    private static String checked(JsonParser json, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(++i)))) {
                throw error(json, "a lone surrogate in a string");
            }
        }
        return s;
    }

    private static IllegalArgumentException error(JsonParser json, String what) {
        return new IllegalArgumentException("JSON: " + what + where(json.currentTokenLocation()));
    }

    private static String where(TokenStreamLocation at) {
        return at == null || at.getCharOffset() < 0 ? "" : " at offset " + at.getCharOffset();
    }
}
