package dev.memory64.gguf;

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
 * <p>Values are immutable. Arrays hold their elements compactly (numbers as their little-endian
 * bytes, strings as one UTF-8 buffer) and create element objects on access, so that a vocabulary of
 * hundreds of thousands of tokens costs about its size in the file.
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
     * A {@code string}.
     *
     * @param value the text
     */
    record StringValue(String value) implements GgufValue {

        /**
         * Validates the text.
         *
         * @throws NullPointerException if {@code value} is null
         * @throws IllegalArgumentException if {@code value} holds an unpaired surrogate, which has
         *     no UTF-8 form
         */
        public StringValue {
            Objects.requireNonNull(value, "value");
            Utf8.checkEncodable(value);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /**
     * An {@code array}: elements of one type, possibly arrays themselves (each nested array has its
     * own element type).
     *
     * <p>Elements are stored compactly and created on access by {@link #get(int)}, {@link
     * #elements()} and {@link #strings()}.
     */
    final class ArrayValue implements GgufValue {

        private static final VarHandle SHORT =
                MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle INT =
                MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle LONG =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final byte[] NO_BYTES = new byte[0];

        private final GgufValueType elementType;
        private final int size;

        /** Fixed-size elements: their little-endian bytes; strings: their UTF-8, end to end. */
        private final byte[] data;

        /**
         * Strings only: {@code size + 1} boundaries, string i is {@code [bounds[i], bounds[i+1])}.
         */
        private final int[] bounds;

        /** Arrays only: the nested arrays. */
        private final ArrayValue[] children;

        /** 1 for an array of non-arrays, else 1 + the deepest child. */
        private final int depth;

        private ArrayValue(
                GgufValueType elementType,
                int size,
                byte[] data,
                int[] bounds,
                ArrayValue[] children,
                int depth) {
            this.elementType = elementType;
            this.size = size;
            this.data = data;
            this.bounds = bounds;
            this.children = children;
            this.depth = depth;
        }

        /** An array of a fixed-size type over its little-endian bytes (not copied). */
        static ArrayValue ofFixed(GgufValueType elementType, byte[] littleEndian) {
            return new ArrayValue(
                    elementType,
                    littleEndian.length / elementType.fixedSize(),
                    littleEndian,
                    null,
                    null,
                    1);
        }

        /** An array of strings over their valid UTF-8, end to end, and boundaries (not copied). */
        static ArrayValue ofStrings(byte[] utf8, int[] bounds) {
            return new ArrayValue(GgufValueType.STRING, bounds.length - 1, utf8, bounds, null, 1);
        }

        /** An array of arrays (not copied); the caller checks the depth. */
        static ArrayValue ofArrays(ArrayValue[] children) {
            int deepest = 0;
            for (ArrayValue child : children) {
                deepest = Math.max(deepest, child.depth);
            }
            return new ArrayValue(
                    GgufValueType.ARRAY, children.length, NO_BYTES, null, children, deepest + 1);
        }

        static ArrayValue of(GgufValueType elementType, List<? extends GgufValue> elements) {
            Objects.requireNonNull(elementType, "elementType");
            Objects.requireNonNull(elements, "elements");
            int n = elements.size();
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
            }
            switch (elementType) {
                case STRING -> {
                    byte[][] encoded = new byte[n][];
                    int[] bounds = new int[n + 1];
                    for (int i = 0; i < n; i++) {
                        encoded[i] = elements.get(i).asString().getBytes(StandardCharsets.UTF_8);
                        bounds[i + 1] = Math.addExact(bounds[i], encoded[i].length);
                    }
                    byte[] utf8 = new byte[bounds[n]];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(encoded[i], 0, utf8, bounds[i], encoded[i].length);
                    }
                    return ofStrings(utf8, bounds);
                }
                case ARRAY -> {
                    ArrayValue[] children = new ArrayValue[n];
                    for (int i = 0; i < n; i++) {
                        children[i] = (ArrayValue) elements.get(i);
                    }
                    ArrayValue array = ofArrays(children);
                    if (array.depth > MAX_ARRAY_DEPTH) {
                        throw new IllegalArgumentException(
                                "array of arrays nests "
                                        + array.depth
                                        + " levels deep, more than the "
                                        + MAX_ARRAY_DEPTH
                                        + " allowed");
                    }
                    return array;
                }
                default -> {
                    int width = elementType.fixedSize();
                    byte[] bytes = new byte[Math.multiplyExact(n, width)];
                    for (int i = 0; i < n; i++) {
                        GgufValue element = elements.get(i);
                        long bits =
                                switch (element) {
                                    case IntValue v -> v.value();
                                    case FloatValue v ->
                                            elementType == GgufValueType.FLOAT32
                                                    ? Float.floatToRawIntBits((float) v.value())
                                                    : Double.doubleToRawLongBits(v.value());
                                    case BoolValue v -> v.value() ? 1 : 0;
                                    default -> throw new IllegalStateException(element.toString());
                                };
                        putLittleEndian(bytes, i * width, width, bits);
                    }
                    return ofFixed(elementType, bytes);
                }
            }
        }

        private static void putLittleEndian(byte[] bytes, int offset, int width, long bits) {
            switch (width) {
                case 1 -> bytes[offset] = (byte) bits;
                case 2 -> SHORT.set(bytes, offset, (short) bits);
                case 4 -> INT.set(bytes, offset, (int) bits);
                default -> LONG.set(bytes, offset, bits);
            }
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
            return switch (elementType) {
                case UINT8 -> new IntValue(elementType, data[index] & 0xFF);
                case INT8 -> new IntValue(elementType, data[index]);
                case BOOL -> new BoolValue(data[index] != 0);
                case UINT16 ->
                        new IntValue(elementType, (short) SHORT.get(data, 2 * index) & 0xFFFF);
                case INT16 -> new IntValue(elementType, (short) SHORT.get(data, 2 * index));
                case UINT32 ->
                        new IntValue(elementType, (int) INT.get(data, 4 * index) & 0xFFFF_FFFFL);
                case INT32 -> new IntValue(elementType, (int) INT.get(data, 4 * index));
                case UINT64, INT64 -> new IntValue(elementType, (long) LONG.get(data, 8 * index));
                case FLOAT32 ->
                        new FloatValue(
                                elementType, Float.intBitsToFloat((int) INT.get(data, 4 * index)));
                case FLOAT64 ->
                        new FloatValue(
                                elementType,
                                Double.longBitsToDouble((long) LONG.get(data, 8 * index)));
                case STRING -> new StringValue(string(index));
                case ARRAY -> children[index];
            };
        }

        private String string(int index) {
            return new String(
                    data, bounds[index], bounds[index + 1] - bounds[index], StandardCharsets.UTF_8);
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
            return depth;
        }

        /** Encodes the elements (not the type and count) the GGUF way. */
        void writeElements(GgufEncoder out) {
            switch (elementType) {
                case STRING -> {
                    for (int i = 0; i < size; i++) {
                        out.u64(bounds[i + 1] - bounds[i]);
                        out.bytes(data, bounds[i], bounds[i + 1] - bounds[i]);
                    }
                }
                case ARRAY -> {
                    for (ArrayValue child : children) {
                        out.u32(child.elementType.id());
                        out.u64(child.size);
                        child.writeElements(out);
                    }
                }
                default -> out.bytes(data, 0, data.length);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ArrayValue that
                    && elementType == that.elementType
                    && size == that.size
                    && Arrays.equals(data, that.data)
                    && Arrays.equals(bounds, that.bounds)
                    && Arrays.equals(children, that.children);
        }

        @Override
        public int hashCode() {
            return Objects.hash(
                    elementType,
                    size,
                    Arrays.hashCode(data),
                    Arrays.hashCode(bounds),
                    Arrays.hashCode(children));
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
