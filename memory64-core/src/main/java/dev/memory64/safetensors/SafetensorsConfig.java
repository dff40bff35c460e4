package dev.memory64.safetensors;

import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.internal.Utf8;
import dev.memory64.safetensors.JsonTokens.Token;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint's {@code config.json} as store metadata: every scalar under the key {@code config.}
 * followed by its path (objects' keys joined by {@code '.'}: {@code config.rope_scaling.factor}),
 * JSON integers as i64, other numbers as f64, booleans as bool, strings as string; an array of
 * scalars of one kind as an array of that type (integers mixed with other numbers as f64). Skipped:
 * {@code null}s, empty arrays, arrays holding objects, arrays, nulls or mixed kinds, and keys or
 * strings with an unpaired surrogate (no UTF-8 form); integers past the i64 range are kept as f64.
 */
final class SafetensorsConfig {

    /** The prefix of every key read from config.json. */
    static final String PREFIX = "config.";

    /** A config larger than this is refused: real ones are a few kilobytes. */
    static final int MAX_SIZE = 16 << 20;

    private SafetensorsConfig() {}

    static ModelMetadata parse(String name, byte[] bytes) throws SafetensorsFormatException {
        return Json.read(name, bytes, 0, bytes.length, 0, new Reader(name));
    }

    /** The config's grammar: an object, its scalars kept. */
    private static final class Reader implements Json.Grammar<ModelMetadata> {
        private final String name;

        Reader(String name) {
            this.name = name;
        }

        @Override
        public ModelMetadata read(JsonTokens json) throws SafetensorsFormatException {
            if (json.nextToken() != Token.START_OBJECT) {
                throw new SafetensorsFormatException(
                        name, null, "config", "config.json is not a JSON object");
            }
            ModelMetadata.Builder out = ModelMetadata.builder();
            object(json, PREFIX, out);
            return out.build();
        }
    }

    /** The members of an object whose START_OBJECT was read. */
    private static void object(JsonTokens json, String prefix, ModelMetadata.Builder out) {
        for (Token t = json.nextToken(); t != Token.END_OBJECT; t = json.nextToken()) {
            String key = prefix + json.currentName();
            Token value = json.nextToken();
            if (Utf8.unpairedSurrogate(key) >= 0) {
                json.skipChildren();
                continue;
            }
            switch (value) {
                case START_OBJECT -> object(json, key + ".", out);
                case START_ARRAY -> array(json, key, out);
                default -> {
                    MetadataValue scalar = scalar(json, value);
                    if (scalar != null) {
                        out.put(key, scalar);
                    }
                }
            }
        }
    }

    private static MetadataValue scalar(JsonTokens json, Token token) {
        return switch (token) {
            case VALUE_STRING ->
                    Utf8.unpairedSurrogate(json.getString()) < 0
                            ? MetadataValue.ofString(json.getString())
                            : null;
            case VALUE_TRUE, VALUE_FALSE -> MetadataValue.ofBool(token == Token.VALUE_TRUE);
            case VALUE_NUMBER_INT ->
                    json.isLong()
                            ? fixed(MetadataValue.INT64, json.getLongValue())
                            : fixed(
                                    MetadataValue.FLOAT64,
                                    Double.doubleToRawLongBits(json.getDoubleValue()));
            case VALUE_NUMBER_FLOAT ->
                    fixed(MetadataValue.FLOAT64, Double.doubleToRawLongBits(json.getDoubleValue()));
            default -> null;
        };
    }

    private static MetadataValue fixed(int type, long bits) {
        byte[] bytes = new byte[8];
        putLong(bytes, 0, bits);
        return MetadataValue.of(type, type, 1, MemorySegment.ofArray(bytes));
    }

    /**
     * Puts a little-endian long by hand: a memory layout's first use costs a cold JVM milliseconds
     * (the JDK generates its access classes then) that nothing else of an open needs.
     */
    private static void putLong(byte[] bytes, int at, long bits) {
        for (int i = 0; i < 8; i++) {
            bytes[at + i] = (byte) (bits >>> (8 * i));
        }
    }

    /** An array whose START_ARRAY was read: kept if its elements are scalars of one kind. */
    private static void array(JsonTokens json, String key, ModelMetadata.Builder out) {
        List<String> strings = new ArrayList<>();
        List<Long> longs = new ArrayList<>();
        List<Double> doubles = new ArrayList<>();
        int bools = 0;
        boolean anyFloat = false;
        boolean keep = true;
        List<Boolean> boolValues = new ArrayList<>();
        int count = 0;
        for (Token t = json.nextToken(); t != Token.END_ARRAY; t = json.nextToken()) {
            count++;
            switch (t) {
                case VALUE_STRING -> {
                    strings.add(json.getString());
                    keep &= Utf8.unpairedSurrogate(json.getString()) < 0;
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    bools++;
                    boolValues.add(t == Token.VALUE_TRUE);
                }
                case VALUE_NUMBER_INT -> {
                    if (json.isLong()) {
                        longs.add(json.getLongValue());
                    } else {
                        anyFloat = true;
                    }
                    doubles.add(json.getDoubleValue());
                }
                case VALUE_NUMBER_FLOAT -> {
                    anyFloat = true;
                    doubles.add(json.getDoubleValue());
                }
                default -> {
                    keep = false;
                    json.skipChildren();
                }
            }
        }
        if (!keep || count == 0) {
            return;
        }
        if (strings.size() == count) {
            out.put(key, MetadataValue.ofStrings(strings));
        } else if (bools == count) {
            byte[] bytes = new byte[count];
            for (int i = 0; i < count; i++) {
                bytes[i] = (byte) (boolValues.get(i) ? 1 : 0);
            }
            out.put(
                    key,
                    MetadataValue.of(
                            MetadataValue.ARRAY,
                            MetadataValue.BOOL,
                            count,
                            MemorySegment.ofArray(bytes)));
        } else if (doubles.size() == count) {
            byte[] bytes = new byte[8 * count];
            for (int i = 0; i < count; i++) {
                putLong(
                        bytes,
                        8 * i,
                        anyFloat ? Double.doubleToRawLongBits(doubles.get(i)) : longs.get(i));
            }
            out.put(
                    key,
                    MetadataValue.of(
                            MetadataValue.ARRAY,
                            anyFloat ? MetadataValue.FLOAT64 : MetadataValue.INT64,
                            count,
                            MemorySegment.ofArray(bytes)));
        }
    }
}
