package dev.memory64.gguf;

import dev.memory64.internal.Utf8;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.IntFunction;

/**
 * A GGUF metadata value with its GGUF type.
 *
 * <p>The eight integer types are {@link IntValue}s, {@code float32} and {@code float64} are {@link
 * FloatValue}s, then {@link BoolValue}, {@link StringValue} and {@link ArrayValue}. Integer values
 * are held in a {@code long}: unsigned types are zero-extended, so that a {@code uint32} is always
 * non-negative, and a {@code uint64} keeps its 64 bits, so that a {@code uint64} of 2<sup>63</sup>
 * or more is a negative {@code long} to be read with {@link Long#toUnsignedString(long)} and {@link
 * Long#compareUnsigned(long, long)}.
 *
 * <p>Values are immutable. Strings and arrays read from a file stay in the file's header as GGUF
 * encodes them (numbers as their little-endian bytes, strings as length and UTF-8) and create
 * element objects and Java strings on access, so that a vocabulary of hundreds of thousands of
 * tokens costs its size in the file and nothing more until asked for.
 */
public sealed interface GgufValue
        permits GgufValue.IntValue,
                GgufValue.FloatValue,
                GgufValue.BoolValue,
                GgufValue.StringValue,
                GgufValue.ArrayValue {

    /** The deepest nesting of arrays allowed: an array of arrays is depth 2. */
    int MAX_ARRAY_DEPTH = 8;

    /**
     * Returns the value's GGUF type.
     *
     * @return the type
     */
    GgufValueType type();

    /**
     * Returns an integer value as a {@code long} (unsigned types zero-extended; a {@code uint64} as
     * its 64 bits, to be read as unsigned).
     *
     * @return the value
     * @throws IllegalStateException if the value is not of an integer type
     */
    default long asLong() {
        if (this instanceof IntValue v) {
            return v.value();
        }
        throw mismatch("an integer");
    }

    /**
     * Returns a floating-point value.
     *
     * @return the value ({@code float32} values widened exactly)
     * @throws IllegalStateException if the value is not a {@code float32} or {@code float64}
     */
    default double asDouble() {
        if (this instanceof FloatValue v) {
            return v.value();
        }
        throw mismatch("a float");
    }

    /**
     * Returns a boolean value.
     *
     * @return the value
     * @throws IllegalStateException if the value is not a {@code bool}
     */
    default boolean asBoolean() {
        if (this instanceof BoolValue v) {
            return v.value();
        }
        throw mismatch("a bool");
    }

    /**
     * Returns a string value.
     *
     * @return the value
     * @throws IllegalStateException if the value is not a {@code string}
     */
    default String asString() {
        if (this instanceof StringValue v) {
            return v.value();
        }
        throw mismatch("a string");
    }

    /**
     * Returns an array value.
     *
     * @return the value
     * @throws IllegalStateException if the value is not an {@code array}
     */
    default ArrayValue asArray() {
        if (this instanceof ArrayValue v) {
            return v;
        }
        throw mismatch("an array");
    }

    private IllegalStateException mismatch(String expected) {
        return new IllegalStateException(
                "GGUF value " + this + " of type " + type().typeName() + " is not " + expected);
    }

    /**
     * Creates a {@code uint8}.
     *
     * @param value 0 to 255
     * @return the value
     * @throws IllegalArgumentException if {@code value} is out of range
     */
    static IntValue uint8(int value) {
        return new IntValue(GgufValueType.UINT8, value);
    }

    /**
     * Creates an {@code int8}.
     *
     * @param value -128 to 127
     * @return the value
     * @throws IllegalArgumentException if {@code value} is out of range
     */
    static IntValue int8(int value) {
        return new IntValue(GgufValueType.INT8, value);
    }

    /**
     * Creates a {@code uint16}.
     *
     * @param value 0 to 65535
     * @return the value
     * @throws IllegalArgumentException if {@code value} is out of range
     */
    static IntValue uint16(int value) {
        return new IntValue(GgufValueType.UINT16, value);
    }

    /**
     * Creates an {@code int16}.
     *
     * @param value -32768 to 32767
     * @return the value
     * @throws IllegalArgumentException if {@code value} is out of range
     */
    static IntValue int16(int value) {
        return new IntValue(GgufValueType.INT16, value);
    }

    /**
     * Creates a {@code uint32}.
     *
     * @param value 0 to 2<sup>32</sup>-1
     * @return the value
     * @throws IllegalArgumentException if {@code value} is out of range
     */
    static IntValue uint32(long value) {
        return new IntValue(GgufValueType.UINT32, value);
    }

    /**
     * Creates an {@code int32}.
     *
     * @param value any int
     * @return the value
     */
    static IntValue int32(int value) {
        return new IntValue(GgufValueType.INT32, value);
    }

    /**
     * Creates a {@code uint64}.
     *
     * @param value any 64 bits, read as unsigned ({@code -1L} is 2<sup>64</sup>-1)
     * @return the value
     */
    static IntValue uint64(long value) {
        return new IntValue(GgufValueType.UINT64, value);
    }

    /**
     * Creates an {@code int64}.
     *
     * @param value any long
     * @return the value
     */
    static IntValue int64(long value) {
        return new IntValue(GgufValueType.INT64, value);
    }

    /**
     * Creates a {@code float32}.
     *
     * @param value any float
     * @return the value
     */
    static FloatValue float32(float value) {
        return new FloatValue(GgufValueType.FLOAT32, value);
    }

    /**
     * Creates a {@code float64}.
     *
     * @param value any double
     * @return the value
     */
    static FloatValue float64(double value) {
        return new FloatValue(GgufValueType.FLOAT64, value);
    }

    /**
     * Creates a {@code bool}.
     *
     * @param value the value
     * @return the value
     */
    static BoolValue bool(boolean value) {
        return new BoolValue(value);
    }

    /**
     * Creates a {@code string}.
     *
     * @param value the text, stored as UTF-8
     * @return the value
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} holds an unpaired surrogate, which has no
     *     UTF-8 form
     */
    static StringValue string(String value) {
        return new StringValue(value);
    }

    /**
     * Creates an array of values of one type.
     *
     * @param elementType the type of every element
     * @param elements the elements (arrays may hold arrays, each with its own element type)
     * @return the array
     * @throws IllegalArgumentException if an element is not of {@code elementType}, or arrays nest
     *     deeper than {@link #MAX_ARRAY_DEPTH}
     * @throws NullPointerException if an argument or an element is null
     */
    static ArrayValue array(GgufValueType elementType, List<? extends GgufValue> elements) {
        return ArrayValue.of(elementType, elements);
    }

    /**
     * Creates an array of values of one type.
     *
     * @param elementType the type of every element
     * @param elements the elements
     * @return the array
     * @throws IllegalArgumentException if an element is not of {@code elementType}, or arrays nest
     *     deeper than {@link #MAX_ARRAY_DEPTH}
     * @throws NullPointerException if an argument or an element is null
     */
    static ArrayValue array(GgufValueType elementType, GgufValue... elements) {
        return ArrayValue.of(elementType, Arrays.asList(elements));
    }

    /**
     * Creates an array of strings, e.g. a tokenizer vocabulary.
     *
     * @param strings the strings
     * @return the array, of element type {@code string}
     * @throws NullPointerException if {@code strings} or a string is null
     * @throws IllegalArgumentException if a string holds an unpaired surrogate
     */
    static ArrayValue stringArray(List<String> strings) {
        return ArrayValue.of(GgufValueType.STRING, strings.stream().map(StringValue::new).toList());
    }

    /**
     * One of the eight integer types.
     *
     * @param type the integer type
     * @param value the value: unsigned types zero-extended, a {@code uint64} as its 64 bits
     */
    record IntValue(GgufValueType type, long value) implements GgufValue {

        /**
         * Validates the type and the range of the value.
         *
         * @throws IllegalArgumentException if {@code type} is not an integer type or {@code value}
         *     is out of its range
         * @throws NullPointerException if {@code type} is null
         */
        public IntValue {
            Objects.requireNonNull(type, "type");
            long min;
            long max;
            switch (type) {
                case UINT8 -> {
                    min = 0;
                    max = 0xFF;
                }
                case INT8 -> {
                    min = Byte.MIN_VALUE;
                    max = Byte.MAX_VALUE;
                }
                case UINT16 -> {
                    min = 0;
                    max = 0xFFFF;
                }
                case INT16 -> {
                    min = Short.MIN_VALUE;
                    max = Short.MAX_VALUE;
                }
                case UINT32 -> {
                    min = 0;
                    max = 0xFFFF_FFFFL;
                }
                case INT32 -> {
                    min = Integer.MIN_VALUE;
                    max = Integer.MAX_VALUE;
                }
                case UINT64, INT64 -> {
                    min = Long.MIN_VALUE;
                    max = Long.MAX_VALUE;
                }
                default ->
                        throw new IllegalArgumentException(
                                "IntValue of type " + type.typeName() + ": not an integer type");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        "IntValue value="
                                + value
                                + " is out of the range ["
                                + min
                                + ", "
                                + max
                                + "] of "
                                + type.typeName());
            }
        }

        @Override
        public String toString() {
            return type == GgufValueType.UINT64
                    ? Long.toUnsignedString(value)
                    : Long.toString(value);
        }
    }

    /**
     * A {@code float32} or {@code float64}.
     *
     * @param type {@code FLOAT32} or {@code FLOAT64}
     * @param value the value; for {@code FLOAT32} rounded to {@code float} precision
     */
    record FloatValue(GgufValueType type, double value) implements GgufValue {

        /**
         * Validates the type and rounds a {@code float32} to {@code float} precision.
         *
         * @throws IllegalArgumentException if {@code type} is not a float type
         * @throws NullPointerException if {@code type} is null
         */
        public FloatValue {
            Objects.requireNonNull(type, "type");
            if (!type.isFloat()) {
                throw new IllegalArgumentException(
                        "FloatValue of type " + type.typeName() + ": not a float type");
            }
            if (type == GgufValueType.FLOAT32) {
                value = (float) value;
            }
        }

        @Override
        public String toString() {
            return type == GgufValueType.FLOAT32
                    ? Float.toString((float) value)
                    : Double.toString(value);
        }
    }

    /**
     * A {@code bool}.
     *
     * @param value the value
     */
    record BoolValue(boolean value) implements GgufValue {

        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /**
     * A {@code string}. A string read from a file keeps its UTF-8 bytes in the file's header and is
     * decoded on first access, so that a large value costs nothing until asked for.
     */
    final class StringValue implements GgufValue {

        private final HeaderBytes source;
        private final int offset;
        private final int length;

        /** The decoded text; written once, on first access (a benign race: String is immutable). */
        private String value;

        /**
         * Creates a string value.
         *
         * @param value the text
         * @throws NullPointerException if {@code value} is null
         * @throws IllegalArgumentException if {@code value} holds an unpaired surrogate, which has
         *     no UTF-8 form
         */
        public StringValue(String value) {
            Objects.requireNonNull(value, "value");
            Utf8.checkEncodable(value);
            this.value = value;
            this.source = null;
            this.offset = 0;
            this.length = 0;
        }

        /** A string over valid UTF-8 already checked, decoded on first access. */
        private StringValue(HeaderBytes source, int offset, int length) {
            this.source = source;
            this.offset = offset;
            this.length = length;
        }

        static StringValue ofUtf8(HeaderBytes source, int offset, int length) {
            return new StringValue(source, offset, length);
        }

        /**
         * Returns the text.
         *
         * @return the value
         */
        public String value() {
            String text = value;
            if (text == null) {
                text = new String(source.bytes, offset, length, StandardCharsets.UTF_8);
                value = text;
            }
            return text;
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof StringValue that && value().equals(that.value());
        }

        @Override
        public int hashCode() {
            return value().hashCode();
        }

        @Override
        public String toString() {
            return '"' + value() + '"';
        }
    }

    /**
     * An {@code array}: elements of one type, possibly arrays themselves (each nested array has its
     * own element type).
     *
     * <p>The elements stay in their GGUF encoding (in the file's header for an array read from a
     * file) and are created on access by {@link #get(int)}, {@link #elements()} and {@link
     * #strings()}: a vocabulary of hundreds of thousands of tokens costs its size in the file and
     * no object per token until asked for.
     */
    final class ArrayValue implements GgufValue {

        private static final VarHandle SHORT =
                MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle INT =
                MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle LONG =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final GgufValueType elementType;
        private final int size;

        /** The encoded elements are {@code source.bytes[base, end)}. */
        private final HeaderBytes source;

        private final int base;
        private final int end;

        /**
         * Strings and arrays only: where each element starts (its length or its element type),
         * built on first access; written once (a benign race over a fully built array).
         */
        private volatile int[] starts;

        private ArrayValue(
                GgufValueType elementType, int size, HeaderBytes source, int base, int end) {
            this.elementType = elementType;
            this.size = size;
            this.source = source;
            this.base = base;
            this.end = end;
        }

        /** An array over {@code size} encoded elements in {@code [base, end)}, already checked. */
        static ArrayValue encoded(
                GgufValueType elementType, int size, HeaderBytes source, int base, int end) {
            return new ArrayValue(elementType, size, source, base, end);
        }

        static ArrayValue of(GgufValueType elementType, List<? extends GgufValue> elements) {
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
                if (element instanceof ArrayValue child && child.depth() + 1 > MAX_ARRAY_DEPTH) {
                    throw new IllegalArgumentException(
                            "array of arrays nests "
                                    + (child.depth() + 1)
                                    + " levels deep, more than the "
                                    + MAX_ARRAY_DEPTH
                                    + " allowed");
                }
                out.value(element);
            }
            byte[] bytes = out.toArray();
            return new ArrayValue(elementType, n, new HeaderBytes(bytes), 0, bytes.length);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        /**
         * Returns the type of the elements.
         *
         * @return the element type
         */
        public GgufValueType elementType() {
            return elementType;
        }

        /**
         * Returns the number of elements.
         *
         * @return the element count
         */
        public int size() {
            return size;
        }

        /**
         * Returns one element.
         *
         * @param index the element's index
         * @return the element, of type {@link #elementType()}
         * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
         */
        public GgufValue get(int index) {
            Objects.checkIndex(index, size);
            byte[] data = source.bytes;
            return switch (elementType) {
                case UINT8 -> new IntValue(elementType, data[base + index] & 0xFF);
                case INT8 -> new IntValue(elementType, data[base + index]);
                case BOOL -> new BoolValue(data[base + index] != 0);
                case UINT16 ->
                        new IntValue(
                                elementType, (short) SHORT.get(data, base + 2 * index) & 0xFFFF);
                case INT16 -> new IntValue(elementType, (short) SHORT.get(data, base + 2 * index));
                case UINT32 ->
                        new IntValue(
                                elementType, (int) INT.get(data, base + 4 * index) & 0xFFFF_FFFFL);
                case INT32 -> new IntValue(elementType, (int) INT.get(data, base + 4 * index));
                case UINT64, INT64 ->
                        new IntValue(elementType, (long) LONG.get(data, base + 8 * index));
                case FLOAT32 ->
                        new FloatValue(
                                elementType,
                                Float.intBitsToFloat((int) INT.get(data, base + 4 * index)));
                case FLOAT64 ->
                        new FloatValue(
                                elementType,
                                Double.longBitsToDouble((long) LONG.get(data, base + 8 * index)));
                case STRING -> {
                    int at = starts()[index];
                    yield StringValue.ofUtf8(source, at + 8, (int) (long) LONG.get(data, at));
                }
                case ARRAY -> child(index);
            };
        }

        private String string(int index) {
            int at = starts()[index];
            byte[] data = source.bytes;
            return new String(
                    data, at + 8, (int) (long) LONG.get(data, at), StandardCharsets.UTF_8);
        }

        private ArrayValue child(int index) {
            int[] at = starts();
            int start = at[index];
            byte[] data = source.bytes;
            GgufValueType type = GgufValueType.fromId((int) INT.get(data, start)).orElseThrow();
            int count = (int) (long) LONG.get(data, start + 4);
            int childEnd = index + 1 < size ? at[index + 1] : end;
            return new ArrayValue(type, count, source, start + 12, childEnd);
        }

        /** Where each string or nested array starts, indexed on first use. */
        private int[] starts() {
            int[] at = starts;
            if (at == null) {
                at = new int[size];
                byte[] data = source.bytes;
                int position = base;
                for (int i = 0; i < size; i++) {
                    at[i] = position;
                    position = skip(data, elementType, position);
                }
                starts = at;
            }
            return at;
        }

        /** The end of the checked element of {@code type} that starts at {@code position}. */
        private static int skip(byte[] data, GgufValueType type, int position) {
            return switch (type) {
                case STRING -> position + 8 + (int) (long) LONG.get(data, position);
                case ARRAY -> {
                    GgufValueType inner =
                            GgufValueType.fromId((int) INT.get(data, position)).orElseThrow();
                    long count = (long) LONG.get(data, position + 4);
                    int at = position + 12;
                    if (inner == GgufValueType.STRING || inner == GgufValueType.ARRAY) {
                        for (long i = 0; i < count; i++) {
                            at = skip(data, inner, at);
                        }
                    } else {
                        at += (int) (count * inner.fixedSize());
                    }
                    yield at;
                }
                default -> position + type.fixedSize();
            };
        }

        /**
         * Returns the elements as an unmodifiable list, each created on access.
         *
         * @return a list view of the elements
         */
        public List<GgufValue> elements() {
            return new ElementList<>(this::get, size);
        }

        /**
         * Returns the elements of a string array as an unmodifiable list of strings.
         *
         * @return a list view of the strings, each created on access
         * @throws IllegalStateException if the element type is not {@code string}
         */
        public List<String> strings() {
            if (elementType != GgufValueType.STRING) {
                throw new IllegalStateException(
                        "GGUF array of " + elementType.typeName() + " is not an array of string");
            }
            return new ElementList<>(this::string, size);
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
            out.bytes(source.bytes, base, end - base);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ArrayValue that
                    && elementType == that.elementType
                    && size == that.size
                    && Arrays.equals(
                            source.bytes, base, end, that.source.bytes, that.base, that.end);
        }

        @Override
        public int hashCode() {
            int hash = 31 * elementType.hashCode() + size;
            byte[] data = source.bytes;
            for (int i = base; i < end; i++) {
                hash = 31 * hash + data[i];
            }
            return hash;
        }

        /**
         * Returns the element type, the size and the first few elements, e.g. {@code
         * array<string>[3] ["a", "b", "c"]}.
         */
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
}
