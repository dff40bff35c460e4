package dev.memory64.gguf;

import dev.memory64.MetadataValue;
import dev.memory64.internal.Utf8;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

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
     * Returns this value as store metadata, in the encoding a GGUF model's store gives it (the
     * guest ABI's, which is GGUF's): for metadata a host adds to a store of another format.
     *
     * @return the value, sharing a string's or an array's bytes
     */
    default MetadataValue toMetadataValue() {
        return GgufMetadata.value(this);
    }

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

        /** The UTF-8 bytes: a slice of the header for a string read from a file. */
        MemorySegment utf8() {
            return source != null
                    ? source.segment(offset, length)
                    : MemorySegment.ofArray(value.getBytes(StandardCharsets.UTF_8)).asReadOnly();
        }

        /**
         * Returns the text.
         *
         * @return the value
         */
        public String value() {
            String text = value;
            if (text == null) {
                text = source.utf8(offset, length);
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

        /** The elements in their encoding, which decodes them (see {@link EncodedArray}). */
        private final EncodedArray encoded;

        ArrayValue(EncodedArray encoded) {
            this.encoded = encoded;
        }

        /** An array over {@code size} encoded elements in {@code [base, end)}, already checked. */
        static ArrayValue encoded(
                GgufValueType elementType, int size, HeaderBytes source, int base, int end) {
            return new ArrayValue(new EncodedArray(elementType, size, source, base, end));
        }

        static ArrayValue of(GgufValueType elementType, List<? extends GgufValue> elements) {
            return new ArrayValue(EncodedArray.of(elementType, elements));
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
            return encoded.elementType();
        }

        /**
         * Returns the number of elements.
         *
         * @return the element count
         */
        public int size() {
            return encoded.size();
        }

        /**
         * Returns one element.
         *
         * @param index the element's index
         * @return the element, of type {@link #elementType()}
         * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
         */
        public GgufValue get(int index) {
            return encoded.get(index);
        }

        /**
         * Returns the elements as an unmodifiable list, each created on access.
         *
         * @return a list view of the elements
         */
        public List<GgufValue> elements() {
            return encoded.elements();
        }

        /**
         * Returns the elements of a string array as an unmodifiable list of strings.
         *
         * @return a list view of the strings, each created on access
         * @throws IllegalStateException if the element type is not {@code string}
         */
        public List<String> strings() {
            return encoded.strings();
        }

        /** How deeply arrays nest in this one: 1 for an array of non-arrays. */
        int depth() {
            return encoded.depth();
        }

        /** The encoded elements, without type and count: a slice of the header if read. */
        MemorySegment encoding() {
            return encoded.encoding();
        }

        /** Encodes the elements (not the type and count) the GGUF way. */
        void writeElements(GgufEncoder out) {
            encoded.writeElements(out);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ArrayValue that && encoded.sameElements(that.encoded);
        }

        @Override
        public int hashCode() {
            return encoded.hash();
        }

        /**
         * Returns the element type, the size and the first few elements, e.g. {@code
         * array<string>[3] ["a", "b", "c"]}.
         */
        @Override
        public String toString() {
            return encoded.toString();
        }
    }
}
