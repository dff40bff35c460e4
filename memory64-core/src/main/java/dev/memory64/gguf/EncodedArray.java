package dev.memory64.gguf;

import java.lang.foreign.MemorySegment;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.IntFunction;

/**
 * The elements of a {@link GgufValue.ArrayValue} in their GGUF encoding, and their decoding on
 * access: numbers as their little-endian bytes, strings as length and UTF-8, nested arrays as
 * element type, count and elements. An array read from a file points into its header; one built in
 * code holds its own encoding.
 */
final class EncodedArray {

    private final GgufValueType elementType;
    private final int size;

    /** The encoded elements are bytes {@code [base, end)} of {@code source}. */
    private final HeaderBytes source;

    private final int base;
    private final int end;

    /**
     * Strings and arrays only: where each element starts (its length or its element type), built on
     * first access; written once (a benign race over a fully built array).
     */
    private volatile int[] starts;

    /** {@code size} encoded elements in {@code [base, end)} of {@code source}, already checked. */
    EncodedArray(GgufValueType elementType, int size, HeaderBytes source, int base, int end) {
        this.elementType = elementType;
        this.size = size;
        this.source = source;
        this.base = base;
        this.end = end;
    }

    /** Encodes elements built in code, checking their type and nesting. */
    static EncodedArray of(GgufValueType elementType, List<? extends GgufValue> elements) {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(elements, "elements");
        int n = elements.size();
        GgufEncoder out = new GgufEncoder();
        for (int i = 0; i < n; i++) {
            GgufValue element = Objects.requireNonNull(elements.get(i), "element");
            if (element.type() != elementType) {
                throw new IllegalArgumentException(
                        "array of "
                                + elementType.typeName()
                                + ": element "
                                + i
                                + "="
                                + element
                                + " is of type "
                                + element.type().typeName());
            }
            if (element instanceof GgufValue.ArrayValue child
                    && child.depth() + 1 > GgufValue.MAX_ARRAY_DEPTH) {
                throw new IllegalArgumentException(
                        "array of arrays nests "
                                + (child.depth() + 1)
                                + " levels deep, more than the "
                                + GgufValue.MAX_ARRAY_DEPTH
                                + " allowed");
            }
            out.value(element);
        }
        byte[] bytes = out.toArray();
        return new EncodedArray(elementType, n, new HeaderBytes(bytes), 0, bytes.length);
    }

    GgufValueType elementType() {
        return elementType;
    }

    int size() {
        return size;
    }

    /** Decodes element {@code index}. */
    GgufValue get(int index) {
        Objects.checkIndex(index, size);
        HeaderBytes data = source;
        return switch (elementType) {
            case UINT8 -> new GgufValue.IntValue(elementType, data.u8(base + index) & 0xFF);
            case INT8 -> new GgufValue.IntValue(elementType, data.u8(base + index));
            case BOOL -> new GgufValue.BoolValue(data.u8(base + index) != 0);
            case UINT16 -> new GgufValue.IntValue(elementType, data.le16(base + 2 * index));
            case INT16 -> new GgufValue.IntValue(elementType, (short) data.le16(base + 2 * index));
            case UINT32 ->
                    new GgufValue.IntValue(elementType, data.le32(base + 4 * index) & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue.IntValue(elementType, data.le32(base + 4 * index));
            case UINT64, INT64 -> new GgufValue.IntValue(elementType, data.le64(base + 8 * index));
            case FLOAT32 ->
                    new GgufValue.FloatValue(
                            elementType, Float.intBitsToFloat(data.le32(base + 4 * index)));
            case FLOAT64 ->
                    new GgufValue.FloatValue(
                            elementType, Double.longBitsToDouble(data.le64(base + 8 * index)));
            case STRING -> {
                int at = starts()[index];
                yield GgufValue.StringValue.ofUtf8(source, at + 8, stringLength(at));
            }
            case ARRAY -> new GgufValue.ArrayValue(child(index));
        };
    }

    private String string(int index) {
        int at = starts()[index];
        return source.utf8(at + 8, stringLength(at));
    }

    /** The length of the string element at {@code at}, within the array. */
    private int stringLength(int at) {
        long length = source.le64(at);
        if (length < 0 || length > end - at - 8) {
            throw changed(at);
        }
        return (int) length;
    }

    private EncodedArray child(int index) {
        int[] at = starts();
        int start = at[index];
        GgufValueType type = GgufValueType.fromId(source.le32(start)).orElseThrow();
        int count = (int) source.le64(start + 4);
        int childEnd = index + 1 < size ? at[index + 1] : end;
        return new EncodedArray(type, count, source, start + 12, childEnd);
    }

    /** Where each string or nested array starts, indexed on first use. */
    private int[] starts() {
        int[] at = starts;
        if (at == null) {
            at = new int[size];
            HeaderBytes data = source;
            int position = base;
            for (int i = 0; i < size; i++) {
                at[i] = position;
                position = skip(data, elementType, position, end);
            }
            starts = at;
        }
        return at;
    }

    /**
     * The end of the element of {@code type} that starts at {@code position}, which the parse
     * checked to end by {@code end}. A header mapped from a file that was rewritten since fails
     * here instead of reading past the array or looping on a bad count.
     */
    private static int skip(HeaderBytes data, GgufValueType type, int position, int end) {
        long next =
                switch (type) {
                    case STRING -> position + 8L + data.le64(position);
                    case ARRAY -> {
                        GgufValueType inner =
                                GgufValueType.fromId(data.le32(position)).orElse(null);
                        long count = data.le64(position + 4);
                        int at = position + 12;
                        if (inner == null
                                || count < 0
                                || count > (end - at) / inner.minEncodedSize()) {
                            throw changed(position);
                        }
                        if (inner == GgufValueType.STRING || inner == GgufValueType.ARRAY) {
                            for (long i = 0; i < count; i++) {
                                at = skip(data, inner, at, end);
                            }
                        } else {
                            at += (int) (count * inner.fixedSize());
                        }
                        yield at;
                    }
                    default -> position + (long) type.fixedSize();
                };
        if (next < position || next > end) {
            throw changed(position);
        }
        return (int) next;
    }

    private static IllegalStateException changed(int offset) {
        return new IllegalStateException(
                "GGUF array element at header offset "
                        + offset
                        + " is not what the file held when it was read: a model file must not"
                        + " be rewritten in place while it is open");
    }

    /** The elements as an unmodifiable list, each decoded on access. */
    List<GgufValue> elements() {
        return new ElementList<>(this::get, size);
    }

    /** The strings of a string array as an unmodifiable list, each decoded on access. */
    List<String> strings() {
        if (elementType != GgufValueType.STRING) {
            throw new IllegalStateException(
                    "GGUF array of " + elementType.typeName() + " is not an array of string");
        }
        return new ElementList<>(this::string, size);
    }

    /** The encoded elements, a read-only slice of their bytes (no type, no count). */
    MemorySegment encoding() {
        return source.segment(base, end - base);
    }

    /** How deeply arrays nest in this one: 1 for an array of non-arrays. */
    int depth() {
        if (elementType != GgufValueType.ARRAY) {
            return 1;
        }
        int deepest = 0;
        for (int i = 0; i < size; i++) {
            deepest = Math.max(deepest, child(i).depth());
        }
        return deepest + 1;
    }

    /** Encodes the elements (not the type and count) the GGUF way. */
    void writeElements(GgufEncoder out) {
        source.copyTo(base, end - base, out);
    }

    /** Whether {@code that} holds elements of the same type, count and encoding. */
    boolean sameElements(EncodedArray that) {
        return elementType == that.elementType
                && size == that.size
                && source.sameBytes(base, end, that.source, that.base, that.end);
    }

    /** A hash of the element type, the count and the encoding. */
    int hash() {
        int hash = 31 * elementType.hashCode() + size;
        for (int i = base; i < end; i++) {
            hash = 31 * hash + source.u8(i);
        }
        return hash;
    }

    /** The element type, the size and the first few elements: {@code array<string>[3] [...]}. */
    @Override
    public String toString() {
        StringBuilder text =
                new StringBuilder("array<")
                        .append(elementType.typeName())
                        .append(">[")
                        .append(size)
                        .append("] [");
        int shown = Math.min(size, 8);
        for (int i = 0; i < shown; i++) {
            text.append(i == 0 ? "" : ", ").append(get(i));
        }
        return text.append(shown < size ? ", ...]" : "]").toString();
    }

    /** An unmodifiable random-access list over an index function. */
    private static final class ElementList<T> extends AbstractList<T> implements RandomAccess {
        private final IntFunction<T> element;
        private final int size;

        ElementList(IntFunction<T> element, int size) {
            this.element = element;
            this.size = size;
        }

        @Override
        public T get(int index) {
            Objects.checkIndex(index, size);
            return element.apply(index);
        }

        @Override
        public int size() {
            return size;
        }
    }
}
