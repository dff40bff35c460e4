package dev.memory64.gguf;

import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A GGUF header's key/value pairs as the store's format-neutral {@link ModelMetadata}. GGUF's value
 * encoding is the metadata encoding, so strings and arrays are slices of the header (no copy) and a
 * scalar is its few little-endian bytes.
 */
final class GgufMetadata {

    private GgufMetadata() {}

    /**
     * Every key of a header, in its order. The scalars' bytes share one direct buffer: a heap array
     * as a segment starts the JDK's memory layouts, about 8 ms of a cold JVM's first open that
     * nothing else of opening a large (mapped) header needs.
     */
    static ModelMetadata of(GgufFile header) {
        int scalarBytes = 0;
        for (GgufValue value : header.metadata().values()) {
            scalarBytes += scalarSize(value);
        }
        ByteBuffer scalars = ByteBuffer.allocateDirect(scalarBytes);
        MemorySegment segment = MemorySegment.ofBuffer(scalars);
        int at = 0;
        ModelMetadata.Builder metadata = ModelMetadata.builder();
        for (Map.Entry<String, GgufValue> entry : header.metadata().entrySet()) {
            GgufValue value = entry.getValue();
            metadata.put(entry.getKey(), value(value, scalars, segment, at));
            at += scalarSize(value);
        }
        return metadata.build();
    }

    /** One value in the metadata encoding, a scalar in a buffer of its own. */
    static MetadataValue value(GgufValue value) {
        ByteBuffer scalar = ByteBuffer.allocateDirect(scalarSize(value));
        return value(value, scalar, MemorySegment.ofBuffer(scalar), 0);
    }

    /**
     * One value in the metadata encoding, a scalar's bytes written into {@code scalars} at {@code
     * at}.
     */
    private static MetadataValue value(
            GgufValue value, ByteBuffer scalars, MemorySegment segment, int at) {
        GgufValueType kind = value.type();
        int type = kind.id();
        // Tests, not a pattern switch: its bootstrap generates a class on a cold JVM.
        if (value instanceof GgufValue.StringValue string) {
            return MetadataValue.of(type, type, 1, string.utf8());
        }
        if (value instanceof GgufValue.ArrayValue array) {
            return MetadataValue.of(type, array.elementType().id(), array.size(), array.encoding());
        }
        int width = kind.fixedSize();
        long bits = bits(value);
        for (int i = 0; i < width; i++) {
            scalars.put(at + i, (byte) (bits >>> (8 * i)));
        }
        return MetadataValue.of(type, type, 1, segment.asSlice(at, width));
    }

    /** A scalar's width, 0 for a string or an array. */
    private static int scalarSize(GgufValue value) {
        return isScalar(value) ? value.type().fixedSize() : 0;
    }

    private static boolean isScalar(GgufValue value) {
        return !(value instanceof GgufValue.StringValue)
                && !(value instanceof GgufValue.ArrayValue);
    }

    /** A scalar's little-endian bits. */
    private static long bits(GgufValue value) {
        if (value instanceof GgufValue.IntValue number) {
            return number.value();
        }
        if (value instanceof GgufValue.FloatValue number) {
            return value.type() == GgufValueType.FLOAT32
                    ? Float.floatToRawIntBits((float) number.value())
                    : Double.doubleToRawLongBits(number.value());
        }
        return ((GgufValue.BoolValue) value).value() ? 1 : 0;
    }
}
