package dev.memory64.safetensors;

import dev.memory64.internal.Utf8;
import dev.memory64.model.ModelText;
import dev.memory64.safetensors.JsonTokens.Token;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grammar of a safetensors header and its rules: one JSON object whose keys are tensor names,
 * each an object of {@code dtype}, {@code shape} and {@code data_offsets} (other fields skipped, as
 * the reference implementation skips them), and the optional {@code __metadata__}, an object of
 * strings. Then the tensors, in offset order, must cover the data exactly: no gap, no overlap, the
 * last ending at the file's end, each of the size its dtype and shape give.
 */
final class SafetensorsParser implements Json.Grammar<Void> {

    static final String METADATA = "__metadata__";

    /**
     * The most {@code __metadata__} entries read: real headers hold a handful, and each entry costs
     * the store far more heap than its few header bytes.
     */
    static final int MAX_METADATA_ENTRIES = 16_384;

    private static final Comparator<SafetensorsTensor> BY_OFFSETS =
            new Comparator<>() {
                @Override
                public int compare(SafetensorsTensor a, SafetensorsTensor b) {
                    int c = Long.compare(a.begin(), b.begin());
                    return c != 0 ? c : Long.compare(a.end(), b.end());
                }
            };

    private final String file;
    private JsonTokens json;

    /** What a run of the grammar read: the tensors in header order, the metadata. */
    private List<SafetensorsTensor> tensors;

    private Map<String, String> metadata;

    private SafetensorsParser(String file) {
        this.file = file;
    }

    /**
     * Parses and checks a header, {@code bytes[offset, offset + length)}; {@code fileSize} is the
     * whole file's.
     */
    static SafetensorsFile parse(String file, byte[] bytes, int offset, int length, long fileSize)
            throws SafetensorsFormatException {
        SafetensorsParser p = new SafetensorsParser(file);
        Json.read(file, bytes, offset, length, 8, p);
        List<SafetensorsTensor> tensors = p.tensors;
        checkCoverage(file, tensors, fileSize - 8 - length);
        return new SafetensorsFile(
                file, fileSize, length, Collections.unmodifiableList(tensors), p.metadata);
    }

    @Override
    public Void read(JsonTokens tokens) throws SafetensorsFormatException {
        json = tokens;
        tensors = new ArrayList<>();
        metadata = Map.of();
        if (json.nextToken() != Token.START_OBJECT) {
            throw refuse(null, "header", "the header is not a JSON object");
        }
        Set<String> names = new HashSet<>();
        for (Token t = json.nextToken(); t != Token.END_OBJECT; t = json.nextToken()) {
            String name = json.currentName();
            if (Utf8.unpairedSurrogate(name) >= 0) {
                throw refuse(name, "unicode", "has an unpaired surrogate, which UTF-8 cannot hold");
            }
            if (!names.add(name)) {
                throw refuse(name, "duplicate_key", "the header has this key twice");
            }
            if (name.equals(METADATA)) {
                metadata = metadata();
            } else {
                tensors.add(tensor(name));
            }
        }
        if (json.nextToken() != null) {
            throw refuse(null, "header", "the header has content after its JSON object");
        }
        return null;
    }

    /** {@code __metadata__}: null, or an object of strings, each key once. */
    private Map<String, String> metadata() throws SafetensorsFormatException {
        Token t = json.nextToken();
        if (t == Token.VALUE_NULL) {
            return Map.of();
        }
        if (t != Token.START_OBJECT) {
            throw refuse(null, "metadata", METADATA + " is not an object of strings");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (t = json.nextToken(); t != Token.END_OBJECT; t = json.nextToken()) {
            String key = json.currentName();
            if (values.size() == MAX_METADATA_ENTRIES) {
                throw refuse(
                        null,
                        "metadata_count",
                        METADATA + " has more than " + MAX_METADATA_ENTRIES + " entries");
            }
            if (json.nextToken() != Token.VALUE_STRING) {
                throw refuse(
                        null,
                        "metadata",
                        METADATA + "[" + ModelText.quote(key) + "] is not a string");
            }
            String value = json.getString();
            if (Utf8.unpairedSurrogate(key) >= 0 || Utf8.unpairedSurrogate(value) >= 0) {
                throw refuse(
                        null,
                        "unicode",
                        METADATA
                                + "["
                                + ModelText.quote(key)
                                + "] has an unpaired surrogate, which UTF-8 cannot hold");
            }
            if (values.putIfAbsent(key, value) != null) {
                throw refuse(
                        null,
                        "duplicate_key",
                        METADATA + " has the key " + ModelText.quote(key) + " twice");
            }
        }
        return Collections.unmodifiableMap(values);
    }

    /** One tensor's object: dtype, shape, data_offsets, each once; the sizes checked. */
    private SafetensorsTensor tensor(String name) throws SafetensorsFormatException {
        if (json.nextToken() != Token.START_OBJECT) {
            throw refuse(name, "tensor", "is not an object of dtype, shape and data_offsets");
        }
        SafetensorsDtype dtype = null;
        List<Long> shape = null;
        long[] offsets = null;
        for (Token t = json.nextToken(); t != Token.END_OBJECT; t = json.nextToken()) {
            String field = json.currentName();
            switch (field) {
                case "dtype" -> {
                    if (dtype != null) {
                        throw refuse(name, "duplicate_key", "has dtype twice");
                    }
                    dtype = dtype(name);
                }
                case "shape" -> {
                    if (shape != null) {
                        throw refuse(name, "duplicate_key", "has shape twice");
                    }
                    shape = numbers(name, "shape", -1);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw refuse(name, "duplicate_key", "has data_offsets twice");
                    }
                    List<Long> pair = numbers(name, "data_offsets", 2);
                    offsets = new long[] {pair.get(0), pair.get(1)};
                }
                default -> {
                    json.nextToken();
                    json.skipChildren();
                }
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw refuse(
                    name,
                    "tensor",
                    "lacks "
                            + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        long elements = 1;
        for (long d : shape) {
            if (d != 0 && elements > Long.MAX_VALUE / d) {
                throw refuse(
                        name,
                        "shape_overflow",
                        "shape " + shape + " has more elements than a 64-bit count holds");
            }
            elements *= d;
        }
        long bytes;
        try {
            bytes = dtype.byteSize(elements);
        } catch (ArithmeticException e) {
            throw refuse(
                    name,
                    "shape_overflow",
                    dtype + " " + shape + " takes more bytes than a 64-bit size holds");
        }
        if (bytes < 0) {
            throw refuse(
                    name,
                    "misaligned",
                    dtype
                            + " "
                            + shape
                            + " takes "
                            + elements * dtype.bits()
                            + " bits, not a whole number of bytes");
        }
        if (offsets[1] < offsets[0]) {
            throw refuse(
                    name,
                    "data_offsets",
                    "[" + offsets[0] + ", " + offsets[1] + "] ends before it begins");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw refuse(
                    name,
                    "data_offsets",
                    "["
                            + offsets[0]
                            + ", "
                            + offsets[1]
                            + "] hold "
                            + (offsets[1] - offsets[0])
                            + " bytes, but "
                            + dtype
                            + " "
                            + shape
                            + " takes "
                            + bytes);
        }
        return new SafetensorsTensor(name, dtype, shape, offsets[0], offsets[1]);
    }

    private SafetensorsDtype dtype(String name) throws SafetensorsFormatException {
        if (json.nextToken() != Token.VALUE_STRING) {
            throw refuse(name, "dtype", "has a dtype that is not a string");
        }
        String text = json.getString();
        SafetensorsDtype dtype = SafetensorsDtype.byName(text);
        if (dtype == null) {
            throw refuse(
                    name,
                    "dtype",
                    "has the dtype "
                            + ModelText.quote(text)
                            + ", which the safetensors format does not define");
        }
        return dtype;
    }

    /** An array of non-negative integers, of {@code count} elements if not -1. */
    private List<Long> numbers(String name, String field, int count)
            throws SafetensorsFormatException {
        if (json.nextToken() != Token.START_ARRAY) {
            throw refuse(name, field, "has a " + field + " that is not an array of integers");
        }
        List<Long> values = new ArrayList<>();
        for (Token t = json.nextToken(); t != Token.END_ARRAY; t = json.nextToken()) {
            if (t != Token.VALUE_NUMBER_INT || !json.isLong() || json.getLongValue() < 0) {
                throw refuse(
                        name,
                        field,
                        "has a "
                                + field
                                + " element "
                                + ModelText.quote(json.getString())
                                + " that is not an integer in [0, 2^63)");
            }
            values.add(json.getLongValue());
        }
        if (count >= 0 && values.size() != count) {
            throw refuse(name, field, "has " + values.size() + " " + field + ", not " + count);
        }
        return values;
    }

    /** A tensor's data offsets as the header writes them: {@code [begin, end]}. */
    private static String offsets(SafetensorsTensor t) {
        return "[" + t.begin() + ", " + t.end() + "]";
    }

    /** The tensors in offset order cover {@code [0, dataSize)} exactly; sorts them so. */
    private static void checkCoverage(String file, List<SafetensorsTensor> tensors, long dataSize)
            throws SafetensorsFormatException {
        tensors.sort(BY_OFFSETS);
        long at = 0;
        SafetensorsTensor previous = null;
        for (SafetensorsTensor t : tensors) {
            if (t.begin() > at) {
                throw new SafetensorsFormatException(
                        file,
                        t.name(),
                        "gap",
                        "begins at data byte "
                                + t.begin()
                                + ", leaving bytes ["
                                + at
                                + ", "
                                + t.begin()
                                + ") of the data in no tensor");
            }
            if (t.begin() < at) {
                throw new SafetensorsFormatException(
                        file,
                        t.name(),
                        "overlap",
                        "data_offsets "
                                + offsets(t)
                                + " overlap tensor "
                                + ModelText.quote(previous.name())
                                + "'s "
                                + offsets(previous));
            }
            if (t.end() > dataSize) {
                throw new SafetensorsFormatException(
                        file,
                        t.name(),
                        "past_end",
                        "data_offsets "
                                + offsets(t)
                                + " run past the file's "
                                + dataSize
                                + " bytes of data");
            }
            at = t.end();
            previous = t;
        }
        if (at != dataSize) {
            throw new SafetensorsFormatException(
                    file,
                    null,
                    "gap",
                    "the tensors end at data byte "
                            + at
                            + ", but the file holds "
                            + dataSize
                            + " bytes of data: bytes ["
                            + at
                            + ", "
                            + dataSize
                            + ") are in no tensor");
        }
    }

    private SafetensorsFormatException refuse(String tensor, String rule, String problem) {
        return new SafetensorsFormatException(file, tensor, rule, problem);
    }
}
