package dev.memory64.gguf;

import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * A GGUF header's key/value pairs as the store's format-neutral {@link ModelMetadata}. GGUF's value
 * encoding is the metadata encoding, so strings and arrays are slices of the header (no copy) and a
 * scalar is its few little-endian bytes.
 */
final class GgufMetadata {

    private GgufMetadata() {}

    /** Every key of a header, in its order. */
    static ModelMetadata of(GgufFile header) {
        ModelMetadata.Builder metadata = ModelMetadata.builder();
        for (Map.Entry<String, GgufValue> entry : header.metadata().entrySet()) {
            metadata.put(entry.getKey(), value(entry.getValue()));
        }
        return metadata.build();
    }

    /** One value in the metadata encoding. */
    static MetadataValue value(GgufValue value) {
        GgufValueType kind = value.type();
        int type = kind.id();
        return switch (value) {
            case GgufValue.StringValue string -> MetadataValue.of(type, type, 1, string.utf8());
            case GgufValue.ArrayValue array ->
                    MetadataValue.of(
                            type, array.elementType().id(), array.size(), array.encoding());
            case GgufValue.IntValue number -> scalar(kind, number.value());
            case GgufValue.FloatValue number ->
                    scalar(
                            kind,
                            kind == GgufValueType.FLOAT32
                                    ? Float.floatToRawIntBits((float) number.value())
                                    : Double.doubleToRawLongBits(number.value()));
            case GgufValue.BoolValue bool -> scalar(kind, bool.value() ? 1 : 0);
        };
    }

    private static MetadataValue scalar(GgufValueType type, long bits) {
        int width = type.fixedSize();
        byte[] bytes = new byte[width];
        for (int i = 0; i < width; i++) {
            bytes[i] = (byte) (bits >>> (8 * i));
        }
        return MetadataValue.of(type.id(), type.id(), 1, MemorySegment.ofArray(bytes));
    }
}
