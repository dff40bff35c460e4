package dev.memory64.gguf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte buffer for GGUF headers. */
final class GgufEncoder {

    private byte[] bytes = new byte[256];
    private int size;

    private void ensure(int more) {
        int needed = Math.addExact(size, more);
        if (needed > bytes.length) {
            bytes =
                    Arrays.copyOf(
                            bytes,
                            Math.max(
                                    needed,
                                    (int) Math.min(Integer.MAX_VALUE - 8L, 2L * bytes.length)));
        }
    }

    void u8(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
    }

    void u32(long value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    void u64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    /** The {@code length} bytes of {@code source} from its index {@code offset}, copied once. */
    void bytes(ByteBuffer source, int offset, int length) {
        ensure(length);
        source.get(offset, bytes, size, length);
        size += length;
    }

    void bytes(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** A GGUF string: {@code uint64} byte length, then the UTF-8 bytes. */
    void string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        bytes(utf8, 0, utf8.length);
    }

    /** A metadata value without its type tag. */
    void value(GgufValue value) {
        switch (value) {
            case GgufValue.IntValue v -> fixed(v.type().fixedSize(), v.value());
            case GgufValue.FloatValue v ->
                    fixed(
                            v.type().fixedSize(),
                            v.type() == GgufValueType.FLOAT32
                                    ? Float.floatToRawIntBits((float) v.value())
                                    : Double.doubleToRawLongBits(v.value()));
            case GgufValue.BoolValue v -> u8(v.value() ? 1 : 0);
            case GgufValue.StringValue v -> string(v.value());
            case GgufValue.ArrayValue v -> {
                u32(v.elementType().id());
                u64(v.size());
                v.writeElements(this);
            }
        }
    }

    private void fixed(int width, long bits) {
        ensure(width);
        for (int i = 0; i < width; i++) {
            bytes[size++] = (byte) (bits >>> (8 * i));
        }
    }

    int size() {
        return size;
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }
}
