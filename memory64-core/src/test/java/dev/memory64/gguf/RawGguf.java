package dev.memory64.gguf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Hand-built GGUF bytes for malformed-input tests: little-endian fields, positions on demand. */
final class RawGguf {

    private byte[] bytes = new byte[256];
    private int size;

    /** Magic, version, tensor count and metadata count. */
    static RawGguf header(int version, long tensorCount, long kvCount) {
        return new RawGguf()
                .bytes("GGUF".getBytes(StandardCharsets.US_ASCII))
                .u32(version)
                .u64(tensorCount)
                .u64(kvCount);
    }

    long position() {
        return size;
    }

    RawGguf u8(int value) {
        return fixed(1, value);
    }

    RawGguf u16(int value) {
        return fixed(2, value);
    }

    RawGguf u32(long value) {
        return fixed(4, value);
    }

    RawGguf u64(long value) {
        return fixed(8, value);
    }

    private RawGguf fixed(int width, long value) {
        for (int i = 0; i < width; i++) {
            append((byte) (value >>> (8 * i)));
        }
        return this;
    }

    RawGguf bytes(byte[] more) {
        for (byte b : more) {
            append(b);
        }
        return this;
    }

    /** A GGUF string of raw bytes: uint64 length, then the bytes. */
    RawGguf string(byte[] raw) {
        return u64(raw.length).bytes(raw);
    }

    RawGguf string(String text) {
        return string(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A metadata key and its value type; the value follows. */
    RawGguf key(String key, GgufValueType type) {
        return string(key).u32(type.id());
    }

    /** A tensor info with the given raw fields. */
    RawGguf tensor(String name, long[] dims, int type, long offset) {
        string(name).u32(dims.length);
        for (long dim : dims) {
            u64(dim);
        }
        return u32(type).u64(offset);
    }

    RawGguf zeros(long count) {
        for (long i = 0; i < count; i++) {
            append((byte) 0);
        }
        return this;
    }

    RawGguf padTo(long alignment) {
        return zeros((alignment - size % alignment) % alignment);
    }

    private void append(byte b) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, 2 * size);
        }
        bytes[size++] = b;
    }

    byte[] toBytes() {
        return Arrays.copyOf(bytes, size);
    }
}
